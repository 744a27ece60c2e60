import Hummingbird
import Shared

/// `POST /internal/v1/kick`: QueueService asks the gateway to disconnect an SRS client.
struct KickRoutes {
    let srs: any SRSConnections

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("kick") { request, context -> KickReply in
            let kick = try await request.decode(as: KickRequest.self, context: context)
            try Validation.clientId(kick.clientId)
            do {
                let outcome = try await srs.kick(clientId: kick.clientId, requestID: context.requestID)
                context.logger.info("SRS client kicked", metadata: ["client_id": "\(kick.clientId)", "outcome": "\(outcome.rawValue)"])
                return KickReply(outcome: outcome.rawValue)
            } catch {
                context.logger.error("SRS kick failed", metadata: ["client_id": "\(kick.clientId)", "error": "\(error)"])
                throw APIError(.badGateway, code: "srs_kick_failed", message: "SRS did not confirm the kick: \(error)")
            }
        }
    }
}
