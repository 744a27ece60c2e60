import Foundation
import Shared
import Testing
@testable import QueueService

@Suite struct StateChangeTests {
    let admin = UUID()
    func at(_ second: Int) -> Date { Date(timeIntervalSince1970: 1_800_000_000 + Double(second)) }

    func publish(_ index: Int, user: UUID) -> PublishRequest {
        PublishRequest(clientId: "client\(index)", userId: user, djName: "DJ \(index)", app: "live", stream: "KEY\(index)")
    }

    /// Every kind of step the queue takes, each checked: either its change applied to the state
    /// before gives exactly the state after, or there is no change and the record is whole.
    @Test func everyStepIsSaidExactlyOrWhole() throws {
        var machine = QueueMachine(state: QueueState(swapInterval: 60), rules: QueueRules(leadGrace: 5, waitingGrace: 5))
        let users = (0..<6).map { _ in UUID() }
        var whole: [String] = []
        func step(_ name: String, _ body: (inout QueueMachine) throws -> Void) throws {
            let before = machine.state
            try body(&machine)
            guard let change = StateChange.between(before, machine.state) else {
                whole.append(name)
                return
            }
            #expect(try change.applied(to: before) == machine.state, "\(name)")
        }
        for (index, user) in users.enumerated() {
            try step("publish \(index)") { _ = $0.publish(publish(index, user: user), now: at(index)) }
        }
        try step("a second session of DJ 2") { _ = $0.publish(publish(12, user: users[2]), now: at(7)) }
        try step("DJ 3's encoder drops") { _ = $0.closeSession(clientId: "client3", now: at(8)) }
        try step("the lead's encoder drops") { _ = $0.closeSession(clientId: "client0", now: at(9)) }
        try step("grace runs out") { _ = $0.tick(now: at(30)) }
        try step("move DJ 5 to the front") { _ = try $0.apply(.move(users[5], position: 1), by: admin, now: at(31)) }
        try step("pause") { _ = try $0.apply(.pause, by: admin, now: at(32)) }
        try step("interval") { _ = try $0.apply(.setInterval(seconds: 90, restartClock: true), by: admin, now: at(33)) }
        try step("block rule") { _ = try $0.apply(.toggleBlocking, by: admin, now: at(34)) }
        try step("skip") { _ = try $0.apply(.skip, by: admin, now: at(35)) }
        try step("forget DJ 4") { _ = $0.forget(users[4], now: at(36)) }
        try step("kick settled") { _ = $0.kickSettled(clientId: "client4", now: at(37)) }
        try step("broadcast") { _ = $0.broadcast(BroadcastChange(live: true, source: "programme"), now: at(38)) }
        try step("clear") { _ = try $0.apply(.clear, by: admin, now: at(39)) }
        // Only a move reorders a list, which an edit cannot say; every other step is a change.
        #expect(whole == ["move DJ 5 to the front"])
    }

    @Test func aChurnStepIsSmallBesideTheWholeState() throws {
        var machine = QueueMachine(state: QueueState(swapInterval: 60))
        for index in 0..<16 { _ = machine.publish(publish(index, user: UUID()), now: at(index)) }
        let before = machine.state
        _ = machine.closeSession(clientId: "client7", now: at(20))
        let change = try #require(StateChange.between(before, machine.state))
        #expect(change.sessions == ListEdit(removed: [7]))
        #expect(change.waiting?.removed == [], "DJ 7 keeps their place for the waiting grace")
        #expect(change.waiting?.changed.map(\.at) == [6], "the seventh DJ, sixth in the waiting list, is marked gone")
        #expect(change.lead == nil, "unchanged, so not written")
    }

    @Test func aClearedFieldIsWrittenAsNullNotLeftOut() throws {
        let encoder = JSONEncoder()
        encoder.userInfo[.streamNameSealer] = StreamNameSealer(secret: Secret("a-test-secret-0123456789-0123456789"))
        var change = StateChange()
        change.lead = Replacement(nil)
        let json = String(decoding: try encoder.encode(change), as: UTF8.self)
        #expect(json == #"{"lead":{"value":null}}"#)
        let decoder = JSONDecoder()
        let read = try decoder.decode(StateChange.self, from: Data(json.utf8))
        #expect(read.lead == Replacement(nil))
        var state = QueueState(swapInterval: 60)
        state.lead = Lead(userId: UUID(), djName: "A", joinedAt: at(0), turnStartedAt: at(0), deadline: at(60))
        #expect(try read.applied(to: state).lead == nil)
    }

    @Test(arguments: [
        ListEdit<String>(removed: [3]),
        ListEdit<String>(removed: [1, 1]),
        ListEdit<String>(removed: [2, 0]),
        ListEdit<String>(changed: [.init(at: 3, to: "x")]),
    ])
    func anEditThatDoesNotFitIsRefused(_ edit: ListEdit<String>) {
        #expect(throws: ChangeMisfit.self) { try edit.applied(to: ["a", "b", "c"]) }
    }

    @Test func anEditRemovesChangesAndAppends() throws {
        let edit = try #require(ListEdit(from: ["a1", "b1", "c1", "d1"], to: ["b1", "c2", "e1"], key: { $0.first! }))
        #expect(edit == ListEdit(removed: [0, 3], changed: [.init(at: 1, to: "c2")], appended: ["e1"]))
        #expect(try edit.applied(to: ["a1", "b1", "c1", "d1"]) == ["b1", "c2", "e1"])
        #expect(ListEdit(from: ["a", "b"], to: ["b", "a"], key: { $0 }) == nil, "a reorder")
    }
}
