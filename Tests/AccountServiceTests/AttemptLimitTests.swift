import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport
@testable import AccountService

/// The arithmetic every attempt limit uses: two fixed windows read as a sliding one.
@Suite struct AttemptWindowTests {
    let rule = RateLimiter.Rule(limit: 8, window: 900)
    /// The start of a window.
    let start = Date(timeIntervalSince1970: 900 * 2_000_000)

    @Test func theLimitIsCountedInTheWindowAndTheShareOfThePreviousStillInIt() {
        let early = AttemptWindow(now: start.addingTimeInterval(90), rule: rule)
        #expect(early.index == 2_000_000 && abs(early.previousWeight - 0.9) < 1e-9)
        #expect(early.allows(current: 7, previous: 0) && !early.allows(current: 8, previous: 0))
        // 0.9 · 8 = 7.2 of the previous window still counts.
        #expect(!early.allows(current: 1, previous: 8) && early.allows(current: 0, previous: 8))
        let late = AttemptWindow(now: start.addingTimeInterval(810), rule: rule)
        #expect(late.allows(current: 7, previous: 8), "0.1 · 8 + 7 < 8")
    }

    @Test func retryAfterIsTheFirstWholeSecondThatWouldBeAllowed() {
        let now = start.addingTimeInterval(100)
        let full = AttemptWindow(now: now, rule: rule)
        // All 8 in this window: wait for the next one, and a moment into it.
        let wait = full.retryAfter(current: 8, previous: 0)
        #expect(wait == 801)
        let then = AttemptWindow(now: now.addingTimeInterval(wait), rule: rule)
        #expect(then.allows(current: 0, previous: 8))
        #expect(!AttemptWindow(now: now.addingTimeInterval(wait - 1), rule: rule).allows(current: 0, previous: 8))
        // Held back by the previous window's share: 8 · (900 − 100 − t) / 900 + 2 < 8 once t > 125.
        let shared = full.retryAfter(current: 2, previous: 8)
        #expect(shared == 126)
        #expect(AttemptWindow(now: now.addingTimeInterval(shared), rule: rule).allows(current: 2, previous: 8))
    }
}

