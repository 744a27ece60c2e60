import Foundation
import NIOCore
import Shared

/// nginx-rtmp's control module (`rtmp_control all`, reference/protocols.md §2.5): a kick is
/// `GET <control>/drop/publisher?app=…&clientid=…`, answered 200 with the number of sessions
/// dropped. The connection number alone names the session; the stream name would add nothing
/// (and after a 3xx rename nginx knows the publisher by another name than its hooks said).
struct NginxRTMPControl: IngestConnections {
    /// `NGINX_RTMP_CONTROL_URL`, without a trailing slash.
    let client: PeerClient
    let app: String

    func kick(clientId: String, requestID: String?) async throws -> KickOutcome {
        // `Validation.clientId` let only letters and digits through, so the id needs no escaping.
        let reply = try await client.get("/drop/publisher?app=\(Self.escaped(app))&clientid=\(clientId)", requestID: requestID)
        guard reply.status == 200 else {
            throw NginxRTMPError(message: "nginx-rtmp's control module answered HTTP \(reply.status) to the drop")
        }
        let text = String(buffer: reply.body).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let dropped = Int(text), dropped >= 0 else {
            throw NginxRTMPError(message: "nginx-rtmp's control module answered \"\(text.prefix(80))\", not a count of dropped sessions")
        }
        return dropped == 0 ? .alreadyGone : .kicked
    }

    private static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

struct NginxRTMPError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
