import Foundation
import Shared

/// One turn that should be being recorded now.
struct RecordingJob: Sendable, Equatable {
    /// A turn is its DJ and the moment it started: the same lead after a reconnect is the same
    /// turn. The programme has no DJ: its key is the moment it was published.
    struct TurnKey: Sendable, Hashable {
        var userId: UUID?
        var turnStartedAt: Date
    }

    var key: TurnKey
    var djName: String
    /// The `turn.started` event's seq: the turn's number in the queue's history; nil for the programme.
    var turn: UInt64?
    /// Where to pull from: the ingest app and stream (the stream name is the DJ's key, so this
    /// never leaves the recorder's memory).
    var app: String
    var stream: String

    func pullURL(template: String) -> String {
        template.replacingOccurrences(of: "{app}", with: app).replacingOccurrences(of: "{stream}", with: stream)
    }
}

/// The next DJ's stream, pulled ahead of their turn so the turn's recording starts with it.
struct StandbyJob: Sendable, Equatable {
    var userId: UUID
    var djName: String
    var app: String
    var stream: String

    func pullURL(template: String) -> String {
        template.replacingOccurrences(of: "{app}", with: app).replacingOccurrences(of: "{stream}", with: stream)
    }

    /// Whether this pre-roll is of the stream the turn will pull.
    func matches(_ job: RecordingJob) -> Bool {
        job.key.userId == userId && job.app == app && job.stream == stream
    }
}

/// The turns' numbers as the event log tells them: each `turn.started` event's seq, by DJ and start.
struct TurnNumbers: Sendable, Equatable {
    private var known: [(userId: UUID, startedAt: Date, seq: UInt64)] = []
    /// Enough for every turn a recorder could still be on; older ones are forgotten.
    static let remembered = 32

    mutating func learn(_ events: [QueueEvent]) {
        for event in events where event.type == .turnStarted {
            guard let userId = event.payload.userId, let startedAt = event.payload.startedAt else { continue }
            known.append((userId, startedAt, event.seq))
        }
        if known.count > Self.remembered { known.removeFirst(known.count - Self.remembered) }
    }

    /// The seq of the turn's `turn.started`, or `fallback` (the state's seq) for a turn that began
    /// before the log was followed: still unique, and later than every turn before it.
    func number(userId: UUID, startedAt: Date, fallback: UInt64) -> UInt64 {
        known.last { $0.userId == userId && abs($0.startedAt.timeIntervalSince(startedAt)) < 0.01 }?.seq ?? fallback
    }

    static func == (lhs: TurnNumbers, rhs: TurnNumbers) -> Bool {
        lhs.known.map(\.seq) == rhs.known.map(\.seq)
    }
}

enum RecordingPlan {
    /// The lead's turn, while they are on air with a session to pull. A lead in their reconnect
    /// grace has nothing to pull: the recording pauses and their return continues it as a new part.
    static func jobs(state: InternalQueueState, numbers: TurnNumbers) -> [RecordingJob] {
        guard let lead = state.lead, let startedAt = lead.turnStartedAt, lead.graceEndsAt == nil, let session = lead.sessions.first else {
            return []
        }
        let turn = numbers.number(userId: lead.userId, startedAt: startedAt, fallback: state.seq)
        return [RecordingJob(
            key: .init(userId: lead.userId, turnStartedAt: startedAt), djName: lead.djName, turn: turn, app: session.app, stream: session.stream
        )]
    }

    /// The DJ up next, captured before their turn (`TurnRecorder`'s pre-roll): a capture that joins
    /// a live stream only when the turn starts loses the turn's first second or two (measured
    /// 1.0–1.8 s) to the event's delivery, ffmpeg's start and the wait for a keyframe. Only while
    /// someone leads (else the next publish starts a turn at once) and the next DJ is connected.
    static func standby(state: InternalQueueState) -> StandbyJob? {
        guard state.lead != nil, let next = state.waiting.first, next.graceEndsAt == nil, let session = next.sessions.first else { return nil }
        return StandbyJob(userId: next.userId, djName: next.djName, app: session.app, stream: session.stream)
    }

    /// The whole programme while it is published (`RECORD_PROGRAMME`), from `since`, when it was.
    static func programme(_ feed: ProgrammeFeed?, since: Date) -> RecordingJob? {
        feed.map { RecordingJob(key: .init(userId: nil, turnStartedAt: since), djName: programmeName, turn: nil, app: $0.app, stream: $0.stream) }
    }

    /// What a programme recording is called in listings and file names.
    static let programmeName = "Programme"

    /// The recordings past `RECORDING_RETENTION_DAYS` (by when they ended, or began if they never
    /// closed); none when `days` is 0.
    static func expired(_ recordings: [RecordingView], now: Date, days: Int) -> [RecordingView] {
        guard days > 0 else { return [] }
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        return recordings.filter { ($0.endedAt ?? $0.startedAt) < cutoff }
    }

    /// Whether there is room to record: `free` nil (the disk cannot be asked) counts as no room,
    /// so a recorder never fills a disk it cannot see.
    static func hasRoom(free: UInt64?, minimum: UInt64) -> Bool {
        guard let free else { return false }
        return free >= minimum
    }
}
