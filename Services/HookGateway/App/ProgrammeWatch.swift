import Logging
import ServiceLifecycle

/// Keeps `ProgrammeTracker` true to the ingest when the hooks alone cannot: a gateway that started
/// while OBS was already publishing the programme heard no publish, and a `publish_done` lost in
/// transit would leave a programme "live" forever. So the ingest is asked at start and every
/// `interval`: a programme it lists is taken as published; one it no longer lists, on two reads
/// running, as ended. A failed read changes nothing.
struct ProgrammeWatch: Service {
    let ingest: any IngestStreamStats
    let tracker: ProgrammeTracker
    let feed: ProgrammeFeed
    let interval: Duration
    let clock: any Clock<Duration>
    let logger: Logger

    init(ingest: any IngestStreamStats, tracker: ProgrammeTracker, feed: ProgrammeFeed, interval: Duration, clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.ingest = ingest
        self.tracker = tracker
        self.feed = feed
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var missing = 0
            while !Task.isCancelled {
                missing = await self.look(missingBefore: missing)
                do { try await clock.sleep(for: interval) } catch { return }
            }
        }
    }

    /// One look; returns how many reads running have not listed the programme the tracker holds.
    func look(missingBefore missing: Int) async -> Int {
        let listed: String?
        do {
            listed = try await ingest.publisher(app: feed.app, stream: feed.stream, requestID: nil)
        } catch {
            logger.debug("programme not checked: the ingest could not be read", metadata: ["error": "\(error)"])
            return missing
        }
        let held = tracker.liveClient()
        if let listed, listed != held {
            logger.notice("the programme is published on the ingest: taken as live", metadata: ["client_id": "\(listed)", "app": "\(feed.app)"])
            await tracker.published(clientId: listed, feed: feed)
            return 0
        }
        guard let held, listed == nil else { return 0 }
        // The hook may be a moment ahead of the ingest's own list: only a second read confirms.
        if missing + 1 < 2 { return missing + 1 }
        logger.notice("the programme is no longer on the ingest: taken as ended", metadata: ["client_id": "\(held)", "app": "\(feed.app)"])
        await tracker.ended(clientId: held)
        return 0
    }
}
