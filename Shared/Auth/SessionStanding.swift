import Crypto
import Foundation
import Synchronization

/// Asks whoever issued a session whether it still stands (AccountService, in production).
public protocol SessionStanding: Sendable {
    func check(token: String) async throws -> SessionCheckReply
}

/// AccountService's `POST /internal/v1/sessions/check`.
public struct AccountSessionCheck: SessionStanding {
    let accounts: PeerClient

    public init(accounts: PeerClient) {
        self.accounts = accounts
    }

    public func check(token: String) async throws -> SessionCheckReply {
        let reply = try await accounts.post("/internal/v1/sessions/check", json: SessionCheckRequest(token: token))
        guard reply.status == 200 else { throw PeerError.unexpected(accounts, reply) }
        return try reply.decode(SessionCheckReply.self)
    }
}

/// Remembers AccountService's answers for a few seconds, so an admin clicking through the night
/// costs one check per few seconds, and an ended session stops working within that time.
/// Bounded: past `capacity` entries the expired ones go, and if none has, all of them.
public final class CachedSessionStanding: SessionStanding {
    private let source: any SessionStanding
    private let lifetime: TimeInterval
    private let capacity: Int
    private let now: @Sendable () -> Date
    private let answers = Mutex<[String: (reply: SessionCheckReply, until: Date)]>([:])

    public init(_ source: any SessionStanding, lifetime: TimeInterval = 3, capacity: Int = 10_000, now: @escaping @Sendable () -> Date = Date.init) {
        self.source = source
        self.lifetime = lifetime
        self.capacity = capacity
        self.now = now
    }

    public func check(token: String) async throws -> SessionCheckReply {
        let key = SHA256.hash(data: Data(token.utf8)).prefix(16).hexString
        let at = now()
        if let cached = answers.withLock({ $0[key] }), cached.until > at { return cached.reply }
        let reply = try await source.check(token: token)
        answers.withLock { answers in
            if answers.count >= capacity {
                answers = answers.filter { $0.value.until > at }
                if answers.count >= capacity { answers.removeAll() }
            }
            answers[key] = (reply, at.addingTimeInterval(lifetime))
        }
        return reply
    }
}
