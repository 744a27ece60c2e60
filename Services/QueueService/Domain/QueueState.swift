import Foundation

/// Everything QueueService knows, as a value: the open SRS sessions, who is on air, who waits,
/// the turn's clock, the block rule and the kicks still owed. Changed only by `QueueMachine`;
/// written whole to the journal after every change.
struct QueueState: Codable, Equatable, Sendable {
    /// Open SRS publish sessions, oldest first. A list, not a dictionary keyed by client id:
    /// there are at most a few dozen, and a list survives the snake_case key coding intact.
    var sessions: [PublisherSession] = []
    var lead: Lead?
    var waiting: [WaitingDJ] = []
    /// The seq of the last event produced.
    var lastSeq: UInt64 = 0
    /// Seconds in a turn (`SWAP_INTERVAL`, then whatever an admin set).
    var swapInterval: Double
    /// While paused the lead plays on, but when a turn ends nobody is promoted (intermission).
    var paused = false
    /// The block rule (`/block-toggle`): a DJ whose turn was ended by the clock or an admin may
    /// not take the lead back from an empty queue.
    var blockEnabled = false
    var blockedDJ: BlockedDJ?
    /// SRS sessions QueueService asked HookGateway to disconnect and SRS has not yet confirmed.
    var pendingKicks: [PendingKick] = []
    /// Going out to the platforms since, as HookGateway last reported; nil while it is not.
    var broadcast: Broadcast?

    init(swapInterval: Double) {
        self.swapInterval = swapInterval
    }

    func session(clientId: String) -> PublisherSession? {
        sessions.first { $0.clientId == clientId }
    }

    func sessions(of userId: UUID) -> [PublisherSession] {
        sessions.filter { $0.userId == userId }
    }

    func hasSession(of userId: UUID) -> Bool {
        sessions.contains { $0.userId == userId }
    }

    /// Only the lead's stream is forwarded; everyone else's gets no targets.
    func isLeadSession(clientId: String) -> Bool {
        guard let session = session(clientId: clientId) else { return false }
        return lead?.userId == session.userId
    }

    /// 0 for the lead, 1… for waiting DJs, nil when not in the queue.
    func position(of userId: UUID) -> Int? {
        if lead?.userId == userId { return 0 }
        return waiting.firstIndex { $0.userId == userId }.map { $0 + 1 }
    }

    var hasConnectedWaitingDJ: Bool {
        waiting.contains { !$0.isDisconnected }
    }

    /// What the clock says for the current turn, for timers and overlays: 0 with nobody on air.
    func remainingTime(now: Date) -> Double {
        guard let lead else { return 0 }
        return max(0, lead.deadline.timeIntervalSince(now))
    }
}

/// One SRS publish connection of a DJ. A DJ may hold several (an encoder reconnecting,
/// SRS's busy second publisher); they stay in the queue while at least one is open.
struct PublisherSession: Equatable, Sendable {
    var clientId: String
    var userId: UUID
    var djName: String
    var app: String
    /// The SRS stream name — the DJ's stream key. Sealed whenever it is written to disk.
    var stream: String
    var openedAt: Date
}

/// The DJ on air and their turn.
struct Lead: Codable, Equatable, Sendable {
    var userId: UUID
    var djName: String
    var joinedAt: Date
    var turnStartedAt: Date
    /// When the turn ends by time limit. Moved by extensions and interval changes.
    var deadline: Date
    /// Set while the lead's encoder is gone and they are held for the reconnect grace.
    var graceEndsAt: Date?
    /// Set while the lead is stalled: when data last arrived from their encoder.
    var stalledSince: Date?
    /// Set while the lead's bitrate is below `LOW_BITRATE_KBPS`: since when.
    var lowBitrateSince: Date?
    /// Their profile picture as AccountService serves it; absent in journals written before pictures.
    var pictureUrl: String?

    var isDisconnected: Bool { graceEndsAt != nil }
    var isStalled: Bool { stalledSince != nil }
}

struct WaitingDJ: Codable, Equatable, Sendable {
    var userId: UUID
    var djName: String
    var joinedAt: Date
    /// Set while the DJ's encoder is gone and they keep their place for the waiting grace.
    var graceEndsAt: Date?
    /// Their profile picture as AccountService serves it; absent in journals written before pictures.
    var pictureUrl: String?

    var isDisconnected: Bool { graceEndsAt != nil }
}

struct BlockedDJ: Codable, Equatable, Sendable {
    var userId: UUID
    var djName: String
    var since: Date
}

struct PendingKick: Codable, Equatable, Sendable {
    var clientId: String
    var userId: UUID
    var djName: String
    var requestedAt: Date
}

/// The timing rules an operator sets at start (environment), as opposed to state an admin changes.
struct QueueRules: Sendable, Equatable {
    /// How long a lead whose encoder dropped keeps the lead (`LEAD_GRACE_SECONDS`).
    var leadGrace: TimeInterval = 15
    /// How long a waiting DJ whose encoder dropped keeps their place (`WAITING_GRACE_SECONDS`).
    var waitingGrace: TimeInterval = 15
    /// End a turn at its deadline even with nobody waiting (`KICK_WHEN_ALONE`).
    var kickWhenAlone = false
    /// How long the block rule holds a DJ back (`BLOCK_COOLDOWN_SECONDS`); nil = until someone else was lead.
    var blockCooldown: TimeInterval?
    /// How long nothing may arrive from the lead's encoder before they count as stalled (`STALL_SECONDS`).
    var stallAfter: TimeInterval = 5
    /// How long after the last data a stalled lead's turn ends (`STALL_SKIP_SECONDS`); nil = never.
    var stallSkipAfter: TimeInterval? = 30
    /// Below this the lead's bitrate is reported as low (`LOW_BITRATE_KBPS`); nil = not watched.
    var lowBitrateKbps: Double?
    /// How long a session publishes before its bitrate is judged: the ingests' figures are
    /// averages that read 0 at first (SRS's `recv_30s` over 30 s, nginx-rtmp's `bw_in` over 10 s).
    var bitrateWarmUp: TimeInterval = 30
}

/// The broadcast while it goes out: from where, and since when.
struct Broadcast: Codable, Equatable, Sendable {
    var source: String
    var startedAt: Date
}
