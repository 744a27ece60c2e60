import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import AccountService

/// Argon2 on its own bounded pool: a flood of signups neither delays the stream-key check nor
/// queues without end.
@Suite struct HashingPoolTests {
    @Test func pastItsThreadsAndWaitingRoomTheHasherRefusesAtOnce() async throws {
        let pool = HashingPool(threads: 1, waiting: 1)
        let gate = NIOLockedValueBox(false)
        let held = (0..<2).map { _ in
            Task { try await pool.compute { while !gate.withLockedValue({ $0 }) { usleep(1000) } } }
        }
        while pool.admitted < 2 { try await Task.sleep(for: .milliseconds(5)) }

        // Refused without waiting: the two admitted jobs hold their slots until the gate opens below,
        // so a call that waited for a slot would never return.
        await #expect {
            try await pool.compute { 1 }
        } throws: { error in
            guard case AccountError.busy(let seconds) = error else { return false }
            return seconds >= 1
        }

        gate.withLockedValue { $0 = true }
        for task in held { try await task.value }
        #expect(try await pool.compute { 2 } == 2, "room again once they finished")
        #expect(pool.admitted == 0)
    }

    /// Before: Argon2 and SQLite shared NIO's blocking pool, so with signups queued there the
    /// stream-key check (one HMAC, one indexed lookup) waited seconds, and none was refused.
    @Test func aKeyCheckAnswersAtOnceWhileSignupsSaturateTheHasher() async throws {
        // About half a second per hash, whatever the build; one at a time, one more waiting.
        // Two hashes outlast three key checks with room to spare on a loaded two-core machine, and
        // one hashing thread leaves the other core to the rest of the suite.
        let slow = ["ARGON2_MEMORY_KIB": "65536", "ARGON2_ITERATIONS": "12", "ARGON2_PARALLELISM": "1", "ARGON2_THREADS": "1", "ARGON2_WAITING": "1"]
        try await TestApp.build(try temporaryDirectory("hashing"), slow).test(.router) { client in
            let (_, body) = try await AccountRoutesTests.signup(client)
            let key = try #require(body["stream_key"] as? String)

            // Orderings, not durations: on a loaded machine everything slows down, but a key check
            // that queued behind a hash would finish after it, and a refusal that waited would too.
            let flood = Task {
                try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, ContinuousClock.Instant).self) { group in
                    for index in 0..<8 {
                        group.addTask {
                            let signup = #"{"email":"flood\#(index)@example.org","password":"correct horse","dj_name":"Flood \#(index)","timezone":"UTC"}"#
                            return try await client.execute(uri: "/api/v1/users/signup", method: .post, body: ByteBuffer(string: signup)) {
                                ($0.status, $0.headers[.retryAfter], ContinuousClock.now)
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            var checksDone = ContinuousClock.now
            for _ in 0..<3 {
                try await client.execute(
                    uri: "/internal/v1/stream-keys/verify", method: .post, headers: AccountRoutesTests.internalAuth,
                    body: ByteBuffer(string: #"{"stream_key":"\#(key)"}"#)
                ) { #expect($0.status == .ok) }
                checksDone = ContinuousClock.now
            }
            let replies = try await flood.value
            let hashed = replies.filter { $0.0 == .created }.map(\.2)
            let refused = replies.filter { $0.0 == .serviceUnavailable }
            #expect(refused.count >= 5, "\(replies.map(\.0))")
            #expect(hashed.count >= 2, "the running and the waiting signup were hashed: \(replies.map(\.0))")
            if let lastHash = hashed.max() {
                #expect(checksDone < lastHash, "the key checks finished only after the hashes they should not wait for")
                #expect(refused.allSatisfy { $0.2 < lastHash }, "a refusal waited for a hash")
            }
            #expect(refused.allSatisfy { Int($0.1 ?? "") ?? 0 >= 1 }, "503 with Retry-After: \(refused)")
            #expect(replies.allSatisfy { $0.0 == .created || $0.0 == .serviceUnavailable })
        }
    }
}
