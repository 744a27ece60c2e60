import Foundation

/// One entry of QueueService's event log. `seq` grows by one per event and never repeats.
public struct QueueEvent: Codable, Sendable, Equatable {
    public var seq: UInt64
    public var time: Date
    public var type: QueueEventType
    public var payload: QueueEventPayload
    /// The W3C trace context of the request (or timer) that caused the event, when tracing is
    /// on: OBSBridge and Notifier continue that trace when they act on it.
    public var traceparent: String?

    public init(seq: UInt64, time: Date, type: QueueEventType, payload: QueueEventPayload, traceparent: String? = nil) {
        self.seq = seq
        self.time = time
        self.type = type
        self.payload = payload
        self.traceparent = traceparent
    }

    /// What browsers and overlays may see: public event types only, without SRS client ids.
    public var publicView: QueueEvent? {
        guard type.isPublic else { return nil }
        var event = self
        event.payload.clientId = nil
        event.traceparent = nil
        return event
    }
}

/// An event type by name; unknown names decode too, so an older consumer survives newer events.
public struct QueueEventType: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// An SRS session of a DJ opened or closed (internal: carries the client id).
    public static let sessionOpened = Self(rawValue: "session.opened")
    public static let sessionClosed = Self(rawValue: "session.closed")
    /// A DJ joined the waiting line, or left it before their turn.
    public static let djJoined = Self(rawValue: "dj.joined")
    public static let djLeft = Self(rawValue: "dj.left")
    /// A DJ went on air / came off air (with `reason`).
    public static let turnStarted = Self(rawValue: "turn.started")
    public static let turnEnded = Self(rawValue: "turn.ended")
    /// The lead's encoder dropped: they are held for the reconnect grace (`ends_at`) / came back in time.
    public static let leadDisconnected = Self(rawValue: "lead.disconnected")
    public static let leadResumed = Self(rawValue: "lead.resumed")
    /// The same for a waiting DJ, who keeps their place meanwhile.
    public static let djDisconnected = Self(rawValue: "dj.disconnected")
    public static let djResumed = Self(rawValue: "dj.resumed")
    /// Nothing arrived from the lead's encoder for `STALL_SECONDS` (`started_at`: the last data;
    /// `ends_at`: when the turn ends unless it comes back) / data arrives again (`seconds`: how long it stalled).
    public static let leadStalled = Self(rawValue: "lead.stalled")
    public static let leadRecovered = Self(rawValue: "lead.recovered")
    /// The lead's bitrate fell below `LOW_BITRATE_KBPS` (`enabled: true`) / is back above it (`enabled: false`).
    public static let leadLowBitrate = Self(rawValue: "lead.low_bitrate")
    /// Admin actions (each carries `actor_id`).
    public static let djMoved = Self(rawValue: "dj.moved")
    public static let turnExtended = Self(rawValue: "turn.extended")
    public static let timerChanged = Self(rawValue: "timer.changed")
    public static let queuePaused = Self(rawValue: "queue.paused")
    public static let queueResumed = Self(rawValue: "queue.resumed")
    public static let queueCleared = Self(rawValue: "queue.cleared")
    public static let blockChanged = Self(rawValue: "block.changed")
    /// The broadcast went out to the platforms (`source`: `programme` or `lead`) / stopped going
    /// out (`started_at`, and `seconds` it was live), as HookGateway reports it.
    public static let broadcastStarted = Self(rawValue: "broadcast.started")
    public static let broadcastEnded = Self(rawValue: "broadcast.ended")
    /// SRS confirmed (or no longer knew) a session QueueService had asked to be kicked.
    public static let kickSettled = Self(rawValue: "session.kick_settled")

    static let internalOnly: Set<QueueEventType> = [.sessionOpened, .sessionClosed, .kickSettled]

    public var isPublic: Bool { !Self.internalOnly.contains(self) }
}

/// Why a turn ended or a DJ left.
public enum DepartureReason: String, Codable, Sendable {
    /// Their encoder stopped (on_unpublish / on_close of their last session), with no grace set.
    case left
    /// The turn's time ran out.
    case timeLimit = "time_limit"
    /// An admin skipped the lead.
    case skipped
    /// Their encoder dropped and did not come back within the grace.
    case dropped
    /// An admin removed a waiting DJ.
    case removed
    /// An admin cleared the queue.
    case cleared
    /// Nothing arrived from the lead's encoder for `STALL_SKIP_SECONDS`.
    case stalled
}

/// The details of an event; which fields are set depends on the type.
public struct QueueEventPayload: Codable, Sendable, Equatable {
    public var userId: UUID?
    public var djName: String?
    /// 0 = lead, 1 = first waiting, …
    public var position: Int?
    public var reason: DepartureReason?
    public var clientId: String?
    public var startedAt: Date?
    /// The turn's deadline, or when a grace ends.
    public var endsAt: Date?
    /// The admin who did it.
    public var actorId: UUID?
    public var fromPosition: Int?
    public var swapInterval: Double?
    public var seconds: Double?
    public var enabled: Bool?
    /// The DJ's profile picture (`picture_url`, an absolute URL) on the events that announce them:
    /// `turn.started`, `turn.ended`, `dj.joined`.
    public var pictureUrl: String?
    /// What goes out, on `broadcast.*`: `programme` or `lead`.
    public var source: String?

    public init(
        userId: UUID? = nil, djName: String? = nil, position: Int? = nil, reason: DepartureReason? = nil,
        clientId: String? = nil, startedAt: Date? = nil, endsAt: Date? = nil, actorId: UUID? = nil,
        fromPosition: Int? = nil, swapInterval: Double? = nil, seconds: Double? = nil, enabled: Bool? = nil,
        pictureUrl: String? = nil, source: String? = nil
    ) {
        self.userId = userId
        self.djName = djName
        self.position = position
        self.reason = reason
        self.clientId = clientId
        self.startedAt = startedAt
        self.endsAt = endsAt
        self.actorId = actorId
        self.fromPosition = fromPosition
        self.swapInterval = swapInterval
        self.seconds = seconds
        self.enabled = enabled
        self.pictureUrl = pictureUrl
        self.source = source
    }
}

/// `GET /internal/v1/events?after=N&wait=S`.
public struct EventPage: Codable, Sendable, Equatable {
    public var events: [QueueEvent]
    /// Pass as `after` next time.
    public var next: UInt64
    /// True when events after the cursor were already discarded: re-read `/internal/v1/state`.
    public var truncated: Bool

    public init(events: [QueueEvent], next: UInt64, truncated: Bool) {
        self.events = events
        self.next = next
        self.truncated = truncated
    }
}
