import Logging

/// Where the queue's event log is read from: QueueService's long-poll in production, a fake in
/// the unit tests of the services that follow it.
public protocol EventLogSource: Sendable {
    /// Events after `cursor`, waiting up to `wait` seconds for one to arrive.
    func page(after cursor: UInt64, wait: Int) async throws -> EventPage
}

/// The one loop that follows the event log: long-poll, hand each page with news to the caller,
/// continue from where the caller says, and back off (on the injected clock) while the log
/// cannot be read. OBSBridge's queue follower and each of Notifier's webhooks run one.
public struct EventLogFollower: Sendable {
    public enum Next: Sendable, Equatable {
        case continueAfter(UInt64)
        case stop
    }

    let source: any EventLogSource
    let backoff: Backoff
    let clock: any Clock<Duration>
    let wait: Int
    let logger: Logger

    public init(
        source: any EventLogSource, backoff: Backoff = Backoff(base: .milliseconds(250), cap: .seconds(10)),
        clock: any Clock<Duration> = ContinuousClock(), wait: Int = 25, logger: Logger
    ) {
        self.source = source
        self.backoff = backoff
        self.clock = clock
        self.wait = wait
        self.logger = logger
    }

    /// Runs until cancelled or until `handle` says stop. `reachable` hears nil after every page
    /// read and the error after every failure; an error `handle` throws is retried like a failed read.
    public func follow(
        after start: UInt64,
        reachable: @Sendable (String?) async -> Void = { _ in },
        handle: @Sendable (EventPage) async throws -> Next
    ) async {
        var cursor = start
        var failures = 0
        while !Task.isCancelled {
            do {
                let page = try await source.page(after: cursor, wait: wait)
                await reachable(nil)
                failures = 0
                guard !page.events.isEmpty || page.truncated || page.next != cursor else { continue }
                switch try await handle(page) {
                case .continueAfter(let next): cursor = next
                case .stop: return
                }
            } catch {
                if Task.isCancelled { return }
                await reachable("\(error)")
                if failures == 0 { logger.warning("QueueService events unavailable; retrying", metadata: ["error": "\(error)"]) }
                do {
                    try await clock.sleep(for: backoff.delay(attempt: failures))
                } catch {
                    return
                }
                failures += 1
            }
        }
    }
}

/// QueueService's event log over HTTP.
public struct QueueEventLog: EventLogSource {
    let queue: PeerClient

    public init(queue: PeerClient) {
        self.queue = queue
    }

    public func page(after cursor: UInt64, wait: Int) async throws -> EventPage {
        let reply = try await queue.get("/internal/v1/events?after=\(cursor)&wait=\(wait)", timeout: .seconds(Int64(wait + 10)))
        guard reply.status == 200 else { throw PeerError.unexpected(queue, reply) }
        return try reply.decode(EventPage.self)
    }
}
