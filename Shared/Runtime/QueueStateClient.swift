/// QueueService's current state, as the services that follow the queue read it after news
/// arrives (OBSBridge: who to put on the programme; Notifier: "up next", the log's head).
public protocol QueueStateReading: Sendable {
    /// `timeout` nil means the peer's default.
    func state(timeout: Duration?) async throws -> InternalQueueState
}

/// `GET /internal/v1/state` over HTTP.
public struct QueueStateClient: QueueStateReading {
    let queue: PeerClient

    public init(queue: PeerClient) {
        self.queue = queue
    }

    public func state(timeout: Duration? = nil) async throws -> InternalQueueState {
        let reply = try await queue.get("/internal/v1/state", timeout: timeout)
        guard reply.status == 200 else { throw PeerError.unexpected(queue, reply) }
        return try reply.decode(InternalQueueState.self)
    }
}
