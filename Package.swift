// swift-tools-version:6.1
// Capstan: a GitOps reconciliation tool with a bundled Kubernetes control plane.
// The target table mirrors ../shared/design/ARCHITECTURE.md; arrows only point down.
import PackageDescription

let package = Package(
    name: "Capstan",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "capstan", targets: ["capstan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // Libraries, top of the table first.
        .target(name: "CapstanModel", dependencies: [
            .product(name: "OrderedCollections", package: "swift-collections"),
        ]),
        .target(name: "CapstanYAML", dependencies: ["CYAML", "CapstanModel"]),
        .target(name: "CapstanAPI", dependencies: ["CapstanModel"], exclude: ["Resources"]),
        .target(name: "CapstanPatch", dependencies: ["CapstanModel", "CapstanAPI"]),
        .target(name: "CapstanTemplate", dependencies: ["CapstanModel", "CapstanYAML"]),
        .target(name: "CapstanChart", dependencies: ["CapstanTemplate", "CapstanYAML", "CapstanModel"]),
        .target(name: "CapstanStore", dependencies: ["CSQLite"]),
        .target(name: "CapstanManifest", dependencies: ["CapstanModel", "CapstanYAML", "CapstanAPI"]),
        .target(name: "CapstanApply", dependencies: [
            "CapstanClient", "CapstanPatch", "CapstanManifest", "CapstanAPI", "CapstanModel", "CapstanYAML",
        ]),
        .target(name: "CapstanTLS", dependencies: ["COpenSSL", .product(name: "NIOCore", package: "swift-nio")]),
        .target(name: "CapstanClient", dependencies: [
            "CapstanModel", "CapstanAPI", "CapstanYAML", "CapstanTLS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "CapstanAPIServer", dependencies: [
            "CapstanStore", "CapstanPatch", "CapstanAPI", "CapstanModel", "CapstanYAML", "CapstanTLS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "CapstanControllers", dependencies: ["CapstanClient", "CapstanModel", "CapstanAPI"]),

        .target(name: "CapstanScheduler", dependencies: ["CapstanClient", "CapstanModel", "CapstanAPI"]),
        .target(name: "CapstanNode", dependencies: [
            "CapstanClient", "CapstanModel", "CapstanAPI",
            // The kubelet endpoint (container logs) is a small HTTP server of its own.
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "CapstanCluster", dependencies: [
            "CapstanAPIServer", "CapstanStore", "CapstanClient", "CapstanControllers", "CapstanScheduler", "CapstanNode", "CapstanModel", "CapstanAPI",
        ]),

        // The binary: argument parsing and wiring only.
        .executableTarget(name: "capstan", dependencies: [
            "CapstanModel", "CapstanYAML", "CapstanAPI", "CapstanPatch", "CapstanManifest",
            "CapstanTemplate", "CapstanChart", "CapstanStore", "CapstanAPIServer",
            "CapstanClient", "CapstanControllers", "CapstanScheduler", "CapstanNode", "CapstanCluster", "CapstanApply",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks: `make bench` builds this in release and prints ratios against the oracles.
        .executableTarget(name: "capstan-bench", dependencies: [
            "CYAML", "CapstanModel", "CapstanYAML", "CapstanPatch", "CapstanAPI", "CapstanTemplate", "CapstanChart", "CapstanStore",
            "CapstanClient", "CapstanControllers", "CapstanScheduler", "CapstanNode", "CapstanCluster",
        ], path: "Benchmarks"),

        .executableTarget(name: "capstan-store-crashtest", dependencies: ["CapstanStore"], path: "Tests/StoreCrashHelper"),

        // Shared test helpers: locating and running the oracles (kubectl, Helm).
        .target(name: "CapstanTestSupport", path: "Tests/CapstanTestSupport"),

        // One test target per module.
        .testTarget(name: "CapstanModelTests", dependencies: ["CapstanModel", "CapstanTestSupport"]),
        .testTarget(name: "CapstanYAMLTests", dependencies: ["CapstanYAML", "CapstanModel", "CapstanTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CapstanAPITests", dependencies: ["CapstanAPI", "CapstanModel"]),
        .testTarget(name: "CapstanPatchTests", dependencies: ["CapstanPatch", "CapstanAPI", "CapstanModel", "CapstanYAML", "CapstanTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CapstanTemplateTests", dependencies: ["CapstanTemplate", "CapstanModel", "CapstanYAML"], exclude: ["Golden"]),
        .testTarget(name: "CapstanChartTests", dependencies: ["CapstanChart", "CapstanTemplate", "CapstanModel", "CapstanYAML"],
                    exclude: ["Charts", "Golden", "Cases", "Oracle"]),
        .testTarget(name: "CapstanStoreTests", dependencies: ["CapstanStore"]),
        .testTarget(name: "CapstanApplyTests", dependencies: ["CapstanApply", "CapstanClient", "CapstanModel", "CapstanAPI", "CapstanManifest", "CapstanYAML", "CapstanTestSupport", "capstan"]),
        .testTarget(name: "CapstanManifestTests", dependencies: ["CapstanManifest", "CapstanModel", "CapstanYAML"]),
        .testTarget(name: "CapstanAPIServerTests", dependencies: [
            "CapstanAPIServer", "CapstanStore", "CapstanAPI", "CapstanModel", "CapstanYAML", "CapstanClient", "CapstanTLS", "CapstanTestSupport", "capstan",
        ]),
        // `capstan` only so that the end-to-end tests find the built binary to run as a server.
        .testTarget(name: "CapstanClientTests", dependencies: ["CapstanClient", "CapstanModel", "CapstanAPI", "CapstanTestSupport", "capstan"]),
        .testTarget(name: "CapstanSchedulerTests", dependencies: ["CapstanScheduler", "CapstanClient", "CapstanModel"]),
        .testTarget(name: "CapstanNodeTests", dependencies: ["CapstanNode", "CapstanClient", "CapstanModel", "CapstanYAML"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "CapstanControllersTests", dependencies: [
            "CapstanControllers", "CapstanClient", "CapstanModel", "CapstanTestSupport", "capstan",
        ]),
        .testTarget(name: "CapstanClusterTests", dependencies: [
            "CapstanCluster", "CapstanClient", "CapstanModel", "CapstanTestSupport", "capstan",
        ]),
        .testTarget(name: "CapstanTLSTests", dependencies: [
            "CapstanTLS", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "CapstanCLITests", dependencies: ["CapstanModel", "CapstanYAML", "CapstanTestSupport", "capstan"]),
    ]
)
