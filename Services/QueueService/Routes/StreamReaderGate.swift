import HTTPTypes
import Hummingbird
import Shared

/// Stream names are stream keys, and the internal token is held by every service. So
/// `/internal/v1/state` shows them only to a caller that also sends
/// `X-Stream-Reader-Token: <STREAM_READER_TOKEN>` — OBSBridge, which pulls the lead from them.
/// Without the header the names are blank; a wrong one is refused, so a misconfigured bridge
/// fails loudly instead of pulling nothing.
struct StreamReaderGate: Sendable {
    static let header = HTTPField.Name("X-Stream-Reader-Token")!
    /// Nil when this QueueService was given no `STREAM_READER_TOKEN`: nobody reads stream names.
    let token: Secret?

    /// Whether the request may see stream names.
    func admits(_ request: Request) throws -> Bool {
        guard let presented = request.headers[Self.header] else { return false }
        guard let token, token.matches(presented) else {
            throw APIError(
                .forbidden, code: "stream_reader_token_invalid",
                message: token == nil
                    ? "This QueueService has no STREAM_READER_TOKEN, so it shows stream names to nobody."
                    : "X-Stream-Reader-Token does not match STREAM_READER_TOKEN."
            )
        }
        return true
    }
}
