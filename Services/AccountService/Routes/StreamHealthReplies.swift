import Foundation
import Hummingbird
import Shared

/// What the pages' stream-health polls get: JSON, and errors in the API's envelope rather than a
/// login redirect or an HTML page, because a script reads them every two seconds.
enum StreamHealthReplies {
    static let loggedOut = APIError(.unauthorized, code: "not_logged_in", message: "Log in again to see your stream's health.")
    static let adminsOnly = APIError(.forbidden, code: "admins_only", message: "Every DJ's stream health is for the collective's admins.")

    /// QueueService's reading of the lineup, or only `userId`'s; a QueueService that does not
    /// answer is a 503 the panel shows, not a 500.
    static func lineup(_ queue: QueueDesk, of userId: UUID?, _ context: ServiceRequestContext) async throws -> LineupHealth {
        do {
            return try await queue.lineupHealth(of: userId, requestID: context.requestID)
        } catch {
            context.logger.warning("QueueService did not give the stream health", metadata: ["error": "\(error)"])
            throw APIError.unavailable("Stream health is unavailable right now: the queue did not answer.", code: "queue_unavailable")
        }
    }

    /// Someone's own numbers: never stored by a browser or a proxy.
    static func json(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encode(value)))
        )
    }
}

/// `GET /admin/queue/health`: every DJ in the lineup, the lead first, with their stream's health.
struct NightStreams: Codable, Sendable, Equatable {
    struct DJ: Codable, Sendable, Equatable {
        var userId: UUID
        var djName: String
        var position: Int
        /// "On air", or the place in the line ("#2").
        var place: String
        var health: StreamHealthPanel
    }

    var djs: [DJ]

    init(_ lineup: LineupHealth) {
        djs = lineup.djs.map { dj in
            DJ(userId: dj.userId, djName: dj.djName, position: dj.position, place: dj.position == 0 ? "On air" : "#\(dj.position)", health: StreamHealthPanel(dj))
        }
    }
}
