import Foundation

/// OBSBridge's `GET /status` (and `POST /internal/v1/reconnect`'s answer).
public struct OBSBridgeStatus: Codable, Sendable, Equatable {
    public var obs: OBSConnectionStatus
    public var queue: QueueFollower.Status
    public var programme: ProgrammeStatus

    public init(obs: OBSConnectionStatus, queue: QueueFollower.Status, programme: ProgrammeStatus) {
        self.obs = obs
        self.queue = queue
        self.programme = programme
    }
}

/// The obs-websocket connection as an operator sees it.
public struct OBSConnectionStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case connecting, connected, disconnected
        /// Wrong password or unsupported RPC version: retried slowly until fixed.
        case configurationError = "configuration_error"
        /// Kicked from OBS's UI (4011): waiting for `POST /internal/v1/reconnect`.
        case kicked
    }

    public var state: State = .connecting
    public var url: String
    public var lastError: String?
    public var obsVersion: String?
    public var websocketVersion: String?
    public var connectedSince: Date?
    public var nextAttemptAt: Date?
    public var attempts = 0

    public init(url: String) {
        self.url = url
    }
}

/// What the bridge last saw of the programme and did to it.
public struct ProgrammeStatus: Codable, Sendable, Equatable {
    public var desiredLead: String?
    public var desiredLeadURLKnown: Bool
    public var programScene: String?
    public var slots: [String: String]
    public var lastPassAt: Date?
    public var lastPassRequests: [String]
    public var requestsSent: Int
    public var failedRequests: Int
    public var lastFailure: String?
    public var lastHandoverSeconds: Double?

    public init() {
        desiredLeadURLKnown = false
        slots = [:]
        lastPassRequests = []
        requestsSent = 0
        failedRequests = 0
    }
}

/// Notifier's `GET /status`.
public struct NotifierStatus: Codable, Sendable, Equatable {
    public var sending: Bool
    public var note: String?
    /// How many events the slowest webhook has yet to see.
    public var backlog: UInt64
    public var queueSeq: UInt64?
    public var webhooks: [WebhookStatus]
    public var counter: QueueFollower.Status?

    public init(sending: Bool, note: String?, backlog: UInt64, queueSeq: UInt64?, webhooks: [WebhookStatus], counter: QueueFollower.Status?) {
        self.sending = sending
        self.note = note
        self.backlog = backlog
        self.queueSeq = queueSeq
        self.webhooks = webhooks
        self.counter = counter
    }
}

/// One Discord webhook's delivery, as `GET /status` and `POST /admin/test` show it. The URL
/// (which holds the webhook's token) is never part of it: `webhook` is a label.
public struct WebhookStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case ok
        case backingOff = "backing_off"
        case rateLimited = "rate_limited"
        case disabled
        case muted = "notifications_off"
    }

    public var webhook: String
    /// The announcement kinds this webhook receives.
    public var events: [String]
    public var state: State
    public var until: Date?
    public var reason: String?
    public var cursor: UInt64
    public var sent: Int
    public var failed: Int
    public var lastEventLatencySeconds: Double?

    public init(webhook: String, events: [String], state: State, cursor: UInt64) {
        self.webhook = webhook
        self.events = events
        self.state = state
        self.cursor = cursor
        self.sent = 0
        self.failed = 0
    }
}
