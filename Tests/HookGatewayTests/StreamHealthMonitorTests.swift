import Foundation
import Logging
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// The monitor with the ingest and QueueService in memory and time on a `TestClock`: a reading
/// every interval, a report for each full reading, nothing for a failed one.
@Suite(.timeLimit(.minutes(1))) struct StreamHealthMonitorTests {
    let clock = TestClock()
    let stats = FakeStreamStats()
    let queue = FakeHealthQueue()
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func monitor() -> StreamHealthMonitor {
        let t0 = self.t0
        return StreamHealthMonitor(ingest: stats, queue: queue, interval: .seconds(1), clock: clock, now: { t0 }, logger: Logger(label: "test"))
    }

    @Test func aFullReadingIsReportedWithItsTime() async {
        stats.readings = [.success([PublisherHealth(clientId: "c1", bytesReceived: 10, frames: 1, kbps: 800)])]
        #expect(await monitor().pass() == .reported(publishers: 1))
        #expect(queue.reports == [StreamHealthReport(readAt: t0, publishers: [PublisherHealth(clientId: "c1", bytesReceived: 10, frames: 1, kbps: 800)])])
        #expect(queue.requestIDs.first??.hasPrefix("health-") == true)
    }

    @Test func aFailedReadSendsNothing() async {
        stats.readings = [.failure(SRSAPIError(message: "down"))]
        guard case .readFailed = await monitor().pass() else {
            Issue.record("a failed read must not be reported")
            return
        }
        #expect(queue.reports.isEmpty)
    }

    @Test func aRefusedReportIsLeftForTheNextReading() async {
        stats.readings = [.success([])]
        queue.failNext = 1
        guard case .reportFailed = await monitor().pass() else {
            Issue.record("QueueService refused the report")
            return
        }
        #expect(await monitor().pass() == .reported(publishers: 0))
        #expect(queue.reports.count == 1)
    }

    @Test func itReadsAtStartAndThenEveryInterval() async throws {
        stats.readings = [.success([]), .failure(SRSAPIError(message: "blip")), .success([PublisherHealth(clientId: "c1", bytesReceived: 5)])]
        let running = Task { try await monitor().run() }
        #expect(await clock.waitForSleepers(1))
        #expect(queue.reports.count == 1)
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 1, "no reading before the interval")
        clock.advance(by: .milliseconds(1))
        #expect(await clock.waitForSleepers(1))
        #expect(stats.reads == 2)
        #expect(queue.reports.count == 1, "the failed reading sent nothing")
        clock.advance(by: .seconds(1))
        #expect(await clock.waitForSleepers(1))
        #expect(queue.reports.last?.publishers.map(\.clientId) == ["c1"])
        running.cancel()
        try await running.value
        #expect(clock.sleeperCount == 0)
    }
}

/// The ingest's stream stats, answering the given readings in turn (the last one repeats).
final class FakeStreamStats: IngestStreamStats {
    private let state = NIOLockedValueBox((readings: [Result<[PublisherHealth], SRSAPIError>](), reads: 0))

    var readings: [Result<[PublisherHealth], SRSAPIError>] {
        get { state.withLockedValue { $0.readings } }
        set { state.withLockedValue { $0.readings = newValue } }
    }

    var reads: Int { state.withLockedValue { $0.reads } }

    func publishers(requestID: String?) async throws -> [PublisherHealth] {
        let reading = state.withLockedValue { state in
            state.reads += 1
            return state.readings.count > 1 ? state.readings.removeFirst() : state.readings.first ?? .success([])
        }
        return try reading.get()
    }

    func publisher(app: String, stream: String, requestID: String?) async throws -> String? { nil }
}

/// QueueService's `POST /internal/v1/stream-health`, in memory.
final class FakeHealthQueue: QueueStreamHealth {
    struct Refused: Error {}
    private let state = NIOLockedValueBox((reports: [StreamHealthReport](), requestIDs: [String?](), failNext: 0))

    var reports: [StreamHealthReport] { state.withLockedValue { $0.reports } }
    var requestIDs: [String?] { state.withLockedValue { $0.requestIDs } }
    var failNext: Int {
        get { state.withLockedValue { $0.failNext } }
        set { state.withLockedValue { $0.failNext = newValue } }
    }

    func report(_ report: StreamHealthReport, requestID: String?) async throws {
        try state.withLockedValue { state in
            state.requestIDs.append(requestID)
            if state.failNext > 0 {
                state.failNext -= 1
                throw Refused()
            }
            state.reports.append(report)
        }
    }
}
