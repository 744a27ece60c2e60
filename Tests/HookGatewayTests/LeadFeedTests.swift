import Foundation
import Logging
import NIOConcurrencyHelpers
import Shared
import Testing
@testable import HookGateway

/// Lead mode's source: the connected lead's pull URL from QueueService's state, never an older
/// state over a newer one, and the broadcast live while anybody leads.
@Suite struct LeadFeedTests {
    let template = PullURLTemplate(template: "rtmp://ingest:1935/{app}/{stream}")
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func entry(_ name: String, stream: String?, grace: Bool = false) -> LineupEntry {
        LineupEntry(
            userId: UUID(), djName: name, joinedAt: t0, turnStartedAt: t0, turnEndsAt: t0 + 600, graceEndsAt: grace ? t0 + 30 : nil,
            sessions: stream.map { [SessionView(clientId: "c-\(name)", app: "live", stream: $0, openedAt: t0)] } ?? []
        )
    }

    func state(_ seq: UInt64, lead: LineupEntry?) -> InternalQueueState {
        InternalQueueState(seq: seq, lead: lead, waiting: [], swapIntervalSeconds: 600, paused: false)
    }

    @Test func theConnectedLeadIsTheSource() {
        let source = LeadFeed.source(of: state(1, lead: entry("Ada", stream: "ADA_KEY")), template)
        #expect(source == RelaySource(url: "rtmp://ingest:1935/live/ADA_KEY", secrets: ["rtmp://ingest:1935/live/ADA_KEY", "ADA_KEY"]))
        #expect(LeadFeed.source(of: state(2, lead: entry("Ada", stream: "ADA_KEY", grace: true)), template) == nil, "nothing to pull in the grace")
        #expect(LeadFeed.source(of: state(3, lead: entry("Ada", stream: nil)), template) == nil)
        #expect(LeadFeed.source(of: state(4, lead: nil), template) == nil)
    }

    @Test func followsTheStateAndReportsTheBroadcast() async throws {
        let queue = ScriptedQueueState()
        let broadcast = RecordingBroadcast()
        let feed = LeadFeed(queue: queue, template: template, broadcast: broadcast, logger: Logger(label: "test"))
        var sources = feed.relaySources().makeAsyncIterator()
        #expect(await sources.next() == .some(nil), "a subscriber starts with the current source")

        queue.next = state(5, lead: entry("Ada", stream: "ADA_KEY"))
        try await feed.refresh()
        #expect(await sources.next()??.url == "rtmp://ingest:1935/live/ADA_KEY")

        queue.next = state(3, lead: nil)
        try await feed.refresh()
        queue.next = state(9, lead: entry("Bo", stream: "BO_KEY"))
        try await feed.refresh()
        #expect(await sources.next()??.url == "rtmp://ingest:1935/live/BO_KEY", "the older state read late was dropped")

        queue.next = state(10, lead: entry("Bo", stream: "BO_KEY", grace: true))
        try await feed.refresh()
        #expect(await sources.next() == .some(nil))
        queue.next = state(11, lead: nil)
        try await feed.refresh()
        #expect(broadcast.reports == [true, true, true, true, false], "live while anybody leads, a lead in their grace too")
    }
}

final class ScriptedQueueState: QueueStateReading, @unchecked Sendable {
    private let box = NIOLockedValueBox<InternalQueueState?>(nil)
    var next: InternalQueueState? {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }

    func state(timeout: Duration?) async throws -> InternalQueueState {
        guard let next else { throw CancellationError() }
        return next
    }
}

final class RecordingBroadcast: BroadcastReporting, @unchecked Sendable {
    private let box = NIOLockedValueBox<[Bool]>([])
    var reports: [Bool] { box.withLockedValue { $0 } }

    func report(live: Bool) async { box.withLockedValue { $0.append(live) } }
    func isLive() async -> Bool { reports.last ?? false }
}
