import Shared

/// Whose stream key is this? The one question the gateway asks AccountService.
protocol StreamKeyOwners: Sendable {
    /// The key's owner, or nil when no active account has it. Throws when the answer does not come.
    func publisher(forStreamKey key: String, requestID: String) async throws -> VerifiedPublisher?
}

/// AccountService over HTTP.
struct AccountsPeer: StreamKeyOwners {
    let client: PeerClient

    func publisher(forStreamKey key: String, requestID: String) async throws -> VerifiedPublisher? {
        let reply = try await client.post("/internal/v1/stream-keys/verify", json: StreamKeyVerificationRequest(streamKey: key), requestID: requestID)
        switch reply.status {
        case 200: return try reply.decode(VerifiedPublisher.self)
        case 404: return nil
        default: throw PeerError.unexpected(client, reply)
        }
    }
}
