import Foundation
import Shared
import Testing
@testable import OBSBridge

/// A stalled lead (QueueService's `lead.stalled`): the holding scene covers the frozen picture,
/// the input is kept, and the recovery cuts back without black.
extension ReconcilePlannerTests {
    @Test func aStalledLeadIsCoveredByTheHoldingSceneAndTheirInputKept() {
        let observed = obs(program: "MOTHERSTREAM", b: playing(alpha, cursor: 9000))
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha, leadStalled: true), observed: observed, memory: moving(.b), now: t0, policy: policy)
        #expect(types(plan) == ["SetInputMute", "SetCurrentProgramScene"])
        #expect(plan.requests[0].data?["inputName"] == "Motherstream Lead B")
        #expect(plan.requests[0].data?["inputMuted"] == true)
        #expect(plan.requests[1].data?["sceneName"] == "BRB")
    }

    @Test func aStalledLeadIsNeverReloadedAndThePictureTimeoutWaitsForTheRecovery() {
        var memory = sized
        memory[.b]?.loadedAt = t0 + (-60)
        let observed = obs(b: playing(alpha, cursor: 9000))
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha, leadStalled: true), observed: observed, memory: memory, now: t0, policy: policy)
        #expect(types(plan).isEmpty, "held on the holding scene, nothing reloaded")
        #expect(plan.memory[.b]?.loadedAt == t0)

        let recovered = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: observed, memory: plan.memory, now: t0 + 1, policy: policy)
        #expect(!types(recovered).contains("SetInputSettings"), "a second after the recovery the picture still has its full timeout")
        #expect(recovered.converging)
    }

    @Test func theNextDJIsStillPreRolledWhileTheLeadIsStalled() {
        let observed = obs(b: playing(alpha, cursor: 9000))
        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha, nextURL: bravo, leadStalled: true), observed: observed, memory: sized, now: t0, policy: policy)
        #expect(types(plan) == ["SetInputSettings"])
        #expect(plan.requests[0].data?["inputName"] == "Motherstream Lead A")
        #expect(plan.requests[0].data?["inputSettings"]?["input"] == .string(bravo))
    }

    @Test func aRecoveredLeadIsCutBackOnceTheirPictureMovesAgain() {
        let observed = obs(b: playing(alpha, cursor: 9500))
        var memory = moving(.b)
        memory[.b]?.advancingSince = t0
        let early = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: observed, memory: memory, now: t0 + 0.3, policy: policy)
        #expect(types(early).isEmpty, "the holding scene stays until the warm-up passed")
        #expect(early.converging)

        let plan = ReconcilePlanner.plan(desired: DesiredProgram(leadURL: alpha), observed: observed, memory: memory, now: t0 + 1, policy: policy)
        #expect(types(plan) == ["SetInputMute", "SetCurrentProgramScene"])
        #expect(plan.requests[0].data?["inputMuted"] == false)
        #expect(plan.requests[1].data?["sceneName"] == "MOTHERSTREAM")
    }

    @Test func theDesiredProgrammeHoldsWhileTheQueueSaysStalled() {
        let session = SessionView(clientId: "c1", app: "live", stream: "ALPHA", openedAt: t0)
        var lead = LineupEntry(userId: UUID(), djName: "Alpha", joinedAt: t0, turnStartedAt: t0, turnEndsAt: t0 + 60, graceEndsAt: nil, sessions: [session])
        let template = "rtmp://127.0.0.1:1935/{app}/{stream}"
        func program() -> DesiredProgram {
            DesiredProgram(state: InternalQueueState(seq: 1, lead: lead, waiting: [], swapIntervalSeconds: 60, paused: false), template: template)
        }
        #expect(program().leadStalled == false)
        lead.stalledSince = t0 + 10
        #expect(program().leadStalled == true && program().leadURL == alpha, "held, but the input stays loaded")
        lead.graceEndsAt = t0 + 30
        #expect(program().leadStalled == false && program().leadURL == nil, "a lead in their grace is held by the grace")
    }
}
