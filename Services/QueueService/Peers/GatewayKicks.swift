import Shared

/// Kicks go through HookGateway, the only service that talks to SRS.
struct GatewayKicks: KickSender {
    let client: PeerClient

    func kick(clientId: String) async throws {
        let reply = try await client.post("/internal/v1/kick", json: KickRequest(clientId: clientId))
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
    }
}
