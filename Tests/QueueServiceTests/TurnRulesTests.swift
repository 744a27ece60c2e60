import Foundation
import Shared
import Testing
@testable import QueueService

/// Turns: deadlines, reconnect grace, the block rule and admin control, on the pure machine.
@Suite struct TurnRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let admin = UUID()
    let a = QueueMachineTests.DJ(name: "Alpha")
    let b = QueueMachineTests.DJ(name: "Bravo")
    let c = QueueMachineTests.DJ(name: "Charlie")

    func machine(_ rules: QueueRules = QueueRules(), interval: Double = 3600) -> QueueMachine {
        QueueMachine(state: QueueState(swapInterval: interval), rules: rules)
    }

    // MARK: Deadlines

    @Test func theDeadlineFiresExactlyToTheMillisecond() {
        var queue = machine()
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0 + 5)
        let deadline = t0 + 3600
        #expect(queue.nextWakeUp == deadline)
        #expect(queue.tick(now: deadline - 0.001).isEmpty)
        #expect(queue.state.lead?.userId == a.id)

        let events = queue.tick(now: deadline)
        #expect(events.map(\.type) == [.turnEnded, .turnStarted])
        #expect(events[0].payload.reason == .timeLimit)
        #expect(queue.state.lead?.userId == b.id)
        #expect(queue.state.lead?.deadline == deadline + 3600)
        #expect(queue.state.pendingKicks.map(\.clientId) == ["a1"])
        #expect(queue.state.sessions.map(\.clientId) == ["b1"])
    }

    @Test func aKickedLeadWhoReconnectsJoinsBehindTheNewLead() {
        var queue = machine()
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        _ = queue.tick(now: t0 + 3600)
        #expect(queue.closeSession(clientId: "a1", now: t0 + 3600.1).map(\.type) == [.kickSettled])
        let (reply, _) = queue.publish(a.publish("a2"), now: t0 + 3602)
        #expect(reply == PublishReply(decision: .queued, position: 1))
        #expect(queue.state.djNamesInOrder == ["Bravo", "Alpha"])
        #expect(queue.state.pendingKicks.isEmpty)
    }

    @Test func aLeadAlonePlaysOnUntilSomeoneJoins() {
        var queue = machine()
        _ = queue.publish(a.publish("a1"), now: t0)
        #expect(queue.nextWakeUp == nil)
        #expect(queue.tick(now: t0 + 5000).isEmpty)
        #expect(queue.state.remainingTime(now: t0 + 5000) == 0)
        let (reply, events) = queue.publish(b.publish("b1"), now: t0 + 5000)
        #expect(reply.decision == .lead)
        #expect(events.map(\.type) == [.sessionOpened, .djJoined, .turnEnded, .turnStarted])
        #expect(events[2].payload.reason == .timeLimit)
        #expect(queue.state.pendingKicks.map(\.clientId) == ["a1"])
    }

    @Test func withKickWhenAloneTheTurnEndsAnyway() {
        var queue = machine(QueueRules(kickWhenAlone: true))
        _ = queue.publish(a.publish("a1"), now: t0)
        #expect(queue.nextWakeUp == t0 + 3600)
        let events = queue.tick(now: t0 + 3600)
        #expect(events.map(\.type) == [.turnEnded])
        #expect(queue.state.lead == nil)
        #expect(queue.state.pendingKicks.map(\.clientId) == ["a1"])
    }

    @Test func noTimerRunsWithNobodyOnAir() throws {
        var queue = machine(QueueRules(kickWhenAlone: true))
        #expect(queue.nextWakeUp == nil)
        _ = try queue.setInterval(120, restartClock: true, by: admin, now: t0)
        #expect(queue.nextWakeUp == nil)
        #expect(queue.state.remainingTime(now: t0) == 0)
        #expect(queue.state.swapInterval == 120)
        _ = queue.publish(a.publish("a1"), now: t0 + 10)
        #expect(queue.nextWakeUp == t0 + 130)
    }

    // MARK: Timer control

    @Test func changingTheIntervalMovesTheCurrentDeadline() throws {
        var queue = machine()
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = try queue.setInterval(1800, restartClock: false, by: admin, now: t0 + 100)
        #expect(queue.state.lead?.deadline == t0 + 1800)
        let events = try queue.setInterval(600, restartClock: true, by: admin, now: t0 + 200)
        #expect(queue.state.lead?.deadline == t0 + 800)
        #expect(events.map(\.type) == [.timerChanged])
        #expect(events[0].payload.actorId == admin)
        #expect(throws: QueueCommandError.invalidSeconds) { try queue.setInterval(0, restartClock: false, by: admin, now: t0) }
    }

    @Test func extendingGivesOnlyTheCurrentTurnMore() throws {
        var queue = machine()
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        _ = try queue.extendTurn(by: 300, admin: admin, now: t0 + 10)
        #expect(queue.state.lead?.deadline == t0 + 3900)
        #expect(queue.tick(now: t0 + 3600).isEmpty)
        _ = queue.tick(now: t0 + 3900)
        #expect(queue.state.lead?.userId == b.id)
        #expect(queue.state.lead?.deadline == t0 + 3900 + 3600)
        var empty = machine()
        #expect(throws: QueueCommandError.nobodyOnAir) { try empty.extendTurn(by: 60, admin: admin, now: t0) }
    }

    // MARK: Reconnect grace

    @Test func aLeadWhoReconnectsWithinTheGraceKeepsTheLeadAndTheDeadline() {
        var queue = machine(QueueRules(leadGrace: 15))
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        let dropped = queue.closeSession(clientId: "a1", now: t0 + 100)
        #expect(dropped.map(\.type) == [.sessionClosed, .leadDisconnected])
        #expect(dropped[1].payload.endsAt == t0 + 115)
        #expect(queue.nextWakeUp == t0 + 115)
        let (reply, events) = queue.publish(a.publish("a2"), now: t0 + 114)
        #expect(reply.decision == .lead)
        #expect(events.map(\.type) == [.sessionOpened, .leadResumed])
        #expect(queue.state.lead?.deadline == t0 + 3600)
        #expect(queue.nextWakeUp == t0 + 3600)
    }

    @Test func aLeadWhoStaysAwayIsReplacedWhenTheGraceEnds() {
        var queue = machine(QueueRules(leadGrace: 15))
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        _ = queue.closeSession(clientId: "a1", now: t0 + 100)
        #expect(queue.tick(now: t0 + 114.999).isEmpty)
        let events = queue.tick(now: t0 + 115)
        #expect(events.map(\.type) == [.turnEnded, .turnStarted])
        #expect(events[0].payload.reason == .dropped)
        #expect(queue.state.lead?.userId == b.id)
        #expect(queue.state.pendingKicks.isEmpty, "a dropped lead has no session left to kick")
    }

    @Test func aWaitingDJKeepsTheirPlaceWithinTheGrace() {
        var queue = machine(QueueRules(waitingGrace: 15))
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        _ = queue.publish(c.publish("c1"), now: t0)
        #expect(queue.closeSession(clientId: "b1", now: t0 + 10).map(\.type) == [.sessionClosed, .djDisconnected])
        let (reply, events) = queue.publish(b.publish("b2"), now: t0 + 20)
        #expect(reply == PublishReply(decision: .queued, position: 1))
        #expect(events.map(\.type) == [.sessionOpened, .djResumed])
        _ = queue.closeSession(clientId: "c1", now: t0 + 30)
        let expired = queue.tick(now: t0 + 45)
        #expect(expired.map(\.type) == [.djLeft])
        #expect(expired[0].payload.reason == .dropped)
        #expect(queue.state.djNamesInOrder == ["Alpha", "Bravo"])
    }

    @Test func aDisconnectedWaitingDJIsPassedOverForTheLead() {
        var queue = machine(QueueRules(leadGrace: 0, waitingGrace: 15))
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        _ = queue.publish(c.publish("c1"), now: t0)
        _ = queue.closeSession(clientId: "b1", now: t0 + 10)
        _ = queue.closeSession(clientId: "a1", now: t0 + 11)
        #expect(queue.state.lead?.userId == c.id)
        #expect(queue.state.waiting.map(\.userId) == [b.id])
    }

    // MARK: Block rule

    @Test func aBlockedDJCannotReclaimAnEmptyQueueUntilSomeoneElseLeads() {
        var queue = machine(QueueRules(kickWhenAlone: true))
        queue = blocking(queue)
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.tick(now: t0 + 3600)
        let (refused, events) = queue.publish(a.publish("a2"), now: t0 + 3601)
        #expect(refused.decision == .refused)
        #expect(events.isEmpty)
        #expect(queue.state.sessions.isEmpty)
        #expect(queue.state.publicView(seq: 0, now: t0).blocking.lastDjName == "Alpha")

        _ = queue.publish(b.publish("b1"), now: t0 + 3602)
        #expect(queue.state.blockedDJ == nil)
        let (queued, _) = queue.publish(a.publish("a3"), now: t0 + 3603)
        #expect(queued.decision == .queued)
    }

    @Test func aBlockedDJMayQueueBehindOthers() {
        var queue = blocking(machine())
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        _ = try? queue.skip(by: admin, now: t0 + 10)
        _ = queue.closeSession(clientId: "a1", now: t0 + 10.1)
        let (reply, _) = queue.publish(a.publish("a2"), now: t0 + 11)
        #expect(reply == PublishReply(decision: .queued, position: 1))
    }

    @Test func theBlockLiftsAfterTheCooldown() {
        var queue = blocking(machine(QueueRules(kickWhenAlone: true, blockCooldown: 60)))
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.tick(now: t0 + 3600)
        #expect(queue.publish(a.publish("a2"), now: t0 + 3659).reply.decision == .refused)
        #expect(queue.publish(a.publish("a3"), now: t0 + 3660).reply.decision == .lead)
    }

    @Test func withTheBlockOffTheLastDJMayReturnAtOnce() {
        var queue = machine(QueueRules(kickWhenAlone: true))
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.tick(now: t0 + 3600)
        #expect(queue.publish(a.publish("a2"), now: t0 + 3601).reply.decision == .lead)
    }

    @Test func leavingDoesNotArmTheBlock() {
        var queue = blocking(machine(QueueRules(leadGrace: 0)))
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.closeSession(clientId: "a1", now: t0 + 60)
        #expect(queue.publish(a.publish("a2"), now: t0 + 61).reply.decision == .lead)
    }

    // MARK: Admin

    @Test func skipEndsTheTurnKicksTheLeadAndPromotesTheNext() throws {
        var queue = machine()
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(a.publish("a2"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        let events = try queue.skip(by: admin, now: t0 + 30)
        #expect(events.map(\.type) == [.turnEnded, .turnStarted])
        #expect(events[0].payload.reason == .skipped)
        #expect(events[0].payload.actorId == admin)
        #expect(Set(queue.state.pendingKicks.map(\.clientId)) == ["a1", "a2"])
        #expect(queue.state.lead?.userId == b.id)
        var empty = machine()
        #expect(throws: QueueCommandError.nobodyOnAir) { try empty.skip(by: admin, now: t0) }
    }

    @Test func removeAndMoveRearrangeTheWaitingLine() throws {
        var queue = machine()
        let d = QueueMachineTests.DJ(name: "Delta")
        for (dj, client) in [(a, "a1"), (b, "b1"), (c, "c1"), (d, "d1")] {
            _ = queue.publish(dj.publish(client), now: t0)
        }
        let moved = try queue.move(d.id, to: 1, by: admin, now: t0 + 1)
        #expect(moved.first?.payload.fromPosition == 3)
        #expect(queue.state.djNamesInOrder == ["Alpha", "Delta", "Bravo", "Charlie"])
        _ = try queue.remove(b.id, by: admin, now: t0 + 2)
        #expect(queue.state.djNamesInOrder == ["Alpha", "Delta", "Charlie"])
        #expect(queue.state.pendingKicks.map(\.clientId) == ["b1"])
        #expect(throws: QueueCommandError.isOnAir) { try queue.remove(a.id, by: admin, now: t0) }
        #expect(throws: QueueCommandError.noSuchPosition(2)) { try queue.move(c.id, to: 3, by: admin, now: t0) }
        #expect(throws: QueueCommandError.notInQueue) { try queue.move(b.id, to: 1, by: admin, now: t0) }
    }

    @Test func pauseHoldsPromotionUntilResumed() {
        var queue = machine(QueueRules(leadGrace: 0))
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        #expect(queue.pause(by: admin, now: t0 + 1).map(\.type) == [.queuePaused])
        let leaving = queue.closeSession(clientId: "a1", now: t0 + 2)
        #expect(leaving.map(\.type) == [.sessionClosed, .turnEnded])
        #expect(queue.state.lead == nil)
        #expect(queue.publish(c.publish("c1"), now: t0 + 3).reply == PublishReply(decision: .queued, position: 2))
        let resumed = queue.resume(by: admin, now: t0 + 4)
        #expect(resumed.map(\.type) == [.queueResumed, .turnStarted])
        #expect(queue.state.lead?.userId == b.id)
    }

    @Test func clearEmptiesTheQueueAndKicksEveryone() {
        var queue = machine()
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        let events = queue.clear(by: admin, now: t0 + 1)
        #expect(events.map(\.type) == [.turnEnded, .djLeft, .queueCleared])
        #expect(queue.state.lead == nil && queue.state.waiting.isEmpty && queue.state.sessions.isEmpty)
        #expect(Set(queue.state.pendingKicks.map(\.clientId)) == ["a1", "b1"])
        #expect(queue.clear(by: admin, now: t0 + 2).isEmpty)
    }

    @Test func theBlockToggleFlipsTheRuleAndNamesTheAdmin() throws {
        var queue = machine()
        let on = try queue.apply(.toggleBlocking, by: admin, now: t0)
        #expect(on.map(\.type) == [.blockChanged])
        #expect(on.first?.payload.enabled == true && on.first?.payload.actorId == admin)
        #expect(queue.state.blockEnabled)
        let off = try queue.apply(.toggleBlocking, by: admin, now: t0 + 1)
        #expect(off.first?.payload.enabled == false)
        #expect(!queue.state.blockEnabled)
    }

    @Test func kicksAreSettledByConfirmationOrByTheSessionClosing() throws {
        var queue = machine()
        _ = queue.publish(a.publish("a1"), now: t0)
        _ = queue.publish(a.publish("a2"), now: t0)
        _ = queue.publish(b.publish("b1"), now: t0)
        _ = try queue.skip(by: admin, now: t0 + 1)
        #expect(queue.kickSettled(clientId: "a1", now: t0 + 2).map(\.type) == [.kickSettled])
        #expect(queue.closeSession(clientId: "a2", now: t0 + 3).map(\.type) == [.kickSettled])
        #expect(queue.state.pendingKicks.isEmpty)
        #expect(queue.kickSettled(clientId: "a1", now: t0 + 4).isEmpty)
    }

    func blocking(_ queue: QueueMachine) -> QueueMachine {
        var queue = queue
        _ = queue.setBlocking(true, by: admin, now: t0)
        return queue
    }
}
