// swift-tools-version: 6.2
import PackageDescription

// Dependencies point down only: taly → TalyAPI → TalyIngest → TalyStore / TalyIndex.
// TalyIndex knows nothing of HTTP, SQLite or tenants.

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// The index's hot loops run on final classes (builders, writers, cursors) whose stored properties
// would otherwise be checked for exclusive access at run time on every posting: measured at ~12%
// of indexing time. Static exclusivity checking still applies.
let indexSettings: [SwiftSetting] = strictSettings + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "Taly",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "taly", targets: ["taly"]),
        .library(name: "TalyIndex", targets: ["TalyIndex"]),
        .library(name: "TalyStore", targets: ["TalyStore"]),
        .library(name: "TalyIngest", targets: ["TalyIngest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // C libraries from Debian, reached through pkg-config.
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // gzip input for bulk ingest.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Snowball stemmers; Debian's libstemmer-dev ships no pkg-config file.
        .systemLibrary(
            name: "CStemmer",
            providers: [.apt(["libstemmer-dev"])]
        ),
        // ICU behind a header of stdint types and opaque handles: Debian's ICU headers cannot be
        // imported into Swift directly (versioned symbol names, clash with Foundation's ICU).
        .target(
            name: "CTalyICU",
            linkerSettings: [
                .linkedLibrary("icui18n"),
                .linkedLibrary("icuuc"),
                .linkedLibrary("icudata"),
            ]
        ),

        // Argon2id password hashing from Debian's libargon2; its header has no pkg-config file.
        .systemLibrary(
            name: "CArgon2",
            providers: [.apt(["libargon2-dev"])]
        ),
        // CRC-32C for index file footers, hardware instruction chosen at run time.
        .target(name: "CTalyChecksum"),
        // The deadline of the search running on a thread, read by the engine's innermost loops.
        .target(name: "CTalySearchBudget"),
        .target(
            name: "TalyIndex",
            dependencies: ["CZstd", "CTalyICU", "CStemmer", "CTalyChecksum", "CTalySearchBudget"],
            swiftSettings: indexSettings
        ),
        // SQLite's process-wide settings (sqlite3_config is variadic: C only).
        .target(name: "CTalySQLite", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "TalyStore",
            dependencies: [
                "CArgon2",
                "CTalySQLite",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API, for binding the hot INSERTs' parameters by hand.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TalyIngest",
            dependencies: [
                "TalyStore", "TalyIndex", "CZstd", "CZlib", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TalyAPI",
            dependencies: [
                "TalyIngest",
                "TalyStore",
                "TalyIndex",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "taly",
            dependencies: [
                "TalyAPI",
                "TalyStore",
                "TalyIndex",
                "TalyIngest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Seeded generators and temporary directories shared by every test target.
        .target(name: "TalyTestSupport", path: "Tests/TalyTestSupport", swiftSettings: strictSettings),
        .testTarget(
            name: "TalyIndexTests",
            dependencies: ["TalyIndex", "TalyTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TalyStoreTests",
            dependencies: [
                "TalyStore", "TalyTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's own counters, to check the process configuration the store records.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TalyIngestTests",
            dependencies: ["TalyIngest", "TalyIndex", "TalyStore", "TalyTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TalyAPITests",
            dependencies: [
                "TalyAPI",
                "TalyTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        // Runs the real `taly` binary as a child process: flags, exit codes, signals.
        .testTarget(
            name: "TalyCLITests",
            dependencies: ["taly", "TalyIndex", "TalyStore", "TalyIngest", "TalyTestSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
