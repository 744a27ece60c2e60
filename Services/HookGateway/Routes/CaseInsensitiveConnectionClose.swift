import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Makes the server close a connection whose request asks it to in any letter case.
///
/// nginx-rtmp sends its notifications as `HTTP/1.0` with `Connection: Close` and reads the reply
/// until the connection closes (reference/protocols.md §2.4). Hummingbird ends a connection only
/// when the request's `Connection` value is exactly `close`, compared before any middleware runs,
/// so with nginx's capital C every publish would wait out nginx's 10 s netcall timeout and be
/// dropped, accepted or not. A response header cannot change that decision; this handler, which
/// Hummingbird places after its HTTP/1 codec and before its connection loop, rewrites the request
/// head so the loop sees the lower-case token that HTTP says is equivalent.
final class CaseInsensitiveConnectionClose: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data), let value = head.headerFields[.connection], value != "close",
            Self.asksToClose(value)
        else {
            context.fireChannelRead(data)
            return
        }
        head.headerFields[.connection] = "close"
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// `Connection` is a comma-separated list of case-insensitive tokens (RFC 9110 §7.6.1).
    static func asksToClose(_ value: String) -> Bool {
        value.split(separator: ",").contains { $0.lowercased().filter { $0 != " " && $0 != "\t" } == "close" }
    }
}
