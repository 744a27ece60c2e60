import Foundation
import Shared
import Synchronization
import Testing
import TestSupport

/// "kill -9 loses nothing acknowledged", with real processes: DJs publish and unpublish through
/// the gateway (SRS's recorded hook bodies), each strictly one operation after the other, while
/// QueueService is SIGKILLed at seeded random moments and restarted. After every restart each
/// DJ is in the queue exactly when their last acknowledged operation says so (a publish that got
/// no answer may have been taken or not), and the event log runs 1, 2, 3, … with no sequence
/// number repeated, skipped or reused for another event. Counts go to artifacts/kill-nine.txt.
@Suite(.serialized) struct KillNineSystemTests {
    static let seed: UInt64 = 0x6B69_6C6C_2D39
    static let kills = 6
    static let djCount = 4
    /// Events QueueService keeps in its log (`FileJournal` and `EventFeed`).
    static let retainedEvents = 10_000

    /// One DJ's encoder: a new SRS client per publish, unpublished before the next.
    struct Encoder: Sendable {
        var index: Int
        var name: String
        var key: String
        var cycle = 0
        /// Whether the queue must hold this DJ: nil while their last publish went unanswered.
        var present: Bool? = false
        var acknowledged = 0
        var unanswered = 0

        var client: String { "dj\(index)c\(cycle)" }
    }

    /// Tells the DJs to finish the operation they are in and stop.
    final class StopFlag: Sendable {
        private let raised = Mutex(false)

        var isRaised: Bool { raised.withLock { $0 } }

        func raise() {
            raised.withLock { $0 = true }
        }
    }

    struct Tally {
        var kills = 0
        var acknowledged = 0
        var unanswered = 0
        var lost: [String] = []
        var duplicates = 0
        var gaps = 0
        var reused = 0
        var events = 0
    }

    @Test func killNineLosesNothingAcknowledged() async throws {
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"])
        try await system.run { system in
            var random = SeededRandom(seed: Self.seed)
            var encoders: [Encoder] = []
            for index in 0..<Self.djCount {
                let name = "Killer\(index)"
                encoders.append(Encoder(index: index, name: name, key: try await system.signUp(name)))
            }
            var tally = Tally()
            var seen: [UInt64: QueueEvent] = [:]
            for _ in 0..<Self.kills {
                let stop = StopFlag()
                let busy = Duration.milliseconds(Int64.random(in: 300...1500, using: &random))
                let downFor = Duration.milliseconds(Int64.random(in: 0...300, using: &random))
                encoders = try await withThrowingTaskGroup(of: Encoder.self) { group in
                    for encoder in encoders {
                        group.addTask { await Self.cycle(encoder, on: system, until: stop) }
                    }
                    try await Task.sleep(for: busy)
                    await system.queue.kill()
                    tally.kills += 1
                    // The DJs run on against the dead service for a moment: publishes are refused,
                    // closes are taken by the gateway to deliver later.
                    try await Task.sleep(for: downFor)
                    stop.raise()
                    return try await group.reduce(into: []) { $0.append($1) }.sorted { $0.index < $1.index }
                }
                try await system.queue.start()
                tally.lost += try await Self.mismatches(encoders, on: system)
                try await Self.checkEventLog(system, seen: &seen, tally: &tally)
            }
            tally.acknowledged = encoders.map(\.acknowledged).reduce(0, +)
            tally.unanswered = encoders.map(\.unanswered).reduce(0, +)
            let report = """
                seed \(String(Self.seed, radix: 16)), \(Self.djCount) DJs
                kills: \(tally.kills)
                acknowledged operations: \(tally.acknowledged)
                publishes not answered (QueueService down or killed mid-request): \(tally.unanswered)
                lost (a DJ whose presence disagreed with their last acknowledged operation): \(tally.lost.count) \(tally.lost)
                sequence numbers repeated: \(tally.duplicates), skipped: \(tally.gaps), reused for another event across a restart: \(tally.reused)
                events in the log: \(tally.events)

                """
            try Artifacts.write("kill-nine.txt", report)
            print(report)
            #expect(tally.kills >= 5)
            #expect(tally.acknowledged > 20, "the DJs got enough done between kills to mean something")
            #expect(tally.lost.isEmpty)
            #expect(tally.duplicates == 0 && tally.gaps == 0 && tally.reused == 0)
        }
    }

    /// Publish, unpublish, publish, … until told to stop; one operation at a time, as an encoder does.
    static func cycle(_ start: Encoder, on system: RunningSystem, until stop: StopFlag) async -> Encoder {
        var encoder = start
        while !stop.isRaised {
            encoder.cycle += 1
            encoder.present = nil
            if (try? await system.publish(key: encoder.key, client: encoder.client))?.status == 200 {
                encoder.present = true
                encoder.acknowledged += 1
            } else {
                encoder.unanswered += 1
                try? await Task.sleep(for: .milliseconds(30))
            }
            if stop.isRaised { break }
            // SRS reports the end of every publish it let through; the gateway takes it even while
            // QueueService is down (and delivers it later), so only a gateway hiccup means "again".
            while (try? await system.hook("on_unpublish.json", key: encoder.key, client: encoder.client))?.status != 200 {
                try? await Task.sleep(for: .milliseconds(50))
            }
            encoder.present = false
            encoder.acknowledged += 1
        }
        return encoder
    }

    /// The DJs whose presence still disagrees with what they were told once the gateway had time
    /// to deliver the closes it held while QueueService was down.
    static func mismatches(_ encoders: [Encoder], on system: RunningSystem) async throws -> [String] {
        var wrong: [String] = []
        let deadline = ContinuousClock.now + .seconds(20)
        repeat {
            let state = try await system.internalState()
            let lineup = Set(([state.lead].compactMap { $0 } + state.waiting).map(\.djName))
            wrong = encoders.filter { encoder in encoder.present.map { $0 != lineup.contains(encoder.name) } ?? false }
                .map { "\($0.name) expected \($0.present == true ? "present" : "absent") after cycle \($0.cycle)" }
            if wrong.isEmpty { return [] }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        return wrong
    }

    /// Reads the whole log and checks its numbering, also against what earlier reads saw.
    static func checkEventLog(_ system: RunningSystem, seen: inout [UInt64: QueueEvent], tally: inout Tally) async throws {
        var events: [QueueEvent] = []
        var cursor: UInt64 = 0
        while true {
            let page = try await system.events(after: cursor)
            guard !page.events.isEmpty else { break }
            events += page.events
            cursor = page.next
        }
        let seqs = events.map(\.seq)
        tally.events = seqs.count
        tally.duplicates += seqs.count - Set(seqs).count
        // From 1, unless the log outgrew what QueueService keeps of it.
        let startsRight = seqs.first.map { $0 == 1 || seqs.count >= Self.retainedEvents } ?? true
        tally.gaps += zip(seqs, seqs.dropFirst()).filter { $1 != $0 + 1 }.count + (startsRight ? 0 : 1)
        for event in events {
            if let earlier = seen[event.seq], earlier != event { tally.reused += 1 }
            seen[event.seq] = event
        }
        let state = try await system.internalState()
        #expect(state.seq == seqs.last ?? 0, "the state is at the log's head")
    }
}
