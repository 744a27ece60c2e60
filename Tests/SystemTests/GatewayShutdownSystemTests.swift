import Testing
import TestSupport

/// HookGateway keeps retrying session closes QueueService missed, with a backoff of up to 30 s.
/// A SIGTERM must still stop it at once, and say what it could not deliver.
@Suite(.serialized) struct GatewayShutdownSystemTests {
    @Test func sigtermStopsTheGatewayWhileACloseIsStillUndelivered() async throws {
        let system = try await RunningSystem.start()
        try await system.run { system in
            let key = try await system.signUp("Alpha")
            #expect(try await system.publish(key: key, client: "alpha1").status == 200)

            await system.queue.kill()
            let close = try await system.hook("on_close.json", client: "alpha1")
            #expect(close.status == 200)
            // Once the first delivery has failed, the relay holds the close and retries it with backoff.
            try await system.waitUntil("HookGateway says it will retry the close") { system.gateway.tail().contains("will retry") }

            #expect(await system.gateway.stop(), "HookGateway ignored SIGTERM while retrying a close")
            #expect(system.gateway.tail().contains("stopping with session closes QueueService never took"))
        }
    }
}
