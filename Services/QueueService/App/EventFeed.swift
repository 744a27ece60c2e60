import Foundation
import ServiceLifecycle
import Shared

/// The committed event log as consumers see it: recent events in memory, and long-poll
/// waiters that wake the moment a newer event is committed.
actor EventFeed {
    private var events: RecentEvents
    private(set) var lastSeq: UInt64
    private let clock: any Clock<Duration>
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    /// Names the next waiter, for its cancellation: a count, because a `UUID` on Linux opens,
    /// reads and closes /dev/urandom, and a busy queue wakes its pollers after every commit.
    private var nextWaiter: UInt64 = 0
    /// Set at shutdown: long polls and event streams end instead of holding the server open.
    private(set) var isClosed = false

    init(events: [QueueEvent], lastSeq: UInt64, retained: Int = 10_000, clock: any Clock<Duration> = ContinuousClock()) {
        self.events = RecentEvents(events, capacity: retained)
        self.lastSeq = lastSeq
        self.clock = clock
    }

    func append(_ newEvents: [QueueEvent]) {
        guard let last = newEvents.last else { return }
        events.append(contentsOf: newEvents)
        lastSeq = last.seq
        let woken = waiters
        waiters.removeAll()
        for waiter in woken.values {
            waiter.resume()
        }
    }

    func close() {
        isClosed = true
        let woken = waiters
        waiters.removeAll()
        woken.values.forEach { $0.resume() }
    }

    /// Events after `seq`, at most `limit`. Returns at once when there are some; otherwise waits
    /// up to `wait` for the next commit.
    func page(after seq: UInt64, wait: Duration, limit: Int) async -> EventPage {
        if lastSeq <= seq && wait > .zero && !isClosed {
            // A graceful shutdown closes the feed, so waiting polls and streams let the server stop
            // (it waits for open requests before anything else shuts down).
            await withGracefulShutdownHandler {
                _ = await firstWithin(wait, clock: clock) { await self.waitForEvent(after: seq) }
            } onGracefulShutdown: {
                Task { await self.close() }
            }
        }
        return page(after: seq, limit: limit)
    }

    func page(after seq: UInt64, limit: Int) -> EventPage {
        if seq > lastSeq {
            // The consumer is ahead of this log (its cursor outlived a reset journal): start over.
            return EventPage(events: [], next: lastSeq, truncated: true)
        }
        let firstRetained = events.first?.seq ?? lastSeq + 1
        let truncated = seq + 1 < firstRetained && seq < lastSeq
        let page = Array(events.after(seq, limit: limit))
        return EventPage(events: page, next: page.last?.seq ?? seq, truncated: truncated)
    }

    private func waitForEvent(after seq: UInt64) async {
        nextWaiter += 1
        let id = nextWaiter
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if lastSeq > seq || Task.isCancelled || isClosed {
                    continuation.resume()
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
