import Logging
import Metrics
import Shared

/// Something that can ask SRS to disconnect a client (HookGateway, in production).
protocol KickSender: Sendable {
    func kick(clientId: String) async throws
}

/// Carries out the kicks the queue owes, without the queue ever waiting for them: each is sent
/// at once and retried with capped backoff until SRS confirms, or the session is reported gone.
actor KickDispatcher {
    /// Without jitter: only this service retries these kicks, against the one HookGateway.
    static let retryBackoff = Backoff(base: .milliseconds(250), cap: .seconds(30), jitter: false)

    private let sender: any KickSender
    private let clock: any Clock<Duration>
    private let logger: Logger
    private var inFlight: Set<String> = []
    private var settled: @Sendable (String) async -> Void = { _ in }
    private var stillOwed: @Sendable (String) async -> Bool = { _ in false }
    private let failures = Counter(label: "queue_kick_failures_total")

    init(sender: any KickSender, clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.sender = sender
        self.clock = clock
        self.logger = logger
    }

    func connect(settled: @escaping @Sendable (String) async -> Void, stillOwed: @escaping @Sendable (String) async -> Bool) {
        self.settled = settled
        self.stillOwed = stillOwed
    }

    func dispatch(_ clientIds: [String]) {
        for clientId in clientIds where !inFlight.contains(clientId) {
            inFlight.insert(clientId)
            Task { await self.kickUntilSettled(clientId) }
        }
    }

    private func kickUntilSettled(_ clientId: String) async {
        defer { inFlight.remove(clientId) }
        var attempt = 0
        while await stillOwed(clientId) {
            do {
                try await sender.kick(clientId: clientId)
                await settled(clientId)
                return
            } catch {
                let delay = Self.retryBackoff.delay(attempt: attempt)
                attempt += 1
                failures.increment()
                logger.warning("kick not confirmed; retrying", metadata: ["client_id": "\(clientId)", "retry_in": "\(delay)", "error": "\(error)"])
                try? await clock.sleep(for: delay)
            }
        }
    }
}
