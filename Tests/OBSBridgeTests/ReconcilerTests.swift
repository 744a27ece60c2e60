import Foundation
import Logging
import Testing
import TestSupport
@testable import OBSBridge

/// The reconcile loop against a scripted session, on a clock the test moves: what it sends,
/// what it counts, when it looks again, and when it stops.
@Suite(.timeLimit(.minutes(1))) struct ReconcilerTests {
    let policy = ReconcilePolicy()
    let alpha = "rtmp://127.0.0.1:1935/live/ALPHA"
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// OBS as an earlier connection left it: both inputs in the live scene, empty and muted,
    /// under the operator's overlay; the holding scene on air with the nested live scene and the
    /// cover at its bottom.
    func settledOBS(_ policy: ReconcilePolicy) -> [String: JSONValue] {
        let (a, b) = (policy.inputName(.a), policy.inputName(.b))
        var replies: [String: JSONValue] = [
            "GetCurrentProgramScene": ["currentProgramSceneName": .string(policy.holdScene)],
            "GetSceneList": ["scenes": [["sceneName": .string(policy.holdScene)], ["sceneName": .string(policy.liveScene)]]],
            "GetVideoSettings": ["baseWidth": 1920, "baseHeight": 1080],
            "GetSceneItemList \(policy.liveScene)": ["sceneItems": [
                ["sceneItemId": 10, "sourceName": .string(a), "sceneItemIndex": 0, "sceneItemEnabled": true],
                ["sceneItemId": 11, "sourceName": .string(b), "sceneItemIndex": 1, "sceneItemEnabled": true],
                ["sceneItemId": 1, "sourceName": "TIMER", "sceneItemIndex": 2, "sceneItemEnabled": true],
            ]],
            "GetSceneItemList \(policy.holdScene)": ["sceneItems": [
                ["sceneItemId": 20, "sourceName": .string(policy.liveScene), "sceneItemIndex": 0, "sceneItemEnabled": true],
                ["sceneItemId": 21, "sourceName": .string(policy.coverName), "sceneItemIndex": 1, "sceneItemEnabled": true],
            ]],
            "GetInputSettings \(policy.coverName)": ["inputKind": "color_source_v3", "inputSettings": [:]],
        ]
        for input in [a, b] {
            replies["GetInputSettings \(input)"] = ["inputKind": "ffmpeg_source", "inputSettings": ["input": ""]]
            replies["GetMediaInputStatus \(input)"] = ["mediaState": "OBS_MEDIA_STATE_NONE"]
            replies["GetInputMute \(input)"] = ["inputMuted": true]
        }
        return replies
    }

    func reconciler(_ clock: TestClock, policy: ReconcilePolicy? = nil, mutationGap: Duration = .zero) -> Reconciler {
        var logger = Logger(label: "reconciler-test")
        logger.logLevel = .critical
        return Reconciler(policy: policy ?? self.policy, mutationGap: mutationGap, logger: logger, clock: clock, now: { Self.t0 })
    }

    /// Waits, without sleeping, until the loop rests on the clock; every pass so far is done.
    func resting(_ clock: TestClock) async {
        #expect(await clock.waitForSleepers(1), "the loop never came to rest")
    }

    /// Closes the session and lets the loop's wait run out, as OBS quitting would.
    func end(_ serving: Task<Void, Never>, _ session: FakeOBSSession, _ clock: TestClock) async {
        session.close()
        await resting(clock)
        clock.advance(by: .seconds(1))
        await serving.value
    }

    @Test func aDesiredLeadIsLoadedWithThePlannedBatch() async throws {
        let clock = TestClock()
        let session = FakeOBSSession(replies: settledOBS(policy))
        let reconciler = reconciler(clock)
        await reconciler.want(DesiredProgram(leadURL: alpha))
        let serving = Task { await reconciler.serve(session) }
        var batches = session.batches.makeAsyncIterator()

        let reads = try #require(await batches.next())
        #expect(reads == OBSObservation.requests(policy))
        let changes = try #require(await batches.next())
        let observed = OBSObservation.parse(session.answers(reads), policy)
        let memory = ReconcilePlanner.remember(observed, in: [:], now: Self.t0, policy: policy)
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: observed, memory: memory, now: Self.t0, policy: policy)
        #expect(changes == plan.requests)
        #expect(changes.map(\.type) == ["SetSceneItemTransform", "SetSceneItemTransform", "SetInputSettings"])
        #expect(changes.last?.data?["inputName"]?.string == policy.inputName(.a), "loaded underneath, into the input below B")
        #expect(changes.last?.data?["inputSettings"]?["input"]?.string == alpha)

        await resting(clock)
        let status = await reconciler.currentStatus()
        #expect(status.desiredLeadURLKnown)
        #expect(status.requestsSent == 3)
        #expect(status.lastPassRequests == ["SetSceneItemTransform", "SetSceneItemTransform", "SetInputSettings"])
        #expect(status.failedRequests == 0)
        #expect(status.programScene == policy.holdScene)
        #expect(status.lastPassAt == Self.t0)
        await end(serving, session, clock)
    }

    @Test func anOBSRefusalIsCountedInTheStatus() async {
        let clock = TestClock()
        let session = FakeOBSSession(replies: settledOBS(policy))
        session.refuse("SetInputSettings", code: 604, comment: "The input is not in a state to be changed.")
        let reconciler = reconciler(clock)
        await reconciler.want(DesiredProgram(leadURL: alpha))
        let serving = Task { await reconciler.serve(session) }

        await resting(clock)
        let status = await reconciler.currentStatus()
        #expect(status.requestsSent == 3)
        #expect(status.failedRequests == 1)
        #expect(status.lastFailure == "SetInputSettings: 604 The input is not in a state to be changed.")
        await end(serving, session, clock)
    }

    @Test func aNudgeStartsAPassAtOnce() async throws {
        let clock = TestClock()
        let session = FakeOBSSession(replies: settledOBS(policy))
        let reconciler = reconciler(clock)
        await reconciler.want(DesiredProgram())
        let serving = Task { await reconciler.serve(session) }

        await resting(clock)
        let before = session.sent.count
        var batches = session.batches.makeAsyncIterator()
        for _ in 0..<before { _ = await batches.next() }
        await reconciler.nudge()
        #expect(try #require(await batches.next()) == OBSObservation.requests(policy))
        #expect(clock.now.offset == .zero, "woken by the nudge, not by the time running out")
        await end(serving, session, clock)
    }

    @Test func whileConvergingItLooksAgainAfterATenthOfASecond() async throws {
        let clock = TestClock()
        let session = FakeOBSSession(replies: settledOBS(policy))
        let reconciler = reconciler(clock)
        await reconciler.want(DesiredProgram(leadURL: alpha))
        let serving = Task { await reconciler.serve(session) }

        await resting(clock)
        let before = session.sent.count
        var batches = session.batches.makeAsyncIterator()
        for _ in 0..<before { _ = await batches.next() }
        clock.advance(by: .milliseconds(99))
        #expect(session.sent.count == before)
        clock.advance(by: .milliseconds(1))
        #expect(try #require(await batches.next()) == OBSObservation.requests(policy))
        await end(serving, session, clock)
    }

    @Test func itStopsWhenTheSessionCloses() async {
        let clock = TestClock()
        let session = FakeOBSSession(replies: settledOBS(policy))
        let reconciler = reconciler(clock)
        await reconciler.want(DesiredProgram(leadURL: alpha))
        let serving = Task { await reconciler.serve(session) }

        await resting(clock)
        let before = session.sent.count
        session.close()
        clock.advance(by: .milliseconds(100))
        await serving.value
        #expect(session.sent.count == before, "no pass after the session closed")
    }

    @Test func theMutationGapHoldsBackTheNextChanges() async throws {
        var policy = policy
        policy.timerSource = "Turn Timer"  // its text differs in every pass, so every pass changes something
        let clock = TestClock()
        let session = FakeOBSSession(replies: settledOBS(policy))
        let reconciler = reconciler(clock, policy: policy, mutationGap: .seconds(2))
        await reconciler.want(DesiredProgram(leadURL: alpha))
        let serving = Task { await reconciler.serve(session) }
        var batches = session.batches.makeAsyncIterator()

        _ = await batches.next()  // reads
        _ = await batches.next()  // changes, at 0 s
        #expect(try #require(await batches.next()) == OBSObservation.requests(policy), "the next pass reads at once")
        await resting(clock)
        #expect(session.sent.count == 3, "its changes wait for the gap")
        clock.advance(by: .milliseconds(1999))
        #expect(session.sent.count == 3)
        clock.advance(by: .milliseconds(1))
        let changes = try #require(await batches.next())
        #expect(changes.map(\.type) == ["SetInputSettings"])
        #expect(changes.first?.data?["inputName"]?.string == "Turn Timer")
        await end(serving, session, clock)
    }
}
