import Foundation
import Shared
import Synchronization

/// QueueService's event log as a long poll: a page of what came after the cursor, or — when
/// nothing has — a wait until something is appended (or the poll is cancelled).
final class FakeEventLog: EventLogSource {
    struct PollFailed: Error {}

    private struct State {
        var events: [QueueEvent] = []
        var failures = 0
        var waitingAfter: UInt64?
        var polls = 0
    }

    private let state = Mutex(State())
    private let appended = Wakeup()

    func append(_ events: QueueEvent...) {
        state.withLock { $0.events += events }
        appended.signal()
    }

    /// The next `count` polls fail, as when QueueService is down.
    func failPolls(_ count: Int) {
        state.withLock { $0.failures = count }
    }

    var polls: Int { state.withLock { $0.polls } }

    /// True while a poll after `cursor` waits for news: the reader has handled everything up to it.
    func isWaiting(after cursor: UInt64) -> Bool {
        state.withLock { $0.waitingAfter == cursor }
    }

    func page(after cursor: UInt64, wait: Int) async throws -> EventPage {
        let fails = state.withLock { state in
            state.polls += 1
            guard state.failures > 0 else { return false }
            state.failures -= 1
            return true
        }
        if fails { throw PollFailed() }
        while true {
            let news = state.withLock { state in
                let news = state.events.filter { $0.seq > cursor }
                state.waitingAfter = news.isEmpty ? cursor : nil
                return news
            }
            if let last = news.last { return EventPage(events: news, next: last.seq, truncated: false) }
            guard await appended.wait() else {
                state.withLock { $0.waitingAfter = nil }
                throw CancellationError()
            }
        }
    }
}
