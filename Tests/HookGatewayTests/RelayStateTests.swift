import Foundation
import Shared
import Testing
@testable import HookGateway

/// The relay's status from ffmpeg's own progress blocks, its stderr and its exits, at times given
/// by the test: no clock, no process.
@Suite struct RelayStateTests {
    let policy = RelayPolicy(backoff: Backoff(base: .seconds(1), cap: .seconds(8), jitter: false), stallLimit: .seconds(20), healthyRun: .seconds(10))

    /// A block as Debian's ffmpeg 5.1 writes it with `-c copy -progress pipe:1`.
    static func block(frame: Int, size: Int64, outTimeMicroseconds: Int64, bitrate: String = "N/A", end: Bool = false) -> [String] {
        [
            "frame=\(frame)", "fps=15.00", "stream_0_0_q=-1.0", "bitrate=\(bitrate)", "total_size=\(size)", "out_time_us=\(outTimeMicroseconds)",
            "out_time_ms=\(outTimeMicroseconds)", "out_time=00:00:01.000000", "dup_frames=0", "drop_frames=0", "speed=1.01x",
            "progress=\(end ? "end" : "continue")",
        ]
    }

    func feed(_ lines: [String]) -> RelayProgress? {
        var parser = RelayProgressParser()
        var last: RelayProgress?
        for line in lines {
            if let block = parser.feed(line) { last = block }
        }
        return last
    }

    @Test func progressBlocksAreParsed() throws {
        let block = try #require(feed(Self.block(frame: 30, size: 250_000, outTimeMicroseconds: 2_000_000, bitrate: " 1000.0kbits/s")))
        #expect(block == RelayProgress(totalSize: 250_000, outTime: .seconds(2), bitrateKbps: 1000, ended: false))
        let first = try #require(feed(Self.block(frame: 1, size: 278, outTimeMicroseconds: 0)))
        #expect(first.bitrateKbps == nil)
        #expect(feed(Self.block(frame: 1, size: 0, outTimeMicroseconds: 0, end: true))?.ended == true)
        #expect(feed(["frame=1", "total_size=5"]) == nil, "no block until its progress= line")
    }

    @Test func liveOnceTheOutputGrowsWithBitrateFromTheDeltas() throws {
        var state = RelayState()
        state.started(at: .seconds(100))
        #expect(state.report(at: .seconds(100)) == RelayReport(state: .connecting))
        // ffmpeg's first block: the header written, nothing sent yet.
        state.heard(try #require(feed(Self.block(frame: 0, size: 13, outTimeMicroseconds: 0))), at: .seconds(100.5))
        #expect(state.phase == .connecting)
        state.heard(try #require(feed(Self.block(frame: 15, size: 125_013, outTimeMicroseconds: 1_000_000))), at: .seconds(101))
        #expect(state.phase == .live)
        state.heard(try #require(feed(Self.block(frame: 30, size: 375_013, outTimeMicroseconds: 2_000_000))), at: .seconds(102))
        #expect(state.report(at: .seconds(104.04)) == RelayReport(state: .live, kbps: 2000, uptimeSeconds: 3))
    }

    @Test func anExitIsFailingWithTheLastErrorLineAndACappedBackoff() {
        var state = RelayState()
        var delays: [Duration] = []
        for attempt in 0..<6 {
            let now = Duration.seconds(attempt * 100)
            state.started(at: now)
            state.said("[tcp @ 0x5581] Connection to tcp://sink:1935 failed: Connection refused")
            state.said("rtmp://sink/live/<redacted>: Connection refused")
            state.said("Conversion failed!")
            delays.append(state.exited(status: 1, at: now, policy: policy, random: 1))
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        #expect(state.report(at: .seconds(503)) == RelayReport(state: .failing, lastError: "rtmp://sink/live/<redacted>: Connection refused", retryInSeconds: 5))
        // While it connects again, the status still says why it is retrying.
        state.started(at: .seconds(508))
        #expect(state.report(at: .seconds(508)).lastError == "rtmp://sink/live/<redacted>: Connection refused")
    }

    @Test func aHealthyRunStartsTheBackoffAgain() throws {
        var state = RelayState()
        for attempt in 0..<3 {
            state.started(at: .seconds(attempt * 10))
            _ = state.exited(status: 1, at: .seconds(attempt * 10), policy: policy, random: 1)
        }
        #expect(state.failures == 3)
        state.started(at: .seconds(100))
        state.heard(try #require(feed(Self.block(frame: 15, size: 100_000, outTimeMicroseconds: 1_000_000))), at: .seconds(101))
        #expect(state.report(at: .seconds(101)).lastError == nil, "live clears the error")
        #expect(state.exited(status: 0, at: .seconds(112), policy: policy, random: 1) == .seconds(1))
        #expect(state.lastError == "the relay ended: the source stopped sending")
        #expect(state.failures == 1)
    }

    @Test func aShortLiveRunKeepsBackingOff() throws {
        var state = RelayState()
        state.started(at: .zero)
        _ = state.exited(status: 1, at: .zero, policy: policy, random: 1)
        state.started(at: .seconds(1))
        state.heard(try #require(feed(Self.block(frame: 15, size: 100_000, outTimeMicroseconds: 1_000_000))), at: .seconds(2))
        #expect(state.exited(status: 1, at: .seconds(5), policy: policy, random: 1) == .seconds(2))
        #expect(state.lastError == "ffmpeg exited with status 1")
    }

    @Test func aRelayThatSendsNothingIsStalledOnce() throws {
        var state = RelayState()
        state.started(at: .zero)
        #expect(!state.isStalled(at: .seconds(19.9), limit: .seconds(20)))
        #expect(state.isStalled(at: .seconds(20), limit: .seconds(20)))
        state.stalled(for: .seconds(20))
        #expect(!state.isStalled(at: .seconds(25), limit: .seconds(20)), "not found stalled again while it exits")
        _ = state.exited(status: 255, at: .seconds(21), policy: policy, random: 1)
        #expect(state.lastError == "not connected after 20 s")

        state.started(at: .seconds(30))
        state.heard(try #require(feed(Self.block(frame: 15, size: 100_000, outTimeMicroseconds: 1_000_000))), at: .seconds(31))
        state.heard(try #require(feed(Self.block(frame: 15, size: 100_000, outTimeMicroseconds: 1_000_000))), at: .seconds(40))
        #expect(state.phase == .live)
        #expect(state.isStalled(at: .seconds(51), limit: .seconds(20)), "the same numbers again are no progress")
        state.stalled(for: .seconds(20))
        _ = state.exited(status: 255, at: .seconds(52), policy: policy, random: 1)
        #expect(state.lastError?.hasPrefix("nothing sent for 20 s") == true)
    }

    @Test func stoppedIsOffWithNothingKept() {
        var state = RelayState()
        state.started(at: .zero)
        _ = state.exited(status: 1, at: .zero, policy: policy, random: 1)
        state.stopped()
        #expect(state.report(at: .seconds(1)) == .off)
        #expect(state.failures == 0)
        #expect(!state.isStalled(at: .seconds(100), limit: .seconds(20)))
    }
}
