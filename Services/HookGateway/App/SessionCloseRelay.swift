import Logging
import ServiceLifecycle
import Shared

/// Delivers "this SRS session closed" to QueueService even when it is briefly down. SRS sends
/// each close once and ignores our answer, so a lost close would leave a ghost in the queue;
/// failed deliveries are retried with backoff until they land or grow too old to matter.
actor SessionCloseRelay: Service {
    static let backoff = Backoff(base: .milliseconds(250), cap: .seconds(30), jitter: false)
    static let maximumAge: Duration = .seconds(600)

    private let queue: any QueueSessions
    private let clock: any Clock<Duration>
    private let logger: Logger
    /// Time on `clock` since the relay was made: an `any Clock`'s instants cannot be kept and compared.
    private let elapsed: @Sendable () -> Duration
    private let wakeup = Wakeup()
    private var undelivered: [String: (request: SessionCloseRequest, firstFailure: Duration)] = [:]

    init(queue: any QueueSessions, clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.queue = queue
        self.clock = clock
        self.logger = logger
        elapsed = Self.stopwatch(on: clock)
    }

    func deliver(_ request: SessionCloseRequest, requestID: String) async {
        do {
            try await queue.close(request, requestID: requestID)
        } catch {
            logger.warning("QueueService missed a session close; will retry", metadata: ["client_id": "\(request.clientId)", "error": "\(error)"])
            undelivered[request.clientId] = (request, elapsed())
            wakeup.signal()
        }
    }

    /// A close the ingest will never send: a publish the gateway refused because QueueService did
    /// not answer may still be taken there late. Owed from now, it undoes that publish (or, landing
    /// first, makes QueueService refuse it), and is retried like any undelivered close.
    func owe(_ request: SessionCloseRequest) {
        undelivered[request.clientId] = (request, elapsed())
        wakeup.signal()
    }

    /// A new publish on the same SRS connection supersedes an older close still waiting.
    func forget(clientId: String) {
        undelivered[clientId] = nil
    }

    func run() async throws {
        // Cancelled (not merely told) on shutdown: a retry sleeping its backoff while QueueService
        // is gone would otherwise hold the gateway's exit for up to 30 s.
        await cancelWhenGracefulShutdown { await self.retryWhileUndelivered() }
        if !undelivered.isEmpty {
            logger.warning("stopping with session closes QueueService never took", metadata: ["count": "\(undelivered.count)"])
        }
    }

    private func retryWhileUndelivered() async {
        var attempt = 0
        while await wakeup.wait() {
            while !undelivered.isEmpty {
                do { try await clock.sleep(for: Self.backoff.delay(attempt: attempt)) } catch { return }
                attempt = await retryAll() ? 0 : attempt + 1
            }
        }
    }

    /// True when everything was delivered.
    private func retryAll() async -> Bool {
        for (clientId, entry) in undelivered {
            if elapsed() - entry.firstFailure > Self.maximumAge {
                logger.error("giving up on a session close QueueService never took", metadata: ["client_id": "\(clientId)"])
                undelivered[clientId] = nil
                continue
            }
            do {
                try await queue.close(entry.request, requestID: nil)
                undelivered[clientId] = nil
                logger.info("late session close delivered", metadata: ["client_id": "\(clientId)"])
            } catch {
                return false
            }
        }
        return undelivered.isEmpty
    }

    private static func stopwatch<C: Clock<Duration>>(on clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }
}
