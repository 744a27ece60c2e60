import Foundation

/// `GET /internal/v1/state`: the whole truth for consumers that reconcile (OBSBridge), including
/// the SRS app/stream of each open session so OBS can pull it. Internal token only.
public struct InternalQueueState: Codable, Sendable, Equatable {
    /// The seq of the last event this state includes; read events after it to follow on.
    public var seq: UInt64
    public var lead: LineupEntry?
    public var waiting: [LineupEntry]
    public var swapIntervalSeconds: Double

    public init(seq: UInt64, lead: LineupEntry?, waiting: [LineupEntry], swapIntervalSeconds: Double) {
        self.seq = seq
        self.lead = lead
        self.waiting = waiting
        self.swapIntervalSeconds = swapIntervalSeconds
    }
}

public struct LineupEntry: Codable, Sendable, Equatable {
    public var userId: UUID
    public var djName: String
    public var joinedAt: Date
    /// Set for the lead only.
    public var turnStartedAt: Date?
    public var turnEndsAt: Date?
    public var sessions: [SessionView]

    public init(userId: UUID, djName: String, joinedAt: Date, turnStartedAt: Date?, turnEndsAt: Date?, sessions: [SessionView]) {
        self.userId = userId
        self.djName = djName
        self.joinedAt = joinedAt
        self.turnStartedAt = turnStartedAt
        self.turnEndsAt = turnEndsAt
        self.sessions = sessions
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
        public var djName: String
        public var startedAt: Date
        public var endsAt: Date?
        public var remainingSeconds: Double?

        public init(djName: String, startedAt: Date, endsAt: Date?, remainingSeconds: Double?) {
            self.djName = djName
            self.startedAt = startedAt
            self.endsAt = endsAt
            self.remainingSeconds = remainingSeconds
        }
    }

    public struct Waiting: Codable, Sendable, Equatable {
        public var djName: String
        public var position: Int
        public var joinedAt: Date

        public init(djName: String, position: Int, joinedAt: Date) {
            self.djName = djName
            self.position = position
            self.joinedAt = joinedAt
        }
    }

    public var seq: UInt64
    public var lead: Lead?
    public var waiting: [Waiting]
    public var swapInterval: Double

    public init(seq: UInt64, lead: Lead?, waiting: [Waiting], swapInterval: Double) {
        self.seq = seq
        self.lead = lead
        self.waiting = waiting
        self.swapInterval = swapInterval
    }
}

/// `GET /queue-json`, the original's shape: the lead's DJ name first, then the waiting DJs.
public struct QueueJSON: Codable, Sendable, Equatable {
    public var streamQueue: [String]

    public init(streamQueue: [String]) {
        self.streamQueue = streamQueue
    }
}
