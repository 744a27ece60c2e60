import Foundation
import Shared
import Testing
import TestSupport

/// QueueService and OBSBridge as real processes against the fake obs-websocket server.
final class BridgeRig: @unchecked Sendable {
    let processes: QueueAndConsumer
    let obs: FakeOBS
    let http = TestHTTP()
    let auth = ["Authorization": "Bearer \(TestSecrets.internalToken)"]
    var queue: ServiceProcess { processes.queue }
    var bridge: ServiceProcess { processes.consumer }

    static func start(obsPassword: String = "obs-password-1", bridgePassword: String? = nil, extra: [String: String] = [:]) async throws -> BridgeRig {
        let obs = try await FakeOBS.start(password: obsPassword)
        do {
            let processes = try QueueAndConsumer("OBSBridge", label: "bridge", consumerEnvironment: [
                "OBS_PORT": "\(obs.port)",
                "OBS_PASSWORD": bridgePassword ?? obsPassword,
                "OBS_RECONNECT_DELAY_SECONDS": "1",
            ].merging(extra) { $1 })
            let rig = BridgeRig(processes: processes, obs: obs)
            do {
                try await processes.start()
            } catch {
                await processes.stop()
                throw error
            }
            return rig
        } catch {
            await obs.shutDown()
            throw error
        }
    }

    private init(processes: QueueAndConsumer, obs: FakeOBS) {
        self.processes = processes
        self.obs = obs
    }

    func run(_ body: (BridgeRig) async throws -> Void) async throws {
        do {
            try await body(self)
        } catch {
            let logs = processes.logs(lastBytes: 6000)
            await stop()
            throw ServiceProcessError("\(error)\nprogramme: \(obs.programPicture)\n\(logs)")
        }
        await stop()
    }

    func stop() async {
        await processes.stop()
        await obs.shutDown()
    }

    static func url(_ stream: String) -> String { "rtmp://127.0.0.1:1935/live/\(stream)" }

    /// A DJ's encoder publishing `stream`, as HookGateway would report it to QueueService.
    func publish(_ name: String, client: String, stream: String, user: UUID = UUID()) async throws {
        let body = #"{"client_id":"\#(client)","user_id":"\#(user.uuidString)","dj_name":"\#(name)","app":"live","stream":"\#(stream)"}"#
        let reply = try await http.post("\(queue.baseURL)/internal/v1/publish", json: body, headers: auth)
        guard reply.status == 200 else { throw ServiceProcessError("publish failed: \(reply.body)") }
    }

