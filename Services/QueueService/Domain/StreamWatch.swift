import Foundation
import Shared

/// What the machine remembers of the ingest's readings between health reports: per open
/// session, its last counters and when they last grew. Not journaled — counters move every few
/// seconds, and after a restart the next reports rebuild it; what it decided (a stall, a low
/// bitrate) is in the journaled state.
struct StreamWatch: Equatable, Sendable {
    /// By client id; only sessions the queue holds open.
    var progress: [String: StreamProgress] = [:]
    /// The gateway's `read_at` of the last report taken: an older one arriving late is ignored.
    var lastReadAt: Date?
}

/// One session's counters at its last reading.
struct StreamProgress: Equatable, Sendable {
    var bytesReceived: UInt64?
    var frames: UInt64?
    var kbps: Double?
    /// When a reading last showed data arriving; nil while none did in this run.
    var lastProgressAt: Date?

    /// The first reading of a session counts as data arriving, unless `assumeSilent` (the lead
    /// is already stalled: a restart of QueueService must not make a dead stream look alive).
    init(first reading: PublisherHealth, now: Date, assumeSilent: Bool) {
        bytesReceived = reading.bytesReceived
        frames = reading.frames
        kbps = reading.kbps
        lastProgressAt = assumeSilent ? nil : now
    }

    /// A counter that changed is data arriving (one that went back means the ingest started
    /// counting again, which a publisher only causes by sending).
    func updated(by reading: PublisherHealth, now: Date) -> StreamProgress {
        func moved(_ old: UInt64?, _ new: UInt64?) -> Bool {
            guard let new else { return false }
            return old.map { $0 != new } ?? true
        }
        var next = self
        if moved(bytesReceived, reading.bytesReceived) || moved(frames, reading.frames) {
            next.lastProgressAt = now
        }
        next.bytesReceived = reading.bytesReceived ?? bytesReceived
        next.frames = reading.frames ?? frames
        next.kbps = reading.kbps
        return next
    }
}
