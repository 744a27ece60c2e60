import Foundation

/// Everything QueueService knows, as a value: the open SRS sessions, who is on air, who waits.
/// Changed only by `QueueMachine`; written whole to the journal after every change.
struct QueueState: Codable, Equatable, Sendable {
    /// Open SRS publish sessions, oldest first. A list, not a dictionary keyed by client id:
    /// there are at most a few dozen, and a list survives the snake_case key coding intact.
    var sessions: [PublisherSession] = []
    var lead: Lead?
    var waiting: [WaitingDJ] = []
    /// The seq of the last event produced.
    var lastSeq: UInt64 = 0
    /// Seconds in a turn (`SWAP_INTERVAL`).
    var swapInterval: Double

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
}

struct WaitingDJ: Codable, Equatable, Sendable {
    var userId: UUID
    var djName: String
    var joinedAt: Date
}
