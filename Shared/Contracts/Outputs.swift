import Foundation

/// Where the broadcast goes out to (`/api/v1/admin/outputs` on HookGateway): a platform's RTMP
/// ingest and its stream key. `POST` takes every field but `enabled` (default true); `PATCH` any.
public struct OutputTargetInput: Codable, Sendable, Equatable {
    public var name: String?
    public var url: String?
    public var streamKey: String?
    public var enabled: Bool?

    public init(name: String? = nil, url: String? = nil, streamKey: String? = nil, enabled: Bool? = nil) {
        self.name = name
        self.url = url
        self.streamKey = streamKey
        self.enabled = enabled
    }
}

/// How a target's relay is doing.
public enum OutputState: String, Codable, Sendable, Equatable {
    /// The relay is sending and its progress moves.
    case live
    /// The relay was started (or restarted) and has not sent yet.
    case connecting
    /// The relay exited or stalled; it is retried after `retryInSeconds`.
    case failing
    /// Disabled, or nothing to send (the source is not live).
    case off
}

/// A target as it reads back: the stream key only as `keyHint`, its masked tail.
public struct OutputTargetView: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var url: String
    public var keyHint: String
    public var enabled: Bool
    public var state: OutputState
    public var lastError: String?
    public var retryInSeconds: Double?
    /// Outgoing bitrate from the relay's own progress output.
    public var kbps: Double?
    public var uptimeSeconds: Double?

    public init(
        id: UUID, name: String, url: String, keyHint: String, enabled: Bool, state: OutputState,
        lastError: String? = nil, retryInSeconds: Double? = nil, kbps: Double? = nil, uptimeSeconds: Double? = nil
    ) {
        self.id = id
        self.name = name
        self.url = url
        self.keyHint = keyHint
        self.enabled = enabled
        self.state = state
        self.lastError = lastError
        self.retryInSeconds = retryInSeconds
        self.kbps = kbps
        self.uptimeSeconds = uptimeSeconds
    }
}

/// `GET /api/v1/admin/outputs`: what goes out, from where, to whom.
public struct OutputsOverview: Codable, Sendable, Equatable {
    /// `programme` (OBS's output published to `OUTPUT_APP`) or `lead` (the lead's own stream).
    public var source: String
    /// Whether the source is live now (the programme published, or a lead on air).
    public var sourceLive: Bool
    public var targets: [OutputTargetView]

    public init(source: String, sourceLive: Bool, targets: [OutputTargetView]) {
        self.source = source
        self.sourceLive = sourceLive
        self.targets = targets
    }
}

/// `POST /internal/v1/broadcast` on QueueService (from HookGateway): the broadcast went live or
/// ended, journaled as `broadcast.started` / `broadcast.ended` for Notifier to announce.
public struct BroadcastChange: Codable, Sendable, Equatable {
    public var live: Bool
    /// `programme` or `lead`.
    public var source: String

    public init(live: Bool, source: String) {
        self.live = live
        self.source = source
    }
}

/// One recorded turn (`/internal/v1/recordings` on HookGateway; AccountService shows them).
public struct RecordingView: Codable, Sendable, Equatable {
    /// Opaque and URL-safe; never derived from a stream key.
    public var id: String
    /// The DJ whose turn it is; nil for a recording of the whole programme (admins only).
    public var userId: UUID?
    public var djName: String
    /// The turn's number in the queue's history, if it was a turn (nil for the whole night).
    public var turn: UInt64?
    public var startedAt: Date
    public var endedAt: Date?
    public var bytes: UInt64
    public var durationSeconds: Double?
    /// The file's name, e.g. `2026-12-01_2130_night-owl_turn-12.mkv`.
    public var fileName: String

    public init(
        id: String, userId: UUID?, djName: String, turn: UInt64?, startedAt: Date, endedAt: Date?, bytes: UInt64,
        durationSeconds: Double?, fileName: String
    ) {
        self.id = id
        self.userId = userId
        self.djName = djName
        self.turn = turn
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.bytes = bytes
        self.durationSeconds = durationSeconds
        self.fileName = fileName
    }
}

public struct RecordingList: Codable, Sendable, Equatable {
    public var recordings: [RecordingView]

    public init(recordings: [RecordingView]) {
        self.recordings = recordings
    }
}
