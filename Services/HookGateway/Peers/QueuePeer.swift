import Shared

/// What QueueService says about a publish: does it go on air or wait, and where is it forwarded.
protocol QueuePublishes: Sendable {
    func publish(_ request: PublishRequest, requestID: String) async throws -> PublishReply
    func forwardTargets(clientId: String, requestID: String) async throws -> [String]
}

/// Where the closed SRS sessions go. Throws when QueueService did not take the close.
protocol QueueSessions: Sendable {
    func close(_ request: SessionCloseRequest, requestID: String?) async throws
}

/// The SRS sessions QueueService holds open, for reconciling them with the ingest.
protocol QueueOpenSessions: Sendable {
    func openSessions(requestID: String?) async throws -> [OpenSessionsReply.Session]
}

/// Where the broadcast's start and end are journaled (and so announced).
protocol QueueBroadcasts: Sendable {
    func broadcast(_ change: BroadcastChange, requestID: String?) async throws
}

/// QueueService over HTTP.
struct QueuePeer: QueuePublishes, QueueSessions, QueueOpenSessions, QueueBroadcasts {
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

    func openSessions(requestID: String?) async throws -> [OpenSessionsReply.Session] {
        let reply = try await client.get("/internal/v1/sessions", requestID: requestID)
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
        return try reply.decode(OpenSessionsReply.self).sessions
    }

    func forwardTargets(clientId: String, requestID: String) async throws -> [String] {
        let reply = try await client.get("/internal/v1/forward?client_id=\(clientId)", requestID: requestID)
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
        return try reply.decode(ForwardReply.self).urls
    }

    func broadcast(_ change: BroadcastChange, requestID: String?) async throws {
        let reply = try await client.post("/internal/v1/broadcast", json: change, requestID: requestID)
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
    }
}
