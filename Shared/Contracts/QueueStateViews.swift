import Foundation

/// `GET /internal/v1/state`: the whole truth for consumers that reconcile (OBSBridge), including
/// the SRS app/stream of each open session so OBS can pull it. Internal token only.
public struct InternalQueueState: Codable, Sendable, Equatable {
    /// The seq of the last event this state includes; read events after it to follow on.
    public var seq: UInt64
    public var lead: LineupEntry?
    public var waiting: [LineupEntry]
    public var swapIntervalSeconds: Double
    /// When a turn ends nobody is promoted (intermission).
    public var paused: Bool

    public init(seq: UInt64, lead: LineupEntry?, waiting: [LineupEntry], swapIntervalSeconds: Double, paused: Bool) {
        self.seq = seq
        self.lead = lead
        self.waiting = waiting
        self.swapIntervalSeconds = swapIntervalSeconds
        self.paused = paused
    }
}

public struct LineupEntry: Codable, Sendable, Equatable {
    public var userId: UUID
    public var djName: String
    public var joinedAt: Date
    /// Set for the lead only.
    public var turnStartedAt: Date?
    public var turnEndsAt: Date?
    /// Set while the DJ's encoder is gone and they are held for the reconnect grace.
    public var graceEndsAt: Date?
    public var sessions: [SessionView]
    /// Set for the lead while nothing arrives from their encoder: when the last data came.
    public var stalledSince: Date?

    public init(
        userId: UUID, djName: String, joinedAt: Date, turnStartedAt: Date?, turnEndsAt: Date?, graceEndsAt: Date?, sessions: [SessionView],
        stalledSince: Date? = nil
    ) {
        self.userId = userId
        self.djName = djName
        self.joinedAt = joinedAt
        self.turnStartedAt = turnStartedAt
        self.turnEndsAt = turnEndsAt
        self.graceEndsAt = graceEndsAt
        self.sessions = sessions
        self.stalledSince = stalledSince
    }
}

public struct SessionView: Codable, Sendable, Equatable {
    public var clientId: String
    public var app: String
    public var stream: String
    public var openedAt: Date

    public init(clientId: String, app: String, stream: String, openedAt: Date) {
        self.clientId = clientId
        self.app = app
        self.stream = stream
        self.openedAt = openedAt
    }
}

/// `GET /api/v1/queue`: what anyone may see. Never a stream key or a client id.
public struct PublicQueue: Codable, Sendable, Equatable {
    public struct Lead: Codable, Sendable, Equatable {
        public var userId: UUID
        public var djName: String
        public var startedAt: Date
        public var endsAt: Date
        public var remainingSeconds: Double
        /// True while their encoder is gone and the reconnect grace runs.
        public var disconnected: Bool
        /// True while their encoder is connected but nothing arrives from it (`STALL_SECONDS`).
        public var stalled: Bool
        /// True while their bitrate is below `LOW_BITRATE_KBPS`.
        public var lowBitrate: Bool
        /// Their profile picture (`picture_url`, an absolute URL), absent when they have none.
        public var pictureUrl: String?

        public init(
            userId: UUID, djName: String, startedAt: Date, endsAt: Date, remainingSeconds: Double, disconnected: Bool,
            stalled: Bool = false, lowBitrate: Bool = false, pictureUrl: String? = nil
        ) {
            self.userId = userId
            self.djName = djName
            self.startedAt = startedAt
            self.endsAt = endsAt
            self.remainingSeconds = remainingSeconds
            self.disconnected = disconnected
            self.stalled = stalled
            self.lowBitrate = lowBitrate
            self.pictureUrl = pictureUrl
        }
    }

    public struct Waiting: Codable, Sendable, Equatable {
        public var userId: UUID
        public var djName: String
        public var position: Int
        public var joinedAt: Date
        public var disconnected: Bool
        /// Their profile picture (`picture_url`, an absolute URL), absent when they have none.
        public var pictureUrl: String?

        public init(userId: UUID, djName: String, position: Int, joinedAt: Date, disconnected: Bool, pictureUrl: String? = nil) {
            self.userId = userId
            self.djName = djName
            self.position = position
            self.joinedAt = joinedAt
            self.disconnected = disconnected
            self.pictureUrl = pictureUrl
        }
    }

    public struct Blocking: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var lastDjName: String?

