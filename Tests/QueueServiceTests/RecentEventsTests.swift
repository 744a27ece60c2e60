import Shared
import Testing

@testable import QueueService

struct RecentEventsTests {
    func events(_ seqs: ClosedRange<UInt64>) -> [QueueEvent] {
        seqs.map { QueueEvent(seq: $0, time: .init(timeIntervalSince1970: Double($0)), type: .djJoined, payload: QueueEventPayload()) }
    }

    @Test func findsWhatCameAfterASequenceNumber() {
        let recent = RecentEvents(events(1...100), capacity: 1000)
        #expect(recent.after(0, limit: 3).map(\.seq) == [1, 2, 3])
        #expect(recent.after(41, limit: 3).map(\.seq) == [42, 43, 44])
        #expect(recent.after(98, limit: 10).map(\.seq) == [99, 100])
        #expect(recent.after(100, limit: 10).isEmpty)
        #expect(recent.after(5, limit: 0).isEmpty)
    }

    @Test func keepsTheNewestCapacityEventsHoweverItTrims() {
        var recent = RecentEvents(capacity: 8)
        for seq in UInt64(1)...30 {
            recent.append(contentsOf: events(seq...seq))
            #expect(recent.count == min(Int(seq), 8))
            #expect(recent.first?.seq == (seq > 8 ? seq - 7 : 1))
            #expect(recent.events.last?.seq == seq)
        }
        #expect(recent.after(0, limit: 100).map(\.seq) == Array(23...30))
    }

    @Test func startsFromTheNewestOfWhatItIsGiven() {
        let recent = RecentEvents(events(1...20), capacity: 5)
        #expect(recent.events.map(\.seq) == Array(16...20))
    }
}
