// swift-tools-version: 6.1
import PackageDescription

let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let configuration = Target.Dependency.product(name: "Configuration", package: "swift-configuration")
let tracing = Target.Dependency.product(name: "Tracing", package: "swift-distributed-tracing")

let package = Package(
    name: "Motherstream",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "Notifier", targets: ["Notifier"]),
        .executable(name: "OBSBridge", targets: ["OBSBridge"]),
        .executable(name: "HookGateway", targets: ["HookGateway"]),
        .executable(name: "AccountService", targets: ["AccountService"]),
        .executable(name: "QueueService", targets: ["QueueService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // OTLP over HTTP only: the gRPC exporter would add grpc-swift to every cold build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.3.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CArgon2",
            path: "Services/AccountService/CArgon2",
            pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"])]
        ),
        .target(
            name: "Shared",
            dependencies: [
                hummingbird, logging, configuration,
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Yams", package: "Yams"),
                tracing,
            ],
            path: "Shared"
        ),
        .executableTarget(
            name: "QueueService",
            dependencies: [
                "Shared", hummingbird, logging, configuration, tracing,
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Services/QueueService",
            resources: [.process("Pages/Resources"), .copy("openapi.yaml")]
        ),
            .executableTarget(
            name: "AccountService",
            dependencies: [
                "Shared", "CArgon2", hummingbird, logging, configuration,
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Services/AccountService",
            exclude: ["CArgon2"],
            resources: [.process("Pages/Resources"), .copy("openapi.yaml")]
        ),
            .executableTarget(
            name: "HookGateway",
            dependencies: [
                "Shared", hummingbird, logging, configuration,
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/HookGateway",
            resources: [.copy("openapi.yaml")]
        ),
            .executableTarget(
            name: "OBSBridge",
            dependencies: [
                "Shared", hummingbird, logging, configuration, tracing,
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/OBSBridge",
            resources: [.copy("openapi.yaml")]
        ),
        .executableTarget(
            name: "Notifier",
            dependencies: [
                "Shared", hummingbird, logging, configuration, tracing,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Notifier",
            resources: [.copy("openapi.yaml")]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Shared", hummingbird,
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "QueueServiceTests",
            dependencies: ["QueueService", "TestSupport", "Shared", .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/QueueServiceTests"
        ),
            .testTarget(
            name: "AccountServiceTests",
            dependencies: [
                "AccountService", "TestSupport", "Shared",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/AccountServiceTests"
        ),
            .testTarget(
            name: "HookGatewayTests",
            dependencies: ["HookGateway", "TestSupport", "Shared", .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/HookGatewayTests"
        ),
            .testTarget(
            name: "SystemTests",
            dependencies: [
                "TestSupport", "Shared",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Tests/SystemTests"
        ),
            .testTarget(
            name: "OBSBridgeTests",
            dependencies: ["OBSBridge", "TestSupport", "Shared"],
            path: "Tests/OBSBridgeTests"
        ),
            .testTarget(
            name: "NotifierTests",
            dependencies: ["Notifier", "TestSupport", "Shared"],
            path: "Tests/NotifierTests"
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: ["Shared", "TestSupport", hummingbird, configuration, .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/SharedTests"
        ),
    ]
)
