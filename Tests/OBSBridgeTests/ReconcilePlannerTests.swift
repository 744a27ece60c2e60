import Foundation
import Shared
import Testing
@testable import OBSBridge

/// The planner: desired × observed (× memory) → requests.
@Suite struct ReconcilePlannerTests {
    let policy = ReconcilePolicy()
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let alpha = "rtmp://127.0.0.1:1935/live/ALPHA"
    let bravo = "rtmp://127.0.0.1:1935/live/BRAVO"
    let charlie = "rtmp://127.0.0.1:1935/live/CHARLIE"

    /// OBS with both inputs present and visible: A at index 0 (bottom), B at 1, the overlay above.
    func obs(program: String = "BRB", a: ObservedSlot = ObservedSlot(), b: ObservedSlot = ObservedSlot()) -> ObservedOBS {
        var observed = ObservedOBS()
        observed.programScene = program
        observed.scenes = ["MOTHERSTREAM", "BRB"]
        var a = a, b = b
        a.exists = true; a.sceneItemId = 10; a.sceneItemIndex = 0; a.enabled = true; a.muted = a.muted ?? true
        // On the holding scene everything is silent; on the live scene the input on top (B) is heard.
        b.exists = true; b.sceneItemId = 11; b.sceneItemIndex = 1; b.enabled = true; b.muted = b.muted ?? (program != "MOTHERSTREAM")
        observed.slots = [.a: a, .b: b]
        observed.liveSceneItemCount = 3
        observed.holdItems = .init(nestedLiveId: 20, nestedLiveIndex: 0, nestedLiveEnabled: true, coverExists: true, coverId: 21, coverIndex: 1, coverEnabled: true)
        return observed
    }

    func playing(_ url: String, cursor: Int, muted: Bool? = nil) -> ObservedSlot {
        ObservedSlot(url: url, mediaState: "OBS_MEDIA_STATE_PLAYING", mediaCursor: cursor, muted: muted)
    }

    let sized: [Slot: SlotMemory] = [.a: SlotMemory(sized: true), .b: SlotMemory(sized: true)]

    func moving(_ slots: Slot...) -> [Slot: SlotMemory] {
        var memory = sized
        for slot in slots { memory[slot]?.advancing = true }
        return memory
    }

    func types(_ plan: ReconcilePlan) -> [String] { plan.requests.map(\.type) }

    @Test func missingInputsAreCreatedVisibleInTheLiveScene() {
        var observed = ObservedOBS()
        observed.scenes = ["MOTHERSTREAM", "BRB"]
        let plan = ReconcilePlanner.plan(desired: .holding, observed: observed, memory: [:], now: t0, policy: policy)
        #expect(types(plan) == ["CreateInput", "CreateInput", "CreateInput", "CreateSceneItem"])
        #expect(plan.requests[0].data?["inputSettings"]?["restart_on_activate"] == false)
        #expect(plan.requests[0].data?["inputSettings"]?["reconnect_delay_sec"] == 1)
        #expect(plan.converging)
    }

    @Test func inputsFillTheCanvasAndStayUnderTheOverlays() {
        var observed = obs()
        observed.slots[.b]?.sceneItemIndex = 2
        let plan = ReconcilePlanner.plan(desired: .holding, observed: observed, memory: [:], now: t0, policy: policy)
        #expect(types(plan).filter { $0 == "SetSceneItemTransform" }.count == 2)
        #expect(plan.requests.first { $0.type == "SetSceneItemTransform" }?.data?["sceneItemTransform"]?["boundsType"] == "OBS_BOUNDS_SCALE_OUTER")
        #expect(plan.requests.contains { $0.type == "SetSceneItemIndex" && $0.data?["sceneItemId"] == 11 && $0.data?["sceneItemIndex"] == 0 })
        #expect(plan.memory[.a]?.sized == true)
    }

