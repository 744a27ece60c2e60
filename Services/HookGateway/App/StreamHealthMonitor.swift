import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Reads the ingest's numbers for every publisher about every `interval` and reports them to
/// QueueService, which decides whether the lead stalled or runs thin. A failed read sends
/// nothing: QueueService counts the silence as no data arriving, as it must for an ingest that
/// died, rather than be told of streams that only look silent because a list was cut short.
struct StreamHealthMonitor: Service {
    let ingest: any IngestStreamStats
    let queue: any QueueStreamHealth
    let interval: Duration
    let clock: any Clock<Duration>
    /// The reading's time (`read_at`): only orders the reports on QueueService's side.
    let now: @Sendable () -> Date
    let logger: Logger
    /// Where each reading's outcome is kept for `GET /status`.
    var seen: IngestReadings?

    init(
        ingest: any IngestStreamStats, queue: any QueueStreamHealth, interval: Duration,
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = Date.init, logger: Logger
    ) {
        self.ingest = ingest
        self.queue = queue
        self.interval = interval
        self.clock = clock
        self.now = now
        self.logger = logger
    }

    enum Pass: Equatable, Sendable {
        case reported(publishers: Int)
        /// The ingest could not be read in full: nothing was sent.
        case readFailed(reason: String)
        /// QueueService did not take the report; the next reading replaces it.
        case reportFailed(reason: String)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                switch await self.pass() {
                case .reported:
                    if failing { logger.info("stream health reports work again") }
                    failing = false
                case .readFailed(let reason), .reportFailed(let reason):
                    // Once per outage, not every second.
                    logger.log(level: failing ? .debug : .warning, "stream health not reported", metadata: ["reason": "\(reason)"])
                    failing = true
                }
                do { try await clock.sleep(for: interval) } catch { return }
            }
        }
    }

    /// One reading and its report.
    func pass() async -> Pass {
        let requestID = "health-" + URLSafeToken.random(byteCount: 6)
        let publishers: [PublisherHealth]
        let readAt = now()
        do {
            publishers = try await ingest.publishers(requestID: requestID)
        } catch {
            seen?.failed("\(error)", at: readAt)
            return .readFailed(reason: "the ingest's streams: \(error)")
        }
        seen?.read(publishers: publishers.count, at: readAt)
        do {
            try await queue.report(StreamHealthReport(readAt: readAt, publishers: publishers), requestID: requestID)
        } catch {
            return .reportFailed(reason: "QueueService: \(error)")
        }
        return .reported(publishers: publishers.count)
    }
}
