import Foundation
import Shared

/// The connections the ingest (SRS or nginx-rtmp) holds, as the gateway needs them: drop one.
protocol IngestConnections: Sendable {
    /// Throws when the ingest did not confirm the kick.
    func kick(clientId: String, requestID: String?) async throws -> KickOutcome
}

enum KickOutcome: String, Sendable {
    case kicked
    /// The ingest no longer knows the client (SRS's code 2049, nginx-rtmp's count 0): it is gone,
    /// which is what a kick wants.
    case alreadyGone = "already_gone"
}

/// SRS's HTTP API, which only the gateway talks to. Errors come back as HTTP 200 with a
/// non-zero `code` (reference/protocols.md §1.6), so the code is what counts.
struct SRSAPI: IngestConnections {
    let client: PeerClient

    private struct Envelope: Decodable {
        var code: Int
    }

    /// `DELETE /api/v1/clients/{id}`.
    func kick(clientId: String, requestID: String?) async throws -> KickOutcome {
        let reply = try await client.delete("/api/v1/clients/\(clientId)", requestID: requestID)
        guard reply.status == 200 else {
            if reply.status == 401 {
                throw SRSAPIError(message: "SRS refused the API credentials (HTTP 401): check SRS_API_USERNAME and SRS_API_PASSWORD")
            }
            throw SRSAPIError(message: "SRS answered HTTP \(reply.status)")
        }
        let code = try reply.decode(Envelope.self).code
        switch code {
        case 0: return .kicked
        case 2049: return .alreadyGone
        default: throw SRSAPIError(message: "SRS refused the kick with code \(code)")
        }
    }

    static func authorization(username: String?, password: Secret?) -> Secret? {
        guard let username, !username.isEmpty else { return nil }
        let pair = "\(username):\(password?.value ?? "")"
        return Secret("Basic \(Data(pair.utf8).base64EncodedString())")
    }
}

struct SRSAPIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension PeerClient {
    /// One page of one of SRS's lists (`/api/v1/clients`, `/api/v1/streams`), or an error that
    /// names what went wrong — the credentials, or the status.
    func srsListPage(_ path: String, start: Int, count: Int, listName: String, requestID: String?) async throws -> Reply {
        let reply = try await get("\(path)?start=\(start)&count=\(count)", requestID: requestID)
        guard reply.status == 200 else {
            if reply.status == 401 {
                throw SRSAPIError(message: "SRS refused the API credentials (HTTP 401): check SRS_API_USERNAME and SRS_API_PASSWORD")
            }
            throw SRSAPIError(message: "SRS answered HTTP \(reply.status) to the \(listName)")
        }
        return reply
    }
}