        public init(enabled: Bool, lastDjName: String?) {
            self.enabled = enabled
            self.lastDjName = lastDjName
        }
    }

    public var seq: UInt64
    /// The server's clock when this was read, so a page can count down without trusting its own.
    public var serverTime: Date
    public var lead: Lead?
    public var waiting: [Waiting]
    public var swapInterval: Double
    public var paused: Bool
    public var blocking: Blocking

    public init(seq: UInt64, serverTime: Date, lead: Lead?, waiting: [Waiting], swapInterval: Double, paused: Bool, blocking: Blocking) {
        self.seq = seq
        self.serverTime = serverTime
        self.lead = lead
        self.waiting = waiting
        self.swapInterval = swapInterval
        self.paused = paused
        self.blocking = blocking
    }
}

/// `GET /queue-json`, the original's shape: the lead's DJ name first, then the waiting DJs.
public struct QueueJSON: Codable, Sendable, Equatable {
    public var streamQueue: [String]

    public init(streamQueue: [String]) {
        self.streamQueue = streamQueue
    }
}

/// `GET /time-settings`, the original's shape.
public struct TimeSettings: Codable, Sendable, Equatable {
    public var swapInterval: Double
    public var remainingTime: Double

    public init(swapInterval: Double, remainingTime: Double) {
        self.swapInterval = swapInterval
        self.remainingTime = remainingTime
    }
}

/// `GET /timer-data`, the original's shape.
public struct TimerData: Codable, Sendable, Equatable {
    public var remainingTime: Double

    public init(remainingTime: Double) {
        self.remainingTime = remainingTime
    }
}

/// `GET /block-toggle`: the rule's state and whose turn armed it — a DJ name, never a key.
public struct BlockStatus: Codable, Sendable, Equatable {
    public var isBlocked: Bool
    public var lastDjName: String?

    public init(isBlocked: Bool, lastDjName: String?) {
        self.isBlocked = isBlocked
        self.lastDjName = lastDjName
    }

    enum CodingKeys: String, CodingKey {
        case isBlocked, lastDjName
    }

    /// `last_dj_name` is always present, `null` when nobody is held back — as the original's field was.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isBlocked, forKey: .isBlocked)
        try container.encode(lastDjName, forKey: .lastDjName)
    }
}

// MARK: - Stream health of the lineup

/// `GET /internal/v1/stream-health` (`?user_id=` for one DJ): how each connected DJ's stream
/// looks now, from the ingest's readings. Live numbers from QueueService's memory, not part of
/// the journaled state: `/internal/v1/state` stays what one `seq` names, and these change every
/// second. Never a stream name or a client id — AccountService shows them to DJs and admins.
public struct LineupHealth: Codable, Sendable, Equatable {
    /// One DJ in the lineup.
    public struct DJ: Codable, Sendable, Equatable {
        public var userId: UUID
        public var djName: String
        /// 0 for the lead, 1… for the waiting DJs.
        public var position: Int
        /// Their open publishing sessions; 0 while they are held for the reconnect grace.
        public var sessions: Int
        /// Their best session's numbers (data arriving first, then the highest bitrate); nil while
        /// no reading named any of their sessions (no health monitor, or its first second).
        public var reading: Reading?

        public init(userId: UUID, djName: String, position: Int, sessions: Int, reading: Reading?) {
            self.userId = userId
            self.djName = djName
            self.position = position
            self.sessions = sessions
            self.reading = reading
        }
    }

    /// One session's stream as the ingest's readings show it.
    public struct Reading: Codable, Sendable, Equatable {
        /// The ingest's incoming bitrate (SRS: a 30-second average; nginx-rtmp: a 10-second one).
        public var kbps: Double?
        /// When a reading last showed data arriving; nil while none did since QueueService started.
        public var lastDataAt: Date?
        /// From `lastDataAt` to `serverTime`, so a page needs no clock of its own.
        public var secondsSinceData: Double?
        /// Nothing arrived for `STALL_SECONDS`. The stream's condition, whoever's it is; the lead's
        /// `stalled_since` in the state is the queue's decision about their turn.
        public var stalled: Bool
        /// Below `LOW_BITRATE_KBPS` once past the bitrate warm-up; always false while that is off.
        public var lowBitrate: Bool

        public init(kbps: Double?, lastDataAt: Date?, secondsSinceData: Double?, stalled: Bool, lowBitrate: Bool) {
            self.kbps = kbps
            self.lastDataAt = lastDataAt
            self.secondsSinceData = secondsSinceData
            self.stalled = stalled
            self.lowBitrate = lowBitrate
        }
    }

    /// QueueService's clock when this was read.
    public var serverTime: Date
    /// The lead first, then the waiting DJs in their order.
    public var djs: [DJ]

    public init(serverTime: Date, djs: [DJ]) {
        self.serverTime = serverTime
        self.djs = djs
    }
}
