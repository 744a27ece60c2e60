import Logging
import Shared

/// Tells QueueService when the broadcast goes live and ends (journaled there as
/// `broadcast.started` / `broadcast.ended`, which Notifier announces). Only changes are sent,
/// each retried with capped backoff until QueueService takes it or a newer change replaces it —
/// the hook that caused it never waits for the delivery.
actor BroadcastAnnouncer: BroadcastReporting {
    private let queue: any QueueBroadcasts
    /// `programme` or `lead`: what goes out.
    private let source: String
    private let clock: any Clock<Duration>
    private let backoff: Backoff
    private let logger: Logger
    private var live = false
    private var delivery: Task<Void, Never>?

    init(
        queue: any QueueBroadcasts, source: String, clock: any Clock<Duration> = ContinuousClock(),
        backoff: Backoff = Backoff(base: .milliseconds(500), cap: .seconds(30)), logger: Logger
    ) {
        self.queue = queue
        self.source = source
        self.clock = clock
        self.backoff = backoff
        self.logger = logger
    }

    func isLive() -> Bool {
        live
    }

    func report(live: Bool) {
        guard live != self.live else { return }
        self.live = live
        logger.notice(live ? "broadcast live" : "broadcast ended", metadata: ["source": "\(source)"])
        delivery?.cancel()
        let change = BroadcastChange(live: live, source: source)
        delivery = Task { [queue, clock, backoff, logger] in
            var attempt = 0
            while !Task.isCancelled {
                do {
                    try await queue.broadcast(change, requestID: nil)
                    return
                } catch {
                    logger.warning("QueueService did not take the broadcast change; retrying", metadata: ["live": "\(change.live)", "error": "\(error)"])
                }
                try? await clock.sleep(for: backoff.delay(attempt: attempt))
                attempt += 1
            }
        }
    }
}
