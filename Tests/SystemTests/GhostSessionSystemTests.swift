import Testing
import TestSupport

/// A session close the gateway could not deliver is lost when the gateway restarts (its retries
/// live in memory and SRS never resends a hook). The ingest itself is the truth about who is
/// connected: the gateway reconciles QueueService's open sessions with SRS's client list.
@Suite(.serialized) struct GhostSessionSystemTests {
    static let reconcileSeconds = 2

    @Test func aCloseLostWithTheGatewaysRetriesIsReconciledFromTheIngest() async throws {
        let system = try await RunningSystem.start(extra: [
            "SESSION_RECONCILE_SECONDS": "\(Self.reconcileSeconds)", "LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0",
            // QueueService logs each close it takes at debug (the gateway logs the hook at info).
            "LOG_LEVEL": "debug",
        ])
        try await system.run { system in
            let leadKey = try await system.signUp("Lead")
            let waitingKey = try await system.signUp("Waiting")
            #expect(try await system.publish(key: leadKey, client: "lead1").status == 200)
            #expect(try await system.publish(key: waitingKey, client: "waiting1").status == 200)
            #expect(try await system.queueJSON() == ["Lead", "Waiting"])

            await system.queue.stop()
            // The waiting DJ's encoder leaves: SRS drops the client and reports it, and the gateway
            // can only keep the close for a retry.
            system.srs.disconnect("waiting1")
            #expect(try await system.hook("on_unpublish.json", key: waitingKey, client: "waiting1").status == 200)
            #expect(try await system.hook("on_close.json", client: "waiting1").status == 200)
            try await system.waitUntil("the gateway holds the close for a retry") { system.gateway.tail().contains("will retry") }

            await system.gateway.kill()
            try await system.gateway.start()
            try await system.queue.start()
            try await system.waitUntil("the ghost is gone", timeout: .seconds(Self.reconcileSeconds + 2)) {
                try await system.queueJSON() == ["Lead"]
            }

            let state = try await system.internalState()
            #expect(state.lead?.djName == "Lead")
            #expect(state.lead?.sessions.map(\.clientId) == ["lead1"])
            #expect(state.waiting.isEmpty)
            #expect(system.srs.kicks.isEmpty, "nobody still connected is kicked")
            #expect(system.srs.isConnected("lead1"))
            #expect(system.gateway.tail().contains("closing a session the ingest no longer has"))
            #expect(system.queue.tail(1_000_000).contains("action=ingest_reconcile"))
        }
    }
}