    @Test func aNewLeadIsLoadedUnderneathWhileTheProgrammeHolds() {
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: obs(), memory: sized, now: t0, policy: policy)
        #expect(types(plan) == ["SetInputSettings"])
        #expect(plan.requests[0].data?["inputName"] == "Motherstream Lead A")
        #expect(plan.requests[0].data?["inputSettings"]?["input"] == .string(alpha))
        #expect(plan.memory[.a]?.loadedAt == t0)
        #expect(plan.converging)
    }

    /// PLAYING is not a picture (obs-headless.md P3): only a moving cursor is.
    @Test func aLeadGoesOnAirOnlyOnceItsCursorMoves() {
        var memory = sized
        memory[.a]?.loadedAt = t0
        let waiting = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: obs(a: playing(alpha, cursor: 0)), memory: memory, now: t0 + 1, policy: policy)
        #expect(types(waiting).isEmpty)
        #expect(waiting.converging)

        memory[.a]?.advancing = true
        memory[.a]?.advancingSince = t0 + 1.1
        let early = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: obs(a: playing(alpha, cursor: 480)), memory: memory, now: t0 + 1.8, policy: policy)
        #expect(!types(early).contains("SetCurrentProgramScene"), "not before the warm-up")
        let show = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: obs(a: playing(alpha, cursor: 480)), memory: memory, now: t0 + 2, policy: policy)
        // A goes on top and is heard (everything was muted while holding), then the cut.
        #expect(types(show) == ["SetSceneItemIndex", "SetInputMute", "SetCurrentProgramScene"])
        #expect(show.requests[0].data?["sceneName"] == "MOTHERSTREAM")
        #expect(show.requests[0].data?["sceneItemId"] == 10 && show.requests[0].data?["sceneItemIndex"] == 1)
        #expect(show.requests[1].data?["inputName"] == "Motherstream Lead A" && show.requests[1].data?["inputMuted"] == false)
        #expect(show.requests[2].data?["sceneName"] == "MOTHERSTREAM")
    }

    /// A pre-rolled handover: the next DJ, already drawn underneath, goes on top and is unmuted;
    /// the outgoing DJ is muted. No input is hidden or shown, so OBS always has a fresh picture.
    @Test func aPrerolledHandoverIsAReorderAndAMuteSwap() {
        let observed = obs(program: "MOTHERSTREAM", a: playing(bravo, cursor: 5000), b: playing(alpha, cursor: 9000))
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: bravo), observed: observed, memory: moving(.a, .b), now: t0, policy: policy)
        #expect(types(plan) == ["SetSceneItemIndex", "SetInputMute", "SetInputMute"])
        #expect(plan.requests[0].data?["sceneItemId"] == 10 && plan.requests[0].data?["sceneItemIndex"] == 1)
        #expect(!types(plan).contains("SetSceneItemEnabled"))
    }

    @Test func theNextDJIsPrerolledUnderneathAndMuted() {
        let observed = obs(program: "MOTHERSTREAM", b: playing(alpha, cursor: 9000))
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha, nextURL: bravo), observed: observed, memory: moving(.b), now: t0, policy: policy)
        #expect(types(plan) == ["SetInputSettings"])
        #expect(plan.requests[0].data?["inputName"] == "Motherstream Lead A")
        #expect(plan.requests[0].data?["inputSettings"]?["input"] == .string(bravo))
    }

    @Test func aLeadWhoWasNotPrerolledLoadsUnderneathWhileTheOldPictureStays() {
        // Alpha on top, Bravo pre-rolled underneath, but Charlie (not pre-rolled) takes over.
        let observed = obs(program: "MOTHERSTREAM", a: playing(bravo, cursor: 100), b: playing(alpha, cursor: 9000))
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: charlie), observed: observed, memory: moving(.a, .b), now: t0, policy: policy)
        #expect(types(plan) == ["SetInputSettings"])
        #expect(plan.requests[0].data?["inputName"] == "Motherstream Lead A")
        #expect(plan.requests[0].data?["inputSettings"]?["input"] == .string(charlie))
    }

    @Test func withNoPictureAnywhereTheProgrammeHoldsInsteadOfGoingBlack() {
        var memory = sized
        memory[.a]?.loadedAt = t0
        // Alpha's picture on top froze (cursor not moving), Charlie still loading underneath.
        let observed = obs(program: "MOTHERSTREAM", a: playing(charlie, cursor: 0), b: playing(alpha, cursor: 9000))
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: charlie), observed: observed, memory: memory, now: t0 + 1, policy: policy)
        #expect(types(plan) == ["SetInputSettings", "SetInputMute", "SetCurrentProgramScene"])
        #expect(plan.requests[0].data?["inputName"] == "Motherstream Lead B" && plan.requests[0].data?["inputSettings"]?["input"] == "")
        #expect(plan.requests[2].data?["sceneName"] == "BRB")
    }

    @Test func aLeadWithNoPictureInTimeIsLoadedAgain() {
        var memory = sized
        memory[.a]?.loadedAt = t0
        memory[.a]?.untouchableUntil = t0 + 1.5
        let observed = obs(a: playing(alpha, cursor: 0))
        #expect(types(ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: observed, memory: memory, now: t0 + 7.9, policy: policy)).isEmpty)
        let retry = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: observed, memory: memory, now: t0 + 8, policy: policy)
        #expect(types(retry) == ["SetInputSettings"])
        #expect(retry.memory[.a]?.reloads == 1)
    }

    @Test func anInputInItsReconnectWaitIsNeverTouched() {
        var memory = moving(.b)
        memory[.a]?.untouchableUntil = t0 + 1.5
        let observed = obs(program: "MOTHERSTREAM", a: ObservedSlot(url: charlie, mediaState: "OBS_MEDIA_STATE_ENDED"), b: playing(alpha, cursor: 9000))
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha, nextURL: bravo), observed: observed, memory: memory, now: t0 + 1, policy: policy)
        #expect(types(plan).isEmpty)
        #expect(plan.converging)
        let later = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha, nextURL: bravo), observed: observed, memory: memory, now: t0 + 1.5, policy: policy)
        #expect(types(later) == ["SetInputSettings"])
    }

    @Test func anEndedStreamMakesItsInputUntouchableForAReconnectDelay() {
        let observed = obs(b: ObservedSlot(url: charlie, mediaState: "OBS_MEDIA_STATE_ENDED"))
        let memory = ReconcilePlanner.remember(observed, in: sized, now: t0, policy: policy)
        #expect(memory[.b]?.untouchableUntil == t0 + 1.5)
    }

    @Test func aCursorStillForLongerThanTheToleranceIsAFrozenPicture() {
        var memory = ReconcilePlanner.remember(obs(a: playing(alpha, cursor: 933)), in: sized, now: t0, policy: policy)
        memory = ReconcilePlanner.remember(obs(a: playing(alpha, cursor: 1000)), in: memory, now: t0, policy: policy)
        #expect(memory[.a]?.advancing == true)
        // OBS moves the cursor in steps: a still read soon after is not yet a frozen picture …
        memory = ReconcilePlanner.remember(obs(a: playing(alpha, cursor: 1000)), in: memory, now: t0 + 0.5, policy: policy)
        #expect(memory[.a]?.advancing == true)
        // … but a cursor still for the whole tolerance is (PLAYING does not mean a picture).
        memory = ReconcilePlanner.remember(obs(a: playing(alpha, cursor: 1000)), in: memory, now: t0 + 1.5, policy: policy)
        #expect(memory[.a]?.advancing == false)
        memory = ReconcilePlanner.remember(obs(a: playing(alpha, cursor: 0)), in: sized, now: t0, policy: policy)
        #expect(memory[.a]?.advancing == false, "a stream waiting for its publisher reports PLAYING at cursor 0")
    }

    /// OBS 29 draws a reused input's previous stream until the frame after the new stream's
    /// first: the first cursor value after a load must not count as a picture, the next must.
    @Test func aReloadedInputCountsAsDeliveringFromItsSecondFrameNotItsFirst() {
        var memory = sized
        for (cursor, moving) in [(0, false), (0, false), (4156, false), (4156, false), (4222, true)] {
            memory = ReconcilePlanner.remember(obs(a: playing(alpha, cursor: cursor)), in: memory, now: t0, policy: policy)
            #expect(memory[.a]?.advancing == moving, "at cursor \(cursor)")
        }
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: obs(program: "MOTHERSTREAM", a: playing(alpha, cursor: 4222), b: playing(bravo, cursor: 9000)), memory: memory, now: t0, policy: policy)
        #expect(plan.requests.contains { $0.type == "SetSceneItemIndex" && $0.data?["sceneItemId"] == 10 }, "on top once its second frame is in")
    }

    @Test func aLeadWhoseFirstFrameJustArrivedStaysUnderneath() {
        var memory = ReconcilePlanner.remember(obs(a: playing(alpha, cursor: 0)), in: sized, now: t0, policy: policy)
        memory = ReconcilePlanner.remember(obs(a: playing(alpha, cursor: 4156)), in: memory, now: t0 + 0.1, policy: policy)
        var bMemory = memory
        bMemory[.b]?.advancing = true
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: obs(program: "MOTHERSTREAM", a: playing(alpha, cursor: 4156), b: playing(bravo, cursor: 9000)), memory: bMemory, now: t0 + 0.1, policy: policy)
        #expect(!plan.requests.contains { $0.type == "SetSceneItemIndex" }, "the old picture stays on top meanwhile")
        #expect(!plan.requests.contains { $0.type == "SetCurrentProgramScene" })
        #expect(plan.converging)
    }

    @Test func inputsAreOpenedWithAShortProbe() {
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: obs(), memory: sized, now: t0, policy: policy)
        let load = try? #require(plan.requests.first { $0.type == "SetInputSettings" })
        #expect(load?.data?["inputSettings"]?["ffmpeg_options"]?.string == "analyzeduration=500000")
    }

    @Test func theBridgeSetsOBSsTransitionForSceneCuts() {
        var observed = obs()
        observed.transitionName = "Cut"
        var fading = policy
        fading.transition = .fade(milliseconds: 500)
        let plan = ReconcilePlanner.plan(desired: .holding, observed: observed, memory: sized, now: t0, policy: fading)
        #expect(plan.requests.first { $0.type == "SetCurrentSceneTransition" }?.data?["transitionName"] == "Fade")
        #expect(plan.requests.first { $0.type == "SetCurrentSceneTransitionDuration" }?.data?["transitionDuration"] == 500)
        observed.transitionName = "Fade"
        observed.transitionMilliseconds = 500
        #expect(!types(ReconcilePlanner.plan(desired: .holding, observed: observed, memory: sized, now: t0, policy: fading)).contains { $0.contains("Transition") })
        observed.transitionName = "Cut"
        #expect(!types(ReconcilePlanner.plan(desired: .holding, observed: observed, memory: sized, now: t0, policy: policy)).contains { $0.contains("Transition") }, "the default cut is left alone")
        observed.transitionName = "Fade"
        #expect(types(ReconcilePlanner.plan(desired: .holding, observed: observed, memory: sized, now: t0, policy: policy)).contains("SetCurrentSceneTransition"))
    }

    @Test func aLeadInGraceShowsTheHoldingSceneStaysLoadedAndFallsSilent() {
        let observed = obs(program: "MOTHERSTREAM", b: playing(alpha, cursor: 9000))
        var desired = DesiredProgram.holding
        desired.resumingURL = alpha
        let plan = ReconcilePlanner.plan(desired: desired, observed: observed, memory: moving(.b), now: t0, policy: policy)
        #expect(types(plan) == ["SetInputMute", "SetCurrentProgramScene"])
        #expect(plan.requests[0].data?["inputName"] == "Motherstream Lead B" && plan.requests[0].data?["inputMuted"] == true)
        #expect(plan.requests[1].data?["sceneName"] == "BRB")
    }

    /// OBS does not draw a scene that is off the programme, and cutting to it shows black until it
    /// has drawn once: so the live scene is nested at the bottom of the holding scene, under an
    /// opaque cover, created hidden and shown once in place.
    @Test func theHoldingSceneKeepsTheLiveSceneDrawnUnderACover() {
        var observed = obs()
        observed.holdItems = .init()
        let create = ReconcilePlanner.plan(desired: .holding, observed: observed, memory: sized, now: t0, policy: policy)
        #expect(types(create) == ["CreateInput", "CreateSceneItem"])
        #expect(create.requests[0].data?["inputKind"] == "color_source_v3" && create.requests[0].data?["sceneItemEnabled"] == false)
        #expect(create.requests[1].data?["sourceName"] == "MOTHERSTREAM" && create.requests[1].data?["sceneName"] == "BRB")

        observed.holdItems = .init(nestedLiveId: 20, nestedLiveIndex: 3, coverExists: true, coverId: 21, coverIndex: 4)
        let place = ReconcilePlanner.plan(desired: .holding, observed: observed, memory: sized, now: t0, policy: policy)
        #expect(place.requests.filter { $0.data?["sceneName"] == "BRB" }.map(\.type) == ["SetSceneItemIndex", "SetSceneItemIndex"])
        observed.holdItems = .init(nestedLiveId: 20, nestedLiveIndex: 0, coverExists: true, coverId: 21, coverIndex: 1)
        let show = ReconcilePlanner.plan(desired: .holding, observed: observed, memory: sized, now: t0, policy: policy)
        #expect(show.requests.filter { $0.data?["sceneName"] == "BRB" }.map(\.type) == ["SetSceneItemEnabled", "SetSceneItemEnabled"])
    }

    @Test func anEmptyQueueHoldsAndUnloadsStreamsNobodyNeeds() {
        let observed = obs(program: "MOTHERSTREAM", a: playing(bravo, cursor: 100), b: playing(alpha, cursor: 9000))
        let plan = ReconcilePlanner.plan(desired: .holding, observed: observed, memory: moving(.a, .b), now: t0, policy: policy)
        #expect(types(plan) == ["SetInputSettings", "SetInputSettings", "SetInputMute", "SetCurrentProgramScene"])
        #expect(plan.requests[0].data?["inputSettings"]?["input"] == "")
        #expect(plan.requests[3].data?["sceneName"] == "BRB")
    }

    @Test func theTimerTextIsSetOnlyWhenItChanges() {
        var timed = policy
        timed.timerSource = "TIMER"
        var observed = obs(program: "MOTHERSTREAM", b: playing(alpha, cursor: 9000))
        let desired = DesiredProgram(leadURL: alpha, turnEndsAt: t0 + 3599.2)
        observed.timerText = "00:00"
        let plan = ReconcilePlanner.plan(desired: desired, observed: observed, memory: moving(.b), now: t0, policy: timed)
        #expect(plan.requests.map(\.type) == ["SetInputSettings"])
        #expect(plan.requests[0].data?["inputSettings"]?["text"] == "01:00:00")
        observed.timerText = "01:00:00"
        #expect(ReconcilePlanner.plan(desired: desired, observed: observed, memory: moving(.b), now: t0, policy: timed).requests.isEmpty)
    }

    @Test func theDesiredProgrammeFollowsTheQueue() {
        let session = SessionView(clientId: "c1", app: "live", stream: "ALPHA", openedAt: t0)
        let next = SessionView(clientId: "c2", app: "live", stream: "BRAVO", openedAt: t0)
        let lead = LineupEntry(userId: UUID(), djName: "Alpha", joinedAt: t0, turnStartedAt: t0, turnEndsAt: t0 + 60, graceEndsAt: nil, sessions: [session])
        let waiting = LineupEntry(userId: UUID(), djName: "Bravo", joinedAt: t0, turnStartedAt: nil, turnEndsAt: nil, graceEndsAt: nil, sessions: [next])
        let template = "rtmp://127.0.0.1:1935/{app}/{stream}"
        let state = InternalQueueState(seq: 4, lead: lead, waiting: [waiting], swapIntervalSeconds: 60, paused: false)
        let program = DesiredProgram(state: state, template: template)
        #expect(program.leadURL == alpha && program.nextURL == bravo && program.turnEndsAt == t0 + 60)

        var inGrace = lead
        inGrace.graceEndsAt = t0 + 15
        let holding = DesiredProgram(state: InternalQueueState(seq: 5, lead: inGrace, waiting: [], swapIntervalSeconds: 60, paused: false), template: template)
        #expect(holding.leadURL == nil && holding.resumingURL == alpha)
    }
}

extension Date {
    static func + (date: Date, seconds: Double) -> Date { date.addingTimeInterval(seconds) }
}
