// swift-tools-version:6.0
// feedwatch: watches RSS, Atom and JSON feeds for keywords and raises alerts.
import PackageDescription

let package = Package(
    name: "feedwatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "feedwatch", targets: ["feedwatch"])
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Thin system-library shims over the C libraries.
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CUchardet", path: "Sources/CUchardet", pkgConfig: "uchardet",
            providers: [.apt(["libuchardet-dev"])]),

        // One module per pipeline stage.
        .target(
            name: "FeedwatchConfig",
            dependencies: ["FeedwatchMatch", "FeedwatchTemplate", .product(name: "Yams", package: "Yams")]),
        .target(name: "FeedwatchHTTP", dependencies: ["CCurl"]),
        .target(name: "FeedwatchParse", dependencies: ["CLibXML2", "CUchardet"]),
        .target(name: "FeedwatchMatch"),
        .target(name: "FeedwatchTemplate", dependencies: [.product(name: "Mustache", package: "swift-mustache")]),
        .target(
            name: "FeedwatchFetch",
            dependencies: ["FeedwatchHTTP", .product(name: "HeapModule", package: "swift-collections")]),
        .target(
            name: "FeedwatchState",
            dependencies: [
                "CSQLite", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The state shared by several instances (SPEC §9): the store protocols over PostgreSQL.
        .target(
            name: "FeedwatchPostgres",
            dependencies: [
                "FeedwatchState",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "FeedwatchAlert",
            dependencies: [
                "CSystemd", "FeedwatchHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Delivery: the outbox loop, the retry policy, and one file per destination type.
        .target(
            name: "FeedwatchDeliver",
            dependencies: [
                "FeedwatchAlert", "FeedwatchConfig", "FeedwatchHTTP", "FeedwatchState", "FeedwatchTemplate",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]),
        .target(
            name: "FeedwatchDaemon",
            dependencies: [
                "CSystemd", "FeedwatchConfig", "FeedwatchHTTP", "FeedwatchFetch", "FeedwatchParse", "FeedwatchMatch",
                "FeedwatchState", "FeedwatchPostgres", "FeedwatchAlert", "FeedwatchDeliver", "FeedwatchServe",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        // The operator's HTTP listener: /metrics, /healthz, /readyz, the JSON API and the status page.
        .target(
            name: "FeedwatchServe",
            dependencies: [
                "FeedwatchMatch", "FeedwatchTemplate",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "feedwatch",
            dependencies: [
                "FeedwatchDaemon", "FeedwatchConfig", "FeedwatchParse", "FeedwatchAlert", "FeedwatchState",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // jemalloc instead of glibc's malloc: a document's buffers are allocated on the transfer
            // thread and freed on the workers, and glibc serialises such frees on the allocating
            // arena's lock (README, "Memory allocator").
            linkerSettings: [.linkedLibrary("jemalloc")]),

        // Shared by the tests: loopback HTTP server, journald helper, child-process helpers.
        .target(
            name: "TestSupport", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/TestSupport", exclude: ["smtp_server.py"]),

        .testTarget(
            name: "FeedwatchConfigTests", dependencies: ["FeedwatchConfig", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "FeedwatchParseTests", dependencies: ["FeedwatchParse", "CLibXML2", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "FeedwatchMatchTests", dependencies: ["FeedwatchMatch", "TestSupport"]),
        .testTarget(name: "FeedwatchTemplateTests", dependencies: ["FeedwatchTemplate"]),
        .testTarget(name: "FeedwatchFetchTests", dependencies: ["FeedwatchFetch", "FeedwatchHTTP", "TestSupport"]),
        .testTarget(name: "FeedwatchStateTests", dependencies: ["FeedwatchState", "FeedwatchPostgres", "TestSupport"]),
        .testTarget(name: "FeedwatchAlertTests", dependencies: ["FeedwatchAlert", "TestSupport"]),
        .testTarget(
            name: "FeedwatchDaemonTests",
            dependencies: [
                "FeedwatchDaemon", "FeedwatchConfig", "FeedwatchState", "FeedwatchAlert", "FeedwatchHTTP", "FeedwatchDeliver",
                "FeedwatchServe", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "FeedwatchServeTests",
            dependencies: [
                "FeedwatchServe", "FeedwatchDaemon", "FeedwatchConfig", "FeedwatchState", "FeedwatchHTTP", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "FeedwatchHTTPTests", dependencies: ["FeedwatchHTTP", "TestSupport"]),
        .testTarget(
            name: "FeedwatchDeliverTests",
            dependencies: [
                "FeedwatchDeliver", "FeedwatchAlert", "FeedwatchConfig", "FeedwatchHTTP", "FeedwatchState", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Benchmarks: one executable per measured stage, run by `make bench` in release mode.
        .executableTarget(
            name: "bench-parse", dependencies: ["FeedwatchParse", "CLibXML2"],
            path: "Benchmarks/bench-parse"),
        .executableTarget(
            name: "bench-match", dependencies: ["FeedwatchMatch"],
            path: "Benchmarks/bench-match"),

        // Stage: fetch (HTTP client, fetcher, scheduler).
        .executableTarget(
            name: "bench-fetch", dependencies: ["FeedwatchFetch", "FeedwatchHTTP", "FeedwatchParse", "CLibXML2"],
            path: "Benchmarks/bench-fetch"),
        // State stage: seen checks, inserts and retention against a million-item store.
        .executableTarget(
            name: "bench-state", dependencies: ["FeedwatchState"],
            path: "Benchmarks/bench-state"),
        // Delivery: the real daemon posting to a loopback receiver.
        .executableTarget(name: "bench-deliver", dependencies: ["TestSupport"], path: "Benchmarks/bench-deliver"),
        // E-mail: the email destination sending to a loopback SMTP server, with and without session reuse.
        .executableTarget(
            name: "bench-email",
            dependencies: ["FeedwatchDeliver", "FeedwatchAlert", "FeedwatchConfig", "TestSupport"],
            path: "Benchmarks/bench-email"),
    ]
)