/// The bounded in-memory limiter (one AccountService on SQLite): attacker-chosen keys cannot grow it.
@Suite struct RateLimiterTests {
    let rule = RateLimiter.Rule.loginPerAccount
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Before: every key stayed forever (1,000,000 entries) and past 10,000 keys every attempt
    /// scanned the whole map, so these attempts would not finish in hours.
    @Test func aMillionDistinctKeysStayWithinTheBoundAndAHammeredKeyStaysLimited() {
        var limiter = RateLimiter()
        for _ in 0..<rule.limit { #expect(limiter.attempt("login:victim@example.org", rule: rule, now: now) == nil) }
        #expect(limiter.attempt("login:victim@example.org", rule: rule, now: now) != nil)

        let started = ContinuousClock.now
        var largest = 0
        for index in 0..<1_000_000 {
            _ = limiter.attempt("login:stranger-\(index)@example.org", rule: rule, now: now.addingTimeInterval(Double(index) / 10_000))
            if index % 1000 == 0 { largest = max(largest, limiter.count) }
        }
        let elapsed = ContinuousClock.now - started
        #expect(largest <= limiter.capacity && limiter.count == limiter.capacity)
        #expect(elapsed < .seconds(20), "a million attempts took \(elapsed)")
        #expect(limiter.attempt("login:victim@example.org", rule: rule, now: now.addingTimeInterval(100)) != nil, "still in its window, still limited")
    }

    @Test func aKeyTriedRegularlyIsKeptWhileOneOffKeysComeAndGo() {
        var limiter = RateLimiter(capacity: 1000)
        for index in 0..<100_000 {
            if index % 100 == 0 { _ = limiter.attempt("login-ip:203.0.113.9", rule: .loginPerIP, now: now) }
            _ = limiter.attempt("login:stranger-\(index)", rule: rule, now: now)
        }
        #expect(limiter.count == 1000)
        #expect(limiter.attempt("login-ip:203.0.113.9", rule: .loginPerIP, now: now) != nil, "its attempts were counted, not forgotten")
    }

    @Test func keysOfAnyLengthAreKeptAsDigests() {
        var limiter = RateLimiter(capacity: 16)
        let long = String(repeating: "x", count: 1 << 20)
        for _ in 0..<rule.limit { #expect(limiter.attempt(long, rule: rule, now: now) == nil) }
        #expect(limiter.attempt(long, rule: rule, now: now) != nil)
        #expect(limiter.attempt(long + "y", rule: rule, now: now) == nil, "another key")
        #expect(AttemptDigest(long).hex.count == 32)
    }

    @Test func aRefusedAttemptIsNotCountedAndTheWindowMovesOn() throws {
        var limiter = RateLimiter(capacity: 16)
        let start = Date(timeIntervalSince1970: 900 * 2_000_000)
        for _ in 0..<rule.limit { _ = limiter.attempt("k", rule: rule, now: start) }
        let refusal = limiter.attempt("k", rule: rule, now: start)
        let wait = try #require(refusal)
        for _ in 0..<50 { #expect(limiter.attempt("k", rule: rule, now: start.addingTimeInterval(1)) != nil) }
        #expect(limiter.attempt("k", rule: rule, now: start.addingTimeInterval(wait)) == nil, "refusals did not push the wait further")
        for _ in 0..<rule.limit { _ = limiter.attempt("k", rule: rule, now: start.addingTimeInterval(3 * 900)) }
        #expect(limiter.attempt("k", rule: rule, now: start.addingTimeInterval(3 * 900)) != nil)
    }
}

/// Where the counters live: in memory (SQLite, one instance) or in PostgreSQL (replicas).
enum AttemptBackend: String, CaseIterable, CustomTestStringConvertible {
    case memory, postgres
    var testDescription: String { rawValue }

    /// `replicas` counters that share their state, as AccountService replicas on one database do.
    func withCounters(_ replicas: Int = 1, _ body: ([any AttemptCounter], _ rows: () async throws -> Int) async throws -> Void) async throws {
        switch self {
        case .memory:
            let counter = MemoryAttemptCounter()
            try await body(Array(repeating: counter, count: replicas)) { -1 }
        case .postgres:
            let logger = Logger(label: "attempt-test")
            let target = try await TestDatabase.create(logger: logger)
            let clients = (0..<replicas).map { _ in PostgresClient(configuration: target.clientConfiguration, backgroundLogger: logger) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in clients { group.addTask { await client.run() } }
                try await PostgresUserStore(client: clients[0], logger: logger).migrate()
                let rows: () async throws -> Int = {
                    var count = 0
                    for try await value in try await clients[0].query("SELECT COUNT(*) FROM attempt_windows", logger: logger).decode(Int.self) { count = value }
                    return count
                }
                try await body(clients.map { PostgresAttemptCounter(client: $0, logger: logger) }, rows)
                group.cancelAll()
            }
        }
    }
}

/// One protocol, two homes: what holds in memory holds in PostgreSQL.
@Suite struct AttemptCounterTests {
    let rule = RateLimiter.Rule(limit: 8, window: 900)
    let start = Date(timeIntervalSince1970: 900 * 2_000_000)

    @Test(arguments: AttemptBackend.allCases) func theLimitHoldsAndSlides(_ backend: AttemptBackend) async throws {
        try await backend.withCounters { counters, _ in
            let counter = counters[0]
            for _ in 0..<rule.limit { #expect(try await counter.attempt("login:dj@example.org", rule: rule, now: start) == nil) }
            #expect(try await counter.attempt("login:dj@example.org", rule: rule, now: start.addingTimeInterval(100)) == 801)
            #expect(try await counter.attempt("login:other@example.org", rule: rule, now: start) == nil, "keys are counted apart")
            for _ in 0..<20 { _ = try await counter.attempt("login:dj@example.org", rule: rule, now: start.addingTimeInterval(200)) }
            #expect(try await counter.attempt("login:dj@example.org", rule: rule, now: start.addingTimeInterval(901)) == nil, "refusals are not counted")
            #expect(try await counter.attempt("login:dj@example.org", rule: rule, now: start.addingTimeInterval(902)) != nil, "8 · 898/900 + 1 ≥ 8")
            for _ in 0..<rule.limit { #expect(try await counter.attempt("login:dj@example.org", rule: rule, now: start.addingTimeInterval(2700)) == nil) }
        }
    }

    /// Attempts at once from many requests: exactly the limit gets through, on one or two replicas.
    @Test(arguments: AttemptBackend.allCases) func concurrentAttemptsOnTwoReplicasShareOneCount(_ backend: AttemptBackend) async throws {
        try await backend.withCounters(2) { counters, _ in
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    group.addTask { try await counters[index % 2].attempt("login:dj@example.org", rule: rule, now: start.addingTimeInterval(10)) == nil }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == rule.limit)
        }
    }

    @Test func oldWindowsAreDeletedAFewAtATime() async throws {
        try await AttemptBackend.postgres.withCounters { counters, rows in
            for index in 0..<20 { _ = try await counters[0].attempt("signup:\(index)@example.org", rule: rule, now: start) }
            #expect(try await rows() == 20)
            // Two windows later those rows count for nothing; each attempt sweeps some away.
            _ = try await counters[0].attempt("signup:late@example.org", rule: rule, now: start.addingTimeInterval(1801))
            #expect(try await rows() == 20 + 1 - PostgresAttemptCounter.sweep)
            for index in 0..<10 { _ = try await counters[0].attempt("signup:later-\(index)@example.org", rule: rule, now: start.addingTimeInterval(1802)) }
            #expect(try await rows() == 11, "only the attempts that still count are left")
        }
    }
}