    func leave(client: String) async throws {
        _ = try await http.post("\(queue.baseURL)/internal/v1/unpublish", json: #"{"client_id":"\#(client)","action":"on_unpublish"}"#, headers: auth)
    }

    func status() async throws -> [String: Any] {
        try await http.get("\(bridge.baseURL)/status").json()
    }

    func obsState() async throws -> String? {
        (try await status()["obs"] as? [String: Any])?["state"] as? String
    }

    /// Waits until the programme shows `picture`, sampling it every 5 ms; returns how long it took
    /// and every distinct picture seen on the way.
    @discardableResult
    func waitForProgramme(_ picture: String, within timeout: Duration = .seconds(10)) async throws -> (elapsed: Duration, seen: [String]) {
        let started = ContinuousClock.now
        var seen: [String] = []
        while ContinuousClock.now - started < timeout {
            let now = obs.programPicture
            if seen.last != now { seen.append(now) }
            if now == picture { return (ContinuousClock.now - started, seen) }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw ServiceProcessError("the programme never showed \(picture) within \(timeout); it went \(seen)")
    }

    func waitUntil(_ what: String, within timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < timeout {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServiceProcessError("timed out waiting until \(what)")
    }
}

@Suite(.serialized) struct OBSBridgeSystemTests {
    let alpha = BridgeRig.url("ALPHA"), bravo = BridgeRig.url("BRAVO"), charlie = BridgeRig.url("CHARLIE")

    @Test func aPrerolledHandoverIsAVisibilitySwapAndNeverBlack() async throws {
        let rig = try await BridgeRig.start()
        try await rig.run { rig in
            rig.obs.setLive(alpha, true)
            rig.obs.setLive(bravo, true)
            try await rig.publish("Alpha", client: "alpha1", stream: "ALPHA")
            try await rig.publish("Bravo", client: "bravo1", stream: "BRAVO")
            let first = try await rig.waitForProgramme(alpha)
            #expect(!first.seen.contains("black"), "went \(first.seen)")
            try await rig.waitUntil("Bravo is pre-rolled, covered and muted") { rig.obs.isPrerolled(bravo) }
            #expect(rig.obs.audibleOnProgramme == [alpha], "only the lead is heard")

            try await rig.leave(client: "alpha1")
            let handover = try await rig.waitForProgramme(bravo, within: .seconds(3))
            #expect(handover.seen.allSatisfy { $0 == alpha || $0 == bravo }, "went \(handover.seen)")
            #expect(handover.elapsed < .milliseconds(1500))
            try await rig.waitUntil("only Bravo is heard") { rig.obs.audibleOnProgramme == [bravo] }
            print("fake OBS, pre-rolled handover: \(handover.elapsed)")

            #expect(rig.obs.items(in: "MOTHERSTREAM").last?.source == "TIMER", "the overlay must stay above the lead")
            #expect(rig.obs.violations.isEmpty, "\(rig.obs.violations)")
        }
    }

    @Test func aLeadWhoWasNotPrerolledNeverLeavesTheProgrammeBlack() async throws {
        let rig = try await BridgeRig.start()
        try await rig.run { rig in
            rig.obs.setLive(alpha, true)
            rig.obs.setLive(charlie, true)
            try await rig.publish("Alpha", client: "alpha1", stream: "ALPHA")
            try await rig.waitForProgramme(alpha)
            rig.obs.setLive(alpha, false)  // Alpha's encoder stops; OBS keeps the frozen frame
            async let joined: Void = rig.publish("Charlie", client: "charlie1", stream: "CHARLIE")
            async let left: Void = rig.leave(client: "alpha1")
            _ = try await (joined, left)
            let handover = try await rig.waitForProgramme(charlie, within: .seconds(8))
            #expect(!handover.seen.contains("black"), "went \(handover.seen)")
            print("fake OBS, handover without pre-roll: \(handover.elapsed) via \(handover.seen)")
            #expect(rig.obs.violations.isEmpty, "\(rig.obs.violations)")
        }
    }

    @Test func anEmptyQueueShowsTheHoldingScene() async throws {
        let rig = try await BridgeRig.start()
        try await rig.run { rig in
            rig.obs.setLive(alpha, true)
            try await rig.publish("Alpha", client: "alpha1", stream: "ALPHA")
            try await rig.waitForProgramme(alpha)
            try await rig.leave(client: "alpha1")
            try await rig.waitForProgramme("hold")
        }
    }

    @Test func aFadeIsSetAsOBSsOwnTransitionAndTheHandoverStillArrives() async throws {
        let rig = try await BridgeRig.start(extra: ["OBS_TRANSITION": "fade", "OBS_TRANSITION_MS": "500"])
        try await rig.run { rig in
            try await rig.waitUntil("OBS's transition is a 500 ms fade") { rig.obs.transition == ("Fade", 500) }
            rig.obs.setLive(alpha, true)
            try await rig.publish("Alpha", client: "alpha1", stream: "ALPHA")
            try await rig.waitForProgramme(alpha)
            #expect(rig.obs.violations.isEmpty, "\(rig.obs.violations)")
        }
    }

    @Test func aBridgeKilledMidHandoverEndsInTheRightPicture() async throws {
        let rig = try await BridgeRig.start()
        try await rig.run { rig in
            rig.obs.setLive(alpha, true)
            rig.obs.setLive(bravo, true)
            try await rig.publish("Alpha", client: "alpha1", stream: "ALPHA")
            try await rig.publish("Bravo", client: "bravo1", stream: "BRAVO")
            try await rig.waitForProgramme(alpha)
            await rig.bridge.kill()
            try await rig.leave(client: "alpha1")
            try await rig.bridge.start()
            try await rig.waitForProgramme(bravo)
            #expect(rig.obs.violations.isEmpty, "\(rig.obs.violations)")
        }
    }

    @Test func anOBSRestartIsRebuiltFromTheQueue() async throws {
        let rig = try await BridgeRig.start()
        try await rig.run { rig in
            rig.obs.setLive(alpha, true)
            try await rig.publish("Alpha", client: "alpha1", stream: "ALPHA")
            try await rig.waitForProgramme(alpha)
            await rig.obs.shutDown()
            try await rig.waitUntil("the bridge notices") { try await rig.obsState() != "connected" }
            try await rig.obs.boot()
            try await rig.waitForProgramme(alpha, within: .seconds(15))
            #expect(rig.obs.items(in: "MOTHERSTREAM").last?.source == "TIMER")
        }
    }

    @Test func aWrongPasswordIsAConfigurationErrorNotATightLoop() async throws {
        let rig = try await BridgeRig.start(bridgePassword: "not-the-password")
        try await rig.run { rig in
            try await rig.waitUntil("the error is visible") { try await rig.obsState() == "configuration_error" }
            let status = try await rig.status()
            #expect(((status["obs"] as? [String: Any])?["last_error"] as? String)?.contains("4009") == true)
            try await Task.sleep(for: .seconds(2))
            #expect(rig.obs.identifyAttempts <= 2, "retried \(rig.obs.identifyAttempts) times in two seconds")
            let ready = try await TestHTTP().get("\(rig.bridge.baseURL)/ready")
            #expect(ready.status == 503)
        }
    }

    @Test func aKickFromOBSsUIStopsReconnectingUntilAsked() async throws {
        let rig = try await BridgeRig.start()
        try await rig.run { rig in
            try await rig.waitUntil("connected") { try await rig.obsState() == "connected" }
            await rig.obs.kickSessions()
            try await rig.waitUntil("kicked") { try await rig.obsState() == "kicked" }
            try await Task.sleep(for: .seconds(2))
            #expect(rig.obs.connectedSessions == 0)
            _ = try await TestHTTP().post("\(rig.bridge.baseURL)/internal/v1/reconnect", json: "{}", headers: rig.auth)
            try await rig.waitUntil("connected again") { try await rig.obsState() == "connected" }
        }
    }
}
