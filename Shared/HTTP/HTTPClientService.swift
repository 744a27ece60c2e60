import AsyncHTTPClient
import ServiceLifecycle

/// The one outgoing connection pool of a service, shut down with the service.
public struct HTTPClientService: Service {
    public let client: HTTPClient

    /// Keep-alive pools sized for the hook hot path: SRS may fire many hooks at once.
    public init(maximumConnectionsPerHost: Int = 64) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnectionsPerHost)
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(30))
        configuration.decompression = .disabled
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
