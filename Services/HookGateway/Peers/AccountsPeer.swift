import Shared

/// AccountService, as the gateway needs it: whose key is this?
struct AccountsPeer: Sendable {
    let client: PeerClient

    /// The key's owner, or nil when no active account has it. Throws when AccountService does not answer.
    func publisher(forStreamKey key: String, requestID: String) async throws -> VerifiedPublisher? {
        let reply = try await client.post("/internal/v1/stream-keys/verify", json: StreamKeyVerificationRequest(streamKey: key), requestID: requestID)
        switch reply.status {
        case 200: return try reply.decode(VerifiedPublisher.self)
        case 404: return nil
        default: throw PeerError.unexpected(client, reply)
        }
    }
}

/// QueueService, as the gateway needs it: publish, close, forward targets.
struct QueuePeer: Sendable {
    let client: PeerClient

    func publish(_ request: PublishRequest, requestID: String) async throws -> PublishReply {
        let reply = try await client.post("/internal/v1/publish", json: request, requestID: requestID)
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
        return try reply.decode(PublishReply.self)
    }

    func close(_ request: SessionCloseRequest, requestID: String?) async throws {
        let reply = try await client.post("/internal/v1/unpublish", json: request, requestID: requestID)
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
    }

    func forwardTargets(clientId: String, requestID: String) async throws -> [String] {
        let reply = try await client.get("/internal/v1/forward?client_id=\(clientId)", requestID: requestID)
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
        return try reply.decode(ForwardReply.self).urls
    }
}
