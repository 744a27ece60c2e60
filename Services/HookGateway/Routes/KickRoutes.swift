import Hummingbird
import Shared

/// `POST /internal/v1/kick`: QueueService asks the gateway to disconnect an ingest client.
struct KickRoutes {
    let ingest: any IngestConnections
    /// How the ingest is named in logs and errors ("SRS", "nginx-rtmp").
    let ingestName: String

    /// `{"client_id":"…"}` with a client id of at most 64 bytes; 4 KiB is ample.
    static let maximumBodyBytes = 4 * 1024

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("kick") { request, context -> KickReply in
            var request = request
            do {
                _ = try await request.collectBody(upTo: Self.maximumBodyBytes)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                throw APIError(.contentTooLarge, code: "body_too_large", message: "A kick body is at most \(Self.maximumBodyBytes) bytes.")
            }
            let kick = try await request.decode(as: KickRequest.self, context: context)
            try Validation.clientId(kick.clientId)
            do {
                let outcome = try await ingest.kick(clientId: kick.clientId, requestID: context.requestID)
                context.logger.info("\(ingestName) client kicked", metadata: ["client_id": "\(kick.clientId)", "outcome": "\(outcome.rawValue)"])
                return KickReply(outcome: outcome.rawValue)
            } catch {
                context.logger.error("\(ingestName) kick failed", metadata: ["client_id": "\(kick.clientId)", "error": "\(error)"])
                // The code keeps its SRS-era name whichever ingest is in front: it is wire format.
                throw APIError(.badGateway, code: "srs_kick_failed", message: "\(ingestName) did not confirm the kick: \(error)")
            }
        }
    }
}
