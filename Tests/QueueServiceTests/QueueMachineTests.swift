import Foundation
import Shared
import Testing
import TestSupport
@testable import QueueService

/// The queue's core rules, on the pure machine with a hand-set clock.
@Suite struct QueueMachineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let alice = DJ(name: "Alice")
    let bob = DJ(name: "Bob")
    let carol = DJ(name: "Carol")

    struct DJ {
        let id = UUID()
        let name: String
        var key: String { "KEY_\(name.uppercased())" }

        func publish(_ client: String) -> PublishRequest {
            PublishRequest(clientId: client, userId: id, djName: name, app: "live", stream: key)
        }
    }

    /// The core rules, with no reconnect grace: a close takes effect at once.
    func machine() -> QueueMachine {
        QueueMachine(state: QueueState(swapInterval: 3600), rules: QueueRules(leadGrace: 0, waitingGrace: 0))
    }

    @Test func publishToEmptyQueueMakesYouLead() {
        var queue = machine()
        let (reply, events) = queue.publish(alice.publish("c1"), now: t0)
        #expect(reply == PublishReply(decision: .lead, position: 0))
        #expect(events.map(\.type) == [.sessionOpened, .turnStarted])
        #expect(queue.state.lead?.userId == alice.id)
        #expect(queue.state.lead?.turnStartedAt == t0)
        #expect(events.last?.payload.endsAt == t0.addingTimeInterval(3600))
    }

    @Test func laterPublishersWaitInOrder() {
        var queue = machine()
        _ = queue.publish(alice.publish("c1"), now: t0)
        let (bobReply, bobEvents) = queue.publish(bob.publish("c2"), now: t0 + 1)
        let (carolReply, _) = queue.publish(carol.publish("c3"), now: t0 + 2)
        #expect(bobReply == PublishReply(decision: .queued, position: 1))
        #expect(carolReply == PublishReply(decision: .queued, position: 2))
        #expect(bobEvents.map(\.type) == [.sessionOpened, .djJoined])
        #expect(queue.state.djNamesInOrder == ["Alice", "Bob", "Carol"])
    }

    @Test func aDJAppearsOnceHoweverManySessions() {
        var queue = machine()
        _ = queue.publish(alice.publish("c1"), now: t0)
        _ = queue.publish(bob.publish("c2"), now: t0)
        let (again, events) = queue.publish(bob.publish("c3"), now: t0 + 1)
        let (leadAgain, _) = queue.publish(alice.publish("c4"), now: t0 + 1)
        #expect(again == PublishReply(decision: .queued, position: 1))
        #expect(leadAgain == PublishReply(decision: .lead, position: 0))
        #expect(events.map(\.type) == [.sessionOpened])
        #expect(queue.state.djNamesInOrder == ["Alice", "Bob"])
        #expect(queue.state.sessions.count == 4)
    }

    @Test func leadStaysWhileAnySessionIsOpen() {
        var queue = machine()
        _ = queue.publish(alice.publish("c1"), now: t0)
        _ = queue.publish(alice.publish("c2"), now: t0)
        _ = queue.publish(bob.publish("c3"), now: t0)
        let events = queue.closeSession(clientId: "c1", now: t0 + 5)
        #expect(events.map(\.type) == [.sessionClosed])
        #expect(queue.state.lead?.userId == alice.id)
        #expect(queue.state.lead?.turnStartedAt == t0)
    }

    @Test func leadWhoseLastSessionClosesHandsOverInOneStep() {
        var queue = machine()
        _ = queue.publish(alice.publish("c1"), now: t0)
        _ = queue.publish(bob.publish("c2"), now: t0 + 1)
        _ = queue.publish(carol.publish("c3"), now: t0 + 2)
        let events = queue.closeSession(clientId: "c1", now: t0 + 60)
        #expect(events.map(\.type) == [.sessionClosed, .turnEnded, .turnStarted])
        #expect(events[1].payload.djName == "Alice")
        #expect(events[1].payload.reason == .left)
        #expect(events[2].payload.djName == "Bob")
        #expect(queue.state.lead?.userId == bob.id)
        #expect(queue.state.lead?.turnStartedAt == t0 + 60)
        #expect(queue.state.djNamesInOrder == ["Bob", "Carol"])
    }

    @Test func lastLeadLeavingEmptiesTheQueue() {
        var queue = machine()
        _ = queue.publish(alice.publish("c1"), now: t0)
        let events = queue.closeSession(clientId: "c1", now: t0 + 1)
        #expect(events.map(\.type) == [.sessionClosed, .turnEnded])
        #expect(queue.state.lead == nil)
        #expect(queue.state.waiting.isEmpty)
        #expect(queue.state.sessions.isEmpty)
    }

    @Test func waitingDJWhoLeavesIsRemovedFromAnyPosition() {
        var queue = machine()
        _ = queue.publish(alice.publish("c1"), now: t0)
        _ = queue.publish(bob.publish("c2"), now: t0)
        _ = queue.publish(carol.publish("c3"), now: t0)
        let events = queue.closeSession(clientId: "c2", now: t0 + 1)
        #expect(events.map(\.type) == [.sessionClosed, .djLeft])
        #expect(events[1].payload.position == 1)
        #expect(queue.state.djNamesInOrder == ["Alice", "Carol"])
    }

    @Test func closingAnUnknownOrClosedSessionChangesNothing() {
        var queue = machine()
        _ = queue.publish(alice.publish("c1"), now: t0)
        _ = queue.publish(bob.publish("c2"), now: t0)
        let before = queue.state
        #expect(queue.closeSession(clientId: "nobody", now: t0 + 1).isEmpty)
        #expect(queue.state == before)
        _ = queue.closeSession(clientId: "c2", now: t0 + 2)
        let afterFirst = queue.state
        #expect(queue.closeSession(clientId: "c2", now: t0 + 3).isEmpty)
        #expect(queue.state == afterFirst)
    }

    @Test func aNewKeyOnTheSameConnectionEndsTheOldPublish() {
        var queue = machine()
        _ = queue.publish(alice.publish("c1"), now: t0)
        _ = queue.publish(bob.publish("c2"), now: t0)
        let (reply, events) = queue.publish(carol.publish("c1"), now: t0 + 1)
        #expect(events.map(\.type) == [.sessionClosed, .turnEnded, .turnStarted, .sessionOpened, .djJoined])
        #expect(reply == PublishReply(decision: .queued, position: 1))
        #expect(queue.state.djNamesInOrder == ["Bob", "Carol"])
    }

    @Test func onlyTheLeadsSessionsAreForwarded() {
        var queue = machine()
        _ = queue.publish(alice.publish("c1"), now: t0)
        _ = queue.publish(bob.publish("c2"), now: t0)
        #expect(queue.state.isLeadSession(clientId: "c1"))
        #expect(!queue.state.isLeadSession(clientId: "c2"))
        #expect(!queue.state.isLeadSession(clientId: "unknown"))
    }

    @Test func eventSequenceNumbersIncreaseByOneAndNeverRepeat() {
        var queue = machine()
        var all: [QueueEvent] = []
        all += queue.publish(alice.publish("c1"), now: t0).events
        all += queue.publish(bob.publish("c2"), now: t0).events
        all += queue.closeSession(clientId: "c1", now: t0 + 1)
        all += queue.closeSession(clientId: "c1", now: t0 + 1)
        all += queue.closeSession(clientId: "c2", now: t0 + 2)
        #expect(all.map(\.seq) == Array(1...UInt64(all.count)))
        #expect(queue.state.lastSeq == UInt64(all.count))
    }

    /// SRS approves a second publisher of the same stream in on_publish, then refuses it as busy
    /// and sends only its on_close (fixtures/srs/busy-second-publisher.jsonl, recorded from SRS 6).
    @Test func busySecondPublisherRecordedFromSRS() throws {
        var queue = machine()
        let dj = DJ(name: "DJKEYA")
        var replies: [PublishReply] = []
        var now = t0
        for line in try SRSFixture.lines("busy-second-publisher.jsonl") {
            let hook = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let client = hook["client_id"] as! String
            now += 1
            switch hook["action"] as! String {
            case "on_publish":
                #expect(hook["stream"] as? String == "DJKEYA")
                replies.append(queue.publish(dj.publish(client), now: now).reply)
            case "on_unpublish", "on_close":
                _ = queue.closeSession(clientId: client, now: now)
                if client == "b94o89d3" {
                    // B was refused as busy by SRS: A must still be lead, with one entry.
                    #expect(queue.state.lead?.userId == dj.id)
                    #expect(queue.state.sessions.map(\.clientId) == ["q804r8s6"])
                }
            default:
                continue
            }
        }
        #expect(replies == [PublishReply(decision: .lead, position: 0), PublishReply(decision: .lead, position: 0)])
        #expect(queue.state.lead == nil)
        #expect(queue.state.waiting.isEmpty)
        #expect(queue.state.sessions.isEmpty)
    }
}

extension Date {
    static func + (date: Date, seconds: Double) -> Date { date.addingTimeInterval(seconds) }
    static func += (date: inout Date, seconds: Double) { date = date.addingTimeInterval(seconds) }
}
