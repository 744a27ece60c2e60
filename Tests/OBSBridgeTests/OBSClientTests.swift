import Foundation
import Logging
import Shared
import Testing
import TestSupport
@testable import OBSBridge

/// The connection's retry logic against the fake obs-websocket server, its waits on a clock the
/// test moves: the only real waits are for the loopback connection itself.
@Suite(.serialized, .timeLimit(.minutes(1))) struct OBSClientTests {
    /// Runs a client (no jitter: a 500 ms first backoff) against `obs` for the body, then stops
    /// both, whatever the body did: OBS first, so the client is never stopped mid-connection.
    func withClient(
        _ obs: FakeOBS, password: String?, _ body: (OBSClient, TestClock) async throws -> Void
    ) async throws {
        var logger = Logger(label: "obs-client-test")
        logger.logLevel = .critical
        let clock = TestClock()
        let client = OBSClient(
            url: "ws://127.0.0.1:\(obs.port)", password: password, backoff: Backoff(base: .milliseconds(500), cap: .seconds(30), jitter: false),
            configurationRetry: .seconds(30), clock: clock, logger: logger
        )
        let running = Task { try await client.run() }
        let outcome = await Result { try await body(client, clock) }
        await obs.shutDown()
        running.cancel()
        _ = await running.result
        try outcome.get()
    }

    /// Waits, yielding rather than sleeping, for something the loopback connection brings about.
    func until(_ what: String, _ condition: () async -> Bool) async throws {
        for _ in 0..<2_000_000 {
            if await condition() { return }
            await Task.yield()
        }
        throw ServiceProcessError("never: \(what)")
    }

    /// Waits for the client to rest on the clock (yields only), however long the connection took.
    func resting(_ clock: TestClock) async throws {
        guard await clock.waitForSleepers(1, spins: 2_000_000) else { throw ServiceProcessError("the client never waited on the clock") }
    }

    @Test func aRefusedPasswordIsRetriedOnlyAfterTheConfigurationWait() async throws {
        let obs = try await FakeOBS.start(password: "obs-password-1")
        try await withClient(obs, password: "not-the-password") { client, clock in
            try await resting(clock)
            let status = await client.status
            #expect(status.state == .configurationError)
            #expect(status.lastError?.contains("4009") == true)
            #expect(obs.identifyAttempts == 1)

            clock.advance(by: .seconds(29))
            #expect(clock.sleeperCount == 1)
            #expect(obs.identifyAttempts == 1, "no retry before the configuration wait is over")
            clock.advance(by: .seconds(1))
            try await until("the second attempt") { obs.identifyAttempts == 2 }
            try await resting(clock)
            #expect(await client.status.attempts == 2)
            #expect(await client.status.state == .configurationError)
        }
    }

    @Test func aDroppedConnectionIsRetriedAfterTheBackoff() async throws {
        let obs = try await FakeOBS.start(password: nil)
        try await withClient(obs, password: nil) { client, clock in
            try await until("connected") { await client.status.state == .connected }
            await obs.shutDown()
            try await resting(clock)
            #expect(await client.status.state == .disconnected)
            #expect(await client.status.nextAttemptAt != nil)

            try await obs.boot()
            clock.advance(by: .milliseconds(499))
            #expect(obs.connectedSessions == 0, "still in the backoff")
            clock.advance(by: .milliseconds(1))
            try await until("connected again") { await client.status.state == .connected }
            #expect(await client.status.attempts == 2)
            #expect(obs.connectedSessions == 1)
        }
    }

    @Test func aKickWaitsForAnOperatorNotForTheClock() async throws {
        let obs = try await FakeOBS.start(password: "obs-password-1")
        try await withClient(obs, password: "obs-password-1") { client, clock in
            try await until("connected") { await client.status.state == .connected }
            await obs.kickSessions()
            try await until("kicked") { await client.status.state == .kicked }
            #expect(clock.sleeperCount == 0, "no timed retry after a kick")
            clock.advance(by: .seconds(3600))
            #expect(await client.status.state == .kicked)
            #expect(obs.identifyAttempts == 1)

            await client.reconnect()
            try await until("connected again") { await client.status.state == .connected }
            #expect(obs.identifyAttempts == 2)
        }
    }
}
