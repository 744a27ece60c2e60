import Foundation
import Shared

/// One durable step: the events a batch of commands produced and the state after them.
struct JournalRecord: Codable, Sendable, Equatable {
    var events: [QueueEvent]
    var state: QueueState
}

/// What the journal held at start.
struct JournalContents: Sendable {
    /// The state after the last record, or nil for a new journal.
    var state: QueueState?
    /// The most recent events, oldest first.
    var events: [QueueEvent]
}

/// Where QueueService makes its changes durable. `append` returns only once the record
/// would survive a power cut; a record that was not acknowledged may be lost, never one that was.
/// It throws only when the record was not made durable, so the engine may refuse and roll back
/// the commands behind it (their sequence numbers are then free to be used again).
protocol QueueJournal: Sendable {
    func load() throws -> JournalContents
    func append(_ record: JournalRecord) async throws
}

enum JournalError: Error, CustomStringConvertible {
    case corrupted(path: String, line: Int, reason: String)
    case io(path: String, operation: String, errno: Int32)
    case sealing(String)
    /// The journal stopped taking writes: going on could have lost acknowledged ones.
    case stopped(String)

    var description: String {
        switch self {
        case .corrupted(let path, let line, let reason):
            "the queue journal \(path) is damaged at line \(line) (\(reason)); refusing to start rather than lose the queue. Restore it from a backup or move it aside to start empty."
        case .io(let path, let operation, let errno):
            "\(operation) failed on \(path): \(String(cString: strerror(errno)))"
        case .sealing(let reason):
            "stream-name sealing failed: \(reason)"
        case .stopped(let reason):
            "the queue journal stopped taking writes: \(reason)"
        }
    }
}
