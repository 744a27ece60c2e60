import Foundation
import Shared

/// A journal line's record as written: the events, and the state either whole or as the change
/// from the record before. Journals written before changes existed hold only whole states.
struct StoredRecord: Codable, Sendable {
    var events: [QueueEvent]
    var state: QueueState?
    var change: StateChange?

    init(events: [QueueEvent], state: QueueState) {
        self.events = events
        self.state = state
    }

    /// `record` as the change from `previous` where that says it exactly, else whole.
    init(_ record: JournalRecord, after previous: QueueState?) {
        events = record.events
        if let previous, let change = StateChange.between(previous, record.state) {
            self.change = change
        } else {
            state = record.state
        }
    }

    /// The state after this record, given the state after the one before it.
    func state(after previous: QueueState?) throws -> QueueState {
        if let state { return state }
        guard let change else { throw Unreadable(reason: "a record with neither a state nor a change") }
        guard let previous else { throw Unreadable(reason: "a change with no state before it") }
        return try change.applied(to: previous)
    }

    struct Unreadable: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }
}
