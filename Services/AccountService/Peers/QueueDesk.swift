import Foundation
import Shared

/// QueueService, as the web app needs it: take a deleted or deactivated account out of the queue
/// (QueueService also kicks its encoder), run the admins' actions with their own session
/// (QueueService checks the admin role and audits it), and read the lineup's stream health.
struct QueueDesk: Sendable {
    let client: PeerClient

    func forget(userId: UUID, requestID: String) async throws {
        let reply = try await client.post("/internal/v1/users/forget", json: ForgetUserRequest(userId: userId), requestID: requestID)
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
    }

    /// An admin route of QueueService, with the admin's session token; returns nil on success or the refusal.
    func admin(_ path: String, body: Data?, token: String, requestID: String) async -> String? {
        do {
            let reply = try await client.authorized(by: Secret("Bearer \(token)"))
                .send(.POST, path, body: body, requestID: requestID, timeout: nil)
            guard reply.status == 200 else {
                let message = (try? JSONCoding.decode(APIError.Body.self, from: Data(buffer: reply.body)).error.message) ?? "QueueService answered \(reply.status)"
                return message
            }
            return nil
        } catch {
            return "QueueService did not answer: \(error)"
        }
    }

    /// Every connected DJ's stream health, or with `userId` only theirs: QueueService then
    /// answers nothing about anyone else.
    func lineupHealth(of userId: UUID?, requestID: String) async throws -> LineupHealth {
        let path = "/internal/v1/stream-health" + (userId.map { "?user_id=\($0.uuidString)" } ?? "")
        // Shorter than the pages' poll, so a hung QueueService never piles polls up.
        let reply = try await client.get(path, requestID: requestID, timeout: .seconds(2))
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
        return try reply.decode(LineupHealth.self)
    }

    func get<T: Decodable>(_ path: String, as type: T.Type) async -> T? {
        guard let reply = try? await client.get(path), reply.status == 200 else { return nil }
        return try? reply.decode(type)
    }
}
