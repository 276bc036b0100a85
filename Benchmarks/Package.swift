// swift-tools-version: 6.3
// Benchmarks live in their own package so the main build and test suite never compile the
// benchmark framework. Run: `cd Benchmarks && swift package benchmark` (release builds only).
import PackageDescription

/// What the ingest and index-sync drivers link: TalyIngest and the two libraries it drives.
/// Declared before `package`, whose initializer reads it (top-level constants initialize in order).
let syncLibraries: [Target.Dependency] = [
    .product(name: "TalyIngest", package: "Taly"),
    .product(name: "TalyStore", package: "Taly"),
    .product(name: "TalyIndex", package: "Taly"),
]

let package = Package(
    name: "TalyBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Taly", path: ".."),
        // The MallocInterposer trait is required for resolution here (see ../shared/DESIGN.md).
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        benchmark("Analysis", measuring: "TalyIndex"),
        benchmark("Codec", measuring: "TalyIndex"),
        benchmark("Indexing", measuring: "TalyIndex"),
        benchmark("Filtering", measuring: "TalyIndex"),
        benchmark("Catalog", measuring: "TalyStore"),
        benchmark("Search", measuring: "TalyIndex"),
        benchmark("Store", measuring: "TalyStore"),
        // Not a package-benchmark suite (it prints lag percentiles of its own phases), so it
        // lives outside `Benchmarks/Benchmarks/`, where the plugin would run it as one:
        // `swift run -c release SyncLag [items] [--other-store]`.
        .executableTarget(
            name: "SyncLag",
            dependencies: syncLibraries,
            path: "Drivers/SyncLag"
        ),
        // The bulk ingest pipeline end to end (store, or store + index sync) on a fresh store:
        // `swift build -c release --product ingest-bench`, then `ingest-bench STORE products|doc FILE`.
        .executableTarget(
            name: "ingest-bench",
            dependencies: syncLibraries,
            path: "IngestBench"
        ),
        // Stored-document fetch cost on a query log, and block-cache hit rates:
        // `swift run -c release DocFetch INDEX_DIR QUERIES.jsonl [rounds]`.
        .executableTarget(
            name: "DocFetch",
            dependencies: [.product(name: "TalyIndex", package: "Taly")],
            path: "Drivers/DocFetch"
        ),
    ]
)

/// A package-benchmark executable in `Benchmarks/<name>` that measures one of Taly's libraries.
func benchmark(_ name: String, measuring library: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: library, package: "Taly"),
        ],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
