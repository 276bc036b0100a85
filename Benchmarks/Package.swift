// swift-tools-version: 6.3
// Benchmarks live in their own package so the main build and test suite never compile the
// benchmark framework. Run: `cd Benchmarks && swift package benchmark` (release builds only).
import PackageDescription

let package = Package(
    name: "TalyBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Taly", path: ".."),
        // The MallocInterposer trait is required for resolution here (see ../shared/DESIGN.md).
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Analysis",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TalyIndex", package: "Taly"),
            ],
            path: "Benchmarks/Analysis",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Codec",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TalyIndex", package: "Taly"),
            ],
            path: "Benchmarks/Codec",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Indexing",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TalyIndex", package: "Taly"),
            ],
            path: "Benchmarks/Indexing",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Filtering",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TalyIndex", package: "Taly"),
            ],
            path: "Benchmarks/Filtering",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Catalog",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TalyStore", package: "Taly"),
            ],
            path: "Benchmarks/Catalog",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Search",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TalyIndex", package: "Taly"),
            ],
            path: "Benchmarks/Search",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Store",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TalyStore", package: "Taly"),
            ],
            path: "Benchmarks/Store",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
