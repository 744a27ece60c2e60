import HTTPTypes
import Hummingbird
import NIOCore
import Shared

extension ServiceRequestContext {
    /// Who is knocking, for the attempt limits: the TCP peer's address (or, behind a trusted
    /// proxy, the client it forwarded for), or for IPv6 its /64 (one host commonly holds a whole
    /// /64, so single addresses would be free for the asking).
    var client: String {
        guard let address = forwardedClient ?? remoteAddress?.ipAddress, let bytes = TrustedProxies.bytes(of: address) else {
            return remoteAddress?.ipAddress ?? "?"
        }
        return bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : bytes[0..<8].hexString + "::/64"
    }
}

/// Believes `X-Forwarded-For` from the trusted proxies only (`TRUSTED_PROXIES`).
struct ForwardedClientMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let proxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !proxies.networks.isEmpty, let peer = context.remoteAddress?.ipAddress else { return try await next(request, context) }
        var context = context
        context.forwardedClient = proxies.client(peer: peer, forwardedFor: request.headers[values: .xForwardedFor].joined(separator: ","))
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
