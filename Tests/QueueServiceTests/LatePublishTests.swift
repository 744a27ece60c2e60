import Foundation
import Shared
import Testing
@testable import QueueService

/// A publish that reaches the queue after the ingest reported its connection closed — the gateway
/// gave up on it and refused the encoder — must not seat a DJ with no encoder.
@Suite struct LatePublishTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let dj = UUID()

    func publish(_ client: String) -> PublishRequest {
        PublishRequest(clientId: client, userId: dj, djName: "Late", app: "live", stream: "KEY_LATE")
    }

    func machine() -> QueueMachine {
        QueueMachine(state: QueueState(swapInterval: 3600), rules: QueueRules(leadGrace: 0, waitingGrace: 0))
    }

    @Test func aPublishAfterItsOwnCloseIsRefusedAndChangesNothing() {
        var queue = machine()
        #expect(queue.closeSession(clientId: "c1", now: t0).isEmpty)
        let (reply, events) = queue.publish(publish("c1"), now: t0 + 2)
        #expect(reply.decision == .refused)
        #expect(reply.reason?.contains("already closed") == true)
        #expect(events.isEmpty)
        #expect(queue.state.lead == nil && queue.state.sessions.isEmpty)
    }

    @Test func anotherConnectionOfTheSameDJIsTaken() {
        var queue = machine()
        _ = queue.closeSession(clientId: "c1", now: t0)
        #expect(queue.publish(publish("c2"), now: t0 + 1).reply.decision == .lead)
    }

    @Test func aRepublishOnAConnectionThatWasOpenIsTaken() {
        // SRS republishes on one connection after an unpublish: that close was of a known session.
        var queue = machine()
        _ = queue.publish(publish("c1"), now: t0)
        _ = queue.closeSession(clientId: "c1", now: t0 + 1)
        #expect(queue.publish(publish("c1"), now: t0 + 2).reply.decision == .lead)
    }

    @Test func theMemoryOfAnEarlyCloseEnds() {
        // An ingest that restarts numbers its connections from 1 again (nginx-rtmp).
        var queue = machine()
        _ = queue.closeSession(clientId: "1", now: t0)
        #expect(queue.publish(publish("1"), now: t0 + ClosedConnections.remembered - 1).reply.decision == .refused)
        #expect(queue.publish(publish("1"), now: t0 + ClosedConnections.remembered + 1).reply.decision == .lead)
    }

    @Test func theMemoryIsBounded() {
        var closed = ClosedConnections()
        for index in 0..<(ClosedConnections.capacity + 10) { closed.closed("c\(index)", now: t0 + Double(index) * 0.001) }
        #expect(!closed.isClosed("c0", now: t0 + 1))
        #expect(closed.isClosed("c\(ClosedConnections.capacity + 9)", now: t0 + 1))
    }
}
