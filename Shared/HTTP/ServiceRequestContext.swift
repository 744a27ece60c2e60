import Foundation
import Hummingbird
import Logging
import NIOCore

/// The request context every service uses: Hummingbird's core storage, the request id that
/// travels on internal calls, and the shared JSON dialect.
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Taken from the caller's `X-Request-Id` when it sent a usable one, otherwise Hummingbird's own.
    public var requestID: String
    /// The peer of the TCP connection (for logs and per-IP limits).
    public let remoteAddress: SocketAddress?
    /// The client a trusted reverse proxy says it forwarded for, where a service believes one.
    public var forwardedClient: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.remoteAddress = source.channel.remoteAddress
    }

    public var requestDecoder: JSONDecoder { JSONCoding.decoder }
    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
    /// Nothing any service accepts is bigger than a signup form; SRS bodies are well under 1 KiB.
    public var maxUploadSize: Int { 64 * 1024 }
}
