import Shared

/// The last `capacity` committed events, oldest first, as the journal and the feed keep them.
///
/// Trimming waits until a quarter of the capacity is over, then drops the excess in one move:
/// dropping one event per commit from the front of a full 10,000-event array moved the whole
/// array every time. Lookups by sequence number are a binary search, since every consumer's
/// long poll asks "what came after n" and a linear scan of the window was 12 % of QueueService's
/// samples under publish churn.
struct RecentEvents: Sendable {
    let capacity: Int
    private var storage: [QueueEvent]

    init(_ events: [QueueEvent] = [], capacity: Int) {
        self.capacity = max(capacity, 1)
        self.storage = Array(events.suffix(self.capacity))
    }

    /// At most `capacity` events, oldest first.
    var events: ArraySlice<QueueEvent> { storage.suffix(capacity) }
    var first: QueueEvent? { events.first }
    var count: Int { events.count }

    mutating func append(contentsOf newEvents: [QueueEvent]) {
        storage.append(contentsOf: newEvents)
        if storage.count > capacity + capacity / 4 {
            storage.removeFirst(storage.count - capacity)
        }
    }

    /// Up to `limit` events with a sequence number above `seq`, oldest first.
    func after(_ seq: UInt64, limit: Int) -> ArraySlice<QueueEvent> {
        let window = events
        var low = window.startIndex
        var high = window.endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if window[middle].seq > seq { high = middle } else { low = middle + 1 }
        }
        return window[low..<(window.index(low, offsetBy: max(limit, 0), limitedBy: window.endIndex) ?? window.endIndex)]
    }
}
