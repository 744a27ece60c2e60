import Foundation
import Logging
import Metrics

/// Something that can ask SRS to disconnect a client (HookGateway, in production).
protocol KickSender: Sendable {
    func kick(clientId: String) async throws
}

/// Carries out the kicks the queue owes, without the queue ever waiting for them: each is sent
/// at once and retried with capped backoff until SRS confirms, or the session is reported gone.
actor KickDispatcher {
    private let sender: any KickSender
    private let logger: Logger
    private var inFlight: Set<String> = []
    private var settled: @Sendable (String) async -> Void = { _ in }
    private var stillOwed: @Sendable (String) async -> Bool = { _ in false }
    private let failures = Counter(label: "queue_kick_failures_total")

    init(sender: any KickSender, logger: Logger) {
        self.sender = sender
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
        var delay: Duration = .milliseconds(250)
        while await stillOwed(clientId) {
            do {
                try await sender.kick(clientId: clientId)
                await settled(clientId)
                return
            } catch {
                failures.increment()
                logger.warning("kick not confirmed; retrying", metadata: ["client_id": "\(clientId)", "retry_in": "\(delay)", "error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
    }
}
