// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "kiln",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kiln", targets: ["kiln"]),
        .executable(name: "kiln-report-pdf", targets: ["kiln-report-pdf"]),
        // The libtorch plugin, loaded at run time by the Torch module (see ctorch_api.h).
        .library(name: "KilnTorch", type: .dynamic, targets: ["CTorch"]),
        // The DCMTK plugin, loaded at run time by the Dicom module (see cdicom_api.h).
        .library(name: "KilnDicom", type: .dynamic, targets: ["CDicom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "KilnCore",
            dependencies: [
                "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CTorchAPI"),
        .target(
            name: "CTorch",
            dependencies: ["CTorchAPI"],
            cxxSettings: [.unsafeFlags(["-I/usr/include/torch/csrc/api/include", "-Wno-deprecated-declarations"])],
            linkerSettings: [.linkedLibrary("torch"), .linkedLibrary("torch_cpu"), .linkedLibrary("c10")]
        ),
        .target(name: "CDicomAPI"),
        .target(
            name: "CDicom",
            dependencies: ["CDicomAPI"],
            linkerSettings: [
                .linkedLibrary("dcmimage"), .linkedLibrary("dcmimgle"), .linkedLibrary("dcmjpeg"), .linkedLibrary("dcmjpls"),
                .linkedLibrary("dcmdata"), .linkedLibrary("oflog"), .linkedLibrary("ofstd"),
            ]
        ),
        .target(name: "Dicom", dependencies: ["CDicomAPI", "KilnCore"], swiftSettings: swiftSettings),
        .target(name: "CImageCodec", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg"), .linkedLibrary("z")]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(name: "ZlibCodec", dependencies: ["CZlib", "KilnCore"], swiftSettings: swiftSettings),
        .target(name: "Nifti", dependencies: ["CZlib", "ZlibCodec", "KilnCore"], swiftSettings: swiftSettings),
        .target(name: "ImageCodec", dependencies: ["CImageCodec", "KilnCore"], swiftSettings: swiftSettings),
        .systemLibrary(name: "CXGBoost"),
        .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo"),
        .target(name: "ReportSpec", swiftSettings: swiftSettings),
        .target(name: "ReportPDF", dependencies: ["CPangoCairo", "ReportSpec"], swiftSettings: swiftSettings),
        .executableTarget(name: "kiln-report-pdf", dependencies: ["ReportPDF", "ReportSpec"], swiftSettings: swiftSettings),
        .target(
            name: "XGBoost",
            dependencies: ["CXGBoost", "KilnCore"],
            swiftSettings: swiftSettings,
            linkerSettings: [.linkedLibrary("dl")]
        ),
        .target(
            name: "Torch",
            dependencies: ["CTorchAPI", "KilnCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KilnServing",
            dependencies: [
                "KilnCore", "Torch", "XGBoost",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KilnJobs",
            dependencies: [
                "KilnCore", "KilnStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KilnStore",
            dependencies: [
                "KilnCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KilnTracking",
            dependencies: [
                "KilnCore", "KilnStore", "KilnServing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KilnLLM",
            dependencies: [
                "KilnCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "KilnML", dependencies: ["KilnCore"], swiftSettings: swiftSettings),
        // Explanations of served models (TreeSHAP, KernelSHAP, LIME, permutation) and the `explain` job kind.
        .target(name: "KilnExplain", dependencies: ["KilnCore", "KilnML", "KilnServing", "KilnJobs", "KilnStore", "Torch"], swiftSettings: swiftSettings),
        .target(
            name: "KilnFeedback",
            dependencies: ["KilnCore", "KilnStore", "KilnServing", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: swiftSettings
        ),
        // The closed learning loop: the `retraining` job, champion/challenger promotion, and the
        // trainer interface apps register their models' trainers through.
        .target(
            name: "KilnRetraining",
            dependencies: ["KilnCore", "KilnML", "KilnStore", "KilnServing", "KilnJobs", "KilnTracking", "KilnFeedback",
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The `inference` job kind and asynchronous inference (REST's infer-async uses it).
        .target(
            name: "KilnInferenceJobs",
            dependencies: ["KilnCore", "KilnStore", "KilnServing", "KilnJobs"],
            swiftSettings: swiftSettings
        ),
        // The HTTP toolkit every surface shares: request context, middleware, errors, JSON and
        // multipart bodies, OpenAPI merging. The only modules importing Hummingbird are this one,
        // KilnAppKit, KilnHTTP, KilnServer and the apps' HTTP modules.
        .target(
            name: "KilnHTTPKit",
            dependencies: [
                "KilnCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The one interface an app conforms to, and the platform services it receives.
        .target(
            name: "KilnAppKit",
            dependencies: [
                "KilnCore", "KilnStore", "KilnServing", "KilnJobs", "KilnTracking", "KilnFeedback", "KilnLLM", "KilnHTTPKit", "KilnExplain",
                "KilnRetraining",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The native surfaces: /v1, /v2 (Open Inference Protocol), MLflow, health, OpenAPI.
        .target(
            name: "KilnHTTP",
            dependencies: [
                "KilnCore", "KilnStore", "KilnServing", "KilnJobs", "KilnTracking", "KilnFeedback", "KilnHTTPKit", "KilnInferenceJobs",
                "KilnExplain", "KilnRetraining",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The composition root: buildApplication(config:, apps:).
        .target(
            name: "KilnServer",
            dependencies: [
                "KilnCore", "KilnStore", "KilnServing", "KilnJobs", "KilnTracking", "KilnFeedback", "KilnLLM",
                "KilnHTTPKit", "KilnHTTP", "KilnAppKit", "KilnInferenceJobs", "KilnExplain", "KilnRetraining",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Apps: a domain module (no Hummingbird), an HTTP module conforming to KilnApp, and the
        // demo trainers / synthetic data off the server's link path (used by the CLI).
        .target(
            name: "ImagingApp",
            dependencies: ["KilnCore", "KilnServing", "KilnML", "Dicom", "Nifti", "ZlibCodec", "Torch", "ImageCodec", "KilnStore", "KilnJobs",
                           "KilnFeedback", "KilnExplain", .product(name: "SQLKit", package: "sql-kit")],
            path: "Sources/Apps/ImagingApp",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ImagingHTTP",
            dependencies: ["ImagingApp", "ImagingDemo", "KilnAppKit", "KilnHTTPKit", "KilnCore", "KilnJobs", "KilnStore", "KilnFeedback", "Dicom", "Nifti", "ZlibCodec",
                           "KilnRetraining", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Apps/ImagingHTTP",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ImagingDemo",
            dependencies: ["ImagingApp", "KilnCore", "KilnML", "KilnServing", "Torch", "XGBoost", "Nifti", "ZlibCodec", "Dicom",
                           "KilnFeedback", "KilnRetraining", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Apps/ImagingDemo",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CTRApp",
            dependencies: [
                "KilnCore", "KilnStore", "KilnJobs", "KilnTracking", "KilnServing", "KilnML", "XGBoost", "Torch", "KilnLLM", "ReportSpec",
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Sources/Apps/CTRApp",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CTRHTTP",
            dependencies: ["CTRApp", "KilnAppKit", "KilnHTTPKit", "KilnCore", "KilnJobs", "KilnServing",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket")],
            path: "Sources/Apps/CTRHTTP",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CTRDemo",
            dependencies: ["CTRApp", "KilnCore"],
            path: "Sources/Apps/CTRDemo",
            swiftSettings: swiftSettings
        ),
        // The apps' command-line tools (demo training, synthetic data, local checks).
        .target(
            name: "ImagingCLI",
            dependencies: ["ImagingApp", "ImagingDemo", "KilnCLIKit", "KilnAppKit", "KilnCore", "KilnStore", "Torch", "XGBoost", "ImageCodec", "Nifti",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Apps/ImagingCLI",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CTRCLI",
            dependencies: ["CTRApp", "CTRDemo", "KilnCLIKit", "KilnCore", "KilnML",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Apps/CTRCLI",
            swiftSettings: swiftSettings
        ),
        // What every command that opens the store shares, and the shape of an app's commands.
        .target(
            name: "KilnCLIKit",
            dependencies: ["KilnAppKit", "KilnCore", "KilnStore",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kiln",
            dependencies: [
                "KilnCore", "KilnStore", "KilnServer", "KilnServing", "KilnAppKit", "KilnCLIKit", "Torch",
                "ImagingHTTP", "ImagingCLI", "CTRHTTP", "CTRCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // A test-only app proving that an app is wired by the app list alone.
        .target(
            name: "ExampleApp",
            dependencies: ["KilnAppKit", "KilnHTTPKit", "KilnCore", "KilnStore", "KilnJobs",
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "SQLKit", package: "sql-kit")],
            path: "Tests/ExampleApp",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnMLTests",
            dependencies: ["KilnML", "KilnCore", "XGBoost"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnServingTests",
            dependencies: ["KilnServing"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CTRAppTests",
            dependencies: ["CTRApp", "CTRDemo", "KilnCore", "KilnML"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ImagingAppTests",
            dependencies: ["ImagingApp", "ImagingDemo", "ImageCodec", "KilnFeedback", "KilnCore", "KilnML", "XGBoost"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnTrackingTests",
            dependencies: ["KilnTracking", "KilnCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnJobsTests",
            dependencies: ["KilnJobs"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TorchTests",
            dependencies: ["Torch"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZlibCodecTests",
            dependencies: ["ZlibCodec", "KilnCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NiftiTests",
            dependencies: ["Nifti"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DicomTests",
            dependencies: ["Dicom"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "XGBoostTests",
            dependencies: ["XGBoost"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kiln-bench-jobs",
            dependencies: [
                "KilnJobs", "KilnStore", "KilnCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/kiln-bench-jobs",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnCoreTests",
            dependencies: ["KilnCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnStoreTests",
            dependencies: ["KilnStore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnHTTPKitTests",
            dependencies: ["KilnHTTPKit", "KilnCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnServerTests",
            dependencies: [
                "KilnServer", "KilnAppKit", "KilnCore", "ExampleApp",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KilnHTTPTests",
            dependencies: [
                "KilnHTTP", "KilnHTTPKit", "KilnServer", "ImagingHTTP", "CTRHTTP", "KilnAppKit", "Dicom", "Nifti", "ZlibCodec",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)

// Coverage-guided fuzz targets (libFuzzer), declared only when `make fuzz` asks for them
// (KILN_FUZZ=1): they link only with `-sanitize=fuzzer`, which scripts/fuzz.sh passes to the
// whole build so that the parsers they call are instrumented too.
if Context.environment["KILN_FUZZ"] == "1" {
    package.targets.append(.target(name: "FuzzDriver", path: "Fuzz/Driver"))
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-json", ["KilnCore"]),
        ("fuzz-v2-inference", ["KilnServing"]),
        ("fuzz-multipart", ["KilnHTTPKit"]),
        ("fuzz-csv", ["KilnML", "CTRApp"]),
        ("fuzz-nifti", ["Nifti"]),
        ("fuzz-zip", ["ZlibCodec"]),
        ("fuzz-dicom", ["Dicom", "KilnCore"]),
    ]
    for target in fuzzTargets {
        package.targets.append(.executableTarget(
            name: target.name, dependencies: target.dependencies + ["FuzzDriver"], path: "Fuzz/Targets/\(target.name)",
            swiftSettings: swiftSettings))
        package.products.append(.executable(name: target.name, targets: [target.name]))
    }
    // The DCMTK wrapper is C++ and loaded at run time: instrument it so the fuzzer sees its branches.
    if let wrapper = package.targets.first(where: { $0.name == "CDicom" }) {
        wrapper.cxxSettings = (wrapper.cxxSettings ?? []) + [.unsafeFlags(["-fsanitize=fuzzer-no-link,address"])]
    }
}
