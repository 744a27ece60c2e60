import Foundation
import Shared
import Testing
@testable import QueueService

/// The lead's stream health on the pure machine, with a hand-set clock: stalls, recovery, the
/// stall skip as a wake-up, and low bitrate.
@Suite struct StreamHealthRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let alice = (id: UUID(), name: "Alice")
    let bob = (id: UUID(), name: "Bob")

    func machine(skip: TimeInterval? = 30, lowKbps: Double? = nil) -> QueueMachine {
        var queue = QueueMachine(
            state: QueueState(swapInterval: 3600),
            rules: QueueRules(leadGrace: 15, waitingGrace: 15, stallAfter: 5, stallSkipAfter: skip, lowBitrateKbps: lowKbps)
        )
        _ = queue.publish(PublishRequest(clientId: "a1", userId: alice.id, djName: alice.name, app: "live", stream: "KEYA"), now: t0)
        _ = queue.publish(PublishRequest(clientId: "b1", userId: bob.id, djName: bob.name, app: "live", stream: "KEYB"), now: t0)
        return queue
    }

    func report(at seconds: Double, _ publishers: PublisherHealth...) -> StreamHealthReport {
        StreamHealthReport(readAt: t0 + seconds, publishers: publishers)
    }

    func aliceReading(bytes: UInt64, kbps: Double? = nil) -> PublisherHealth { PublisherHealth(clientId: "a1", bytesReceived: bytes, kbps: kbps) }

    /// Reports every second from `from` to `to` with Alice's byte counter at `bytes(second)`.
    func feed(_ queue: inout QueueMachine, from: Int, to: Int, bytes: (Int) -> UInt64) -> [QueueEvent] {
        (from...to).flatMap { second in
            queue.tick(now: t0 + Double(second)) + queue.streamHealth(report(at: Double(second), aliceReading(bytes: bytes(second))), now: t0 + Double(second))
        }
    }

    @Test func withoutReportsNobodyIsEverStalled() {
        var queue = machine()
        #expect(queue.nextWakeUp == t0 + 3600, "no monitor, no health timer: only the turn's deadline")
        #expect(queue.tick(now: t0 + 600).isEmpty)
        #expect(queue.state.lead?.isStalled == false)
    }

    @Test func aLeadWhoseBytesStopIsStalledAfterStallSecondsAndRecoversWhenTheyMoveAgain() {
        var queue = machine()
        let flowing = feed(&queue, from: 0, to: 3) { UInt64(1000 * ($0 + 1)) }
        #expect(flowing.isEmpty)
        let frozen = feed(&queue, from: 4, to: 10) { _ in 4000 }
        #expect(frozen.map(\.type) == [.leadStalled])
        let stalled = frozen[0]
        #expect(stalled.time == t0 + 8, "last data at 3 s, stalled 5 s later")
        #expect(stalled.payload.startedAt == t0 + 3)
        #expect(stalled.payload.endsAt == t0 + 33)
        #expect(queue.state.lead?.stalledSince == t0 + 3)
        #expect(queue.state.publicView(seq: 0, now: t0 + 10).lead?.stalled == true)
        #expect(queue.state.internalView(seq: 0, withStreams: false).lead?.stalledSince == t0 + 3)

        let back = queue.streamHealth(report(at: 11, aliceReading(bytes: 5000)), now: t0 + 11)
        #expect(back.map(\.type) == [.leadRecovered])
        #expect(back[0].payload.seconds == 8)
        #expect(queue.state.lead?.isStalled == false)
        #expect(queue.nextWakeUp == t0 + 16)
    }

    @Test func reportsThatStopComingCountAsAStallAndTheSkipFiresOnItsOwnTimer() throws {
        var queue = machine()
        _ = feed(&queue, from: 0, to: 2) { UInt64(1000 * ($0 + 1)) }
        #expect(queue.nextWakeUp == t0 + 7)
        let stalled = queue.tick(now: t0 + 7)
        #expect(stalled.map(\.type) == [.leadStalled])
        #expect(queue.nextWakeUp == t0 + 32, "the skip is a wake-up: it needs no report")

        let skipped = queue.tick(now: t0 + 32)
        #expect(skipped.map(\.type) == [.turnEnded, .turnStarted])
        #expect(skipped[0].payload.reason == .stalled)
        #expect(skipped[0].payload.userId == alice.id)
        #expect(skipped[1].payload.userId == bob.id)
        #expect(queue.state.pendingKicks.map(\.clientId) == ["a1"], "the dead encoder is dropped")
        #expect(queue.state.blockedDJ == nil, "a stall does not arm the block rule")
    }

    @Test func stallSkipZeroNeverEndsTheTurn() {
        var queue = machine(skip: nil)
        _ = feed(&queue, from: 0, to: 1) { UInt64(1000 * ($0 + 1)) }
        #expect(queue.tick(now: t0 + 6).map(\.type) == [.leadStalled])
        #expect(queue.nextWakeUp == t0 + 3600, "only the turn's deadline")
        #expect(queue.tick(now: t0 + 3600 * 24).filter { $0.type == .turnEnded && $0.payload.reason == .stalled }.isEmpty)
    }

    @Test func aNewLeadGetsAFullStallWindowFromTheirTurnsStart() {
        var queue = machine()
        // Bob waits with a frozen stream; Alice streams.
        for second in 0...20 {
            _ = queue.streamHealth(report(at: Double(second), aliceReading(bytes: UInt64(1000 * (second + 1))), PublisherHealth(clientId: "b1", bytesReceived: 7)), now: t0 + Double(second))
        }
        _ = queue.closeSession(clientId: "a1", now: t0 + 20)
        _ = queue.tick(now: t0 + 35)
        #expect(queue.state.lead?.userId == bob.id)
        #expect(queue.nextWakeUp == t0 + 40, "5 s from the turn's start, not from Bob's last data while waiting")
    }

    @Test func aLateReportIsIgnoredAndUnknownClientsChangeNothing() {
        var queue = machine()
        _ = queue.streamHealth(report(at: 5, aliceReading(bytes: 100)), now: t0 + 5)
        #expect(queue.streamHealth(report(at: 4, aliceReading(bytes: 200)), now: t0 + 6).isEmpty)
        #expect(queue.watch.progress["a1"]?.bytesReceived == 100)
        _ = queue.streamHealth(report(at: 6, PublisherHealth(clientId: "zz9", bytesReceived: 1)), now: t0 + 6)
        #expect(queue.watch.progress["zz9"] == nil)
        #expect(queue.watch.progress["a1"]?.lastProgressAt == t0 + 5, "a missing reading is no progress")
    }

    @Test func aStalledLeadStaysStalledAfterARestartUntilDataReallyMoves() {
        var queue = machine()
        _ = feed(&queue, from: 0, to: 1) { _ in 10 }
        _ = queue.tick(now: t0 + 6)
        #expect(queue.state.lead?.isStalled == true)
        var restarted = QueueMachine(state: queue.state, rules: queue.rules)
        #expect(restarted.streamHealth(report(at: 100, aliceReading(bytes: 10)), now: t0 + 7).isEmpty, "a first reading after a restart is no proof of life")
        #expect(restarted.nextWakeUp == t0 + 30)
        #expect(restarted.streamHealth(report(at: 101, aliceReading(bytes: 11)), now: t0 + 8).map(\.type) == [.leadRecovered])
    }

    @Test func aDisconnectedLeadIsLeftToTheGrace() {
        var queue = machine()
        _ = feed(&queue, from: 0, to: 1) { _ in 10 }
        _ = queue.tick(now: t0 + 6)
        let dropped = queue.closeSession(clientId: "a1", now: t0 + 7)
        #expect(dropped.map(\.type) == [.sessionClosed, .leadDisconnected])
        #expect(queue.state.lead?.isStalled == false)
        #expect(queue.nextWakeUp == t0 + 22, "only the grace is due")
    }

    @Test func lowBitrateIsReportedAfterTheWarmUpAndWhenItIsBack() {
        var queue = machine(lowKbps: 1000)
        var bytes: UInt64 = 0
        func reading(_ second: Double, kbps: Double) -> [QueueEvent] {
            bytes += 1000
            return queue.streamHealth(report(at: second, aliceReading(bytes: bytes, kbps: kbps)), now: t0 + second)
        }
        #expect(reading(10, kbps: 0).isEmpty, "SRS's 30-second average reads 0 at first")
        let low = reading(31, kbps: 400)
        #expect(low.map(\.type) == [.leadLowBitrate])
        #expect(low[0].payload.enabled == true)
        #expect(queue.state.publicView(seq: 0, now: t0 + 31).lead?.lowBitrate == true)
        #expect(reading(32, kbps: 500).isEmpty, "said once")
        let back = reading(33, kbps: 2500)
        #expect(back.map(\.type) == [.leadLowBitrate])
        #expect(back[0].payload.enabled == false)
    }
}
