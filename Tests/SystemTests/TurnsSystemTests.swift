import Foundation
import Shared
import Testing
import TestSupport

/// Timed turns across real processes: QueueService's clock ends the turn, HookGateway kicks the
/// old lead through (a fake of) SRS's API, SRS's hooks report the kicked session gone, and the
/// DJ's encoder reconnects behind the new lead.
@Suite(.serialized) struct TurnsSystemTests {
    @Test func theIntervalHandsOverAndKicksTheOldLead() async throws {
        let system = try await RunningSystem.start(extra: ["SWAP_INTERVAL": "2", "LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"])
        try await system.run { system in
            let keyA = try await system.signUp("Alpha")
            let keyB = try await system.signUp("Bravo")
            #expect(try await system.publish(key: keyA, client: "alpha1").status == 200)
            #expect(try await system.publish(key: keyB, client: "bravo1").status == 200)
            #expect(try await system.queueJSON() == ["Alpha", "Bravo"])

            let ended = try await system.waitForEvent(.turnEnded, after: 0, timeout: .seconds(6))
            #expect(ended.payload.reason == .timeLimit)
            #expect(ended.payload.djName == "Alpha")
            #expect(try await system.queueJSON() == ["Bravo"])
            try await system.waitUntil("SRS was asked to kick Alpha") { system.srs.kicks == ["alpha1"] }
            let settled = try await system.waitForEvent(.kickSettled, after: ended.seq, timeout: .seconds(5))
            #expect(settled.payload.clientId == "alpha1")

            // Alpha's encoder reconnects (a new SRS client): behind Bravo — unless a loaded machine
            // took longer than Bravo's own 2 s turn to get here, in which case Bravo's turn ended by
            // its time limit and Alpha, the one waiting, leads. Either way the rules held.
            #expect(try await system.publish(key: keyA, client: "alpha2").status == 200)
            let queue = try await system.queueJSON()
            if queue != ["Bravo", "Alpha"] {
                let later = try await system.events(after: settled.seq).events
                #expect(later.contains { $0.type == .turnEnded && $0.payload.djName == "Bravo" && $0.payload.reason == .timeLimit }, "\(queue)")
                #expect(queue.first == "Alpha", "\(queue)")
            }
        }
    }

    /// How late the deadline fires, from the event log: `turn.ended` time minus the deadline it
    /// carries, over 20 one-second turns. Written to artifacts/deadline-lateness.txt. Every handover
    /// must come within 250 ms of its deadline: a timer that fires on time is a few milliseconds late
    /// even on a loaded machine, while one that polls, or waits for the next request, misses it.
    @Test func deadlineLatenessOverTwentyTurns() async throws {
        let system = try await RunningSystem.start(extra: ["SWAP_INTERVAL": "1", "LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"])
        try await system.run { system in
            let keys = ["Alpha": try await system.signUp("Alpha"), "Bravo": try await system.signUp("Bravo")]
            _ = try await system.publish(key: keys["Alpha"]!, client: "alpha0")
            _ = try await system.publish(key: keys["Bravo"]!, client: "bravo0")
            var lateness: [Double] = []
            var cursor: UInt64 = 0
            for turn in 1...20 {
                let ended = try await system.waitForEvent(.turnEnded, after: cursor, timeout: .seconds(5))
                cursor = ended.seq
                let deadline = try #require(ended.payload.endsAt)
                lateness.append(ended.time.timeIntervalSince(deadline) * 1000)
                // The kicked DJ's encoder comes back and queues again.
                let name = try #require(ended.payload.djName)
                _ = try await system.publish(key: keys[name]!, client: "\(name.lowercased())\(turn)")
            }
            let sorted = lateness.sorted()
            let median = (sorted[9] + sorted[10]) / 2
            let report = String(format: "deadline lateness over %d turns (ms, event time − deadline): median %.1f, worst %.1f, all %@\n",
                                sorted.count, median, sorted.last!, lateness.map { String(format: "%.0f", $0) }.joined(separator: " "))
            // The event log keeps milliseconds; QueueService's own histogram has the sub-millisecond view.
            let metrics = try await TestHTTP().get("\(system.queue.baseURL)/metrics").body
            func value(_ name: String) -> Double? {
                metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            let fired = value("queue_timer_lateness_seconds_count") ?? 0
            let mean = (value("queue_timer_lateness_seconds_sum") ?? 0) / max(fired, 1) * 1000
            let full = report + String(format: "timer wake-ups measured by QueueService (unrounded clock): %.0f, mean lateness %.3f ms\n", fired, mean)
            print(full)
            try Artifacts.write("deadline-lateness.txt", full)
            #expect(fired >= 20)
            #expect(sorted.first! >= 0, "a turn must never end before its deadline")
            #expect(sorted.last! <= 250, "every handover within 250 ms of its deadline")
        }
    }
}
