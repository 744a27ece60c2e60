import Foundation
import Logging
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import QueueService

/// The journal under injected file-system faults: compaction is best effort once a record is
/// durable, and a failure after the compacted file replaced the old one stops the journal.
@Suite struct JournalFaultTests {
    let sealer = StreamNameSealer(secret: Secret(TestSecrets.jwt))
    let logger = Logger(label: "journal-fault-test")
    /// Small, so a few dozen publishes cross it several times.
    static let threshold = 16 << 10

    func journal(_ directory: URL, _ faults: FaultyFileSystem? = nil, stop: @escaping @Sendable (String) -> Void = { Issue.record("stopped: \($0)") }) -> FileJournal {
        FileJournal(
            directory: directory.path, sealer: sealer, logger: logger, compactionThreshold: Self.threshold,
            fileSystem: faults?.fileSystem ?? .system, stop: stop
        )
    }

    func publish(_ index: Int) -> PublishRequest {
        PublishRequest(clientId: "client\(index)", userId: UUID(), djName: "DJ \(index)", app: "live", stream: "SECRETKEY\(index)")
    }

    func at(_ index: Int) -> Date { Date(timeIntervalSince1970: 1_800_000_000 + Double(index)) }

    /// Before the fix the append that crossed the threshold threw when the compaction failed,
    /// though its record was already written and synced.
    @Test(arguments: [FaultyFileSystem.Fault.openCompacted, .writeCompacted, .renameCompacted])
    func aFailedCompactionNeverFailsTheAppendThatRanIt(_ fault: FaultyFileSystem.Fault) async throws {
        let directory = try temporaryDirectory("journal")
        let faults = FaultyFileSystem()
        let journal = journal(directory, faults)
        var machine = QueueMachine(state: try journal.load().state ?? QueueState(swapInterval: 3600))
        faults.arm(fault, errno: ENOSPC)
        for index in 0..<40 {
            let events = machine.publish(publish(index), now: at(index)).events
            try await journal.append(JournalRecord(events: events, state: machine.state))
            await journal.compactionFinished()
        }
        #expect(faults.failures(fault) >= 2, "tried, and tried again once the journal grew")
        #expect(faults.renames == 0)
        let reloaded = try self.journal(directory).load()
        #expect(reloaded.state == machine.state)
        #expect(reloaded.events.map(\.seq) == Array(1...80))

        // With room on the disk again, the next try compacts.
        faults.disarm(fault)
        for index in 40..<60 {
            let events = machine.publish(publish(index), now: at(index)).events
            try await journal.append(JournalRecord(events: events, state: machine.state))
            await journal.compactionFinished()
        }
        #expect(faults.renames >= 1)
        let compacted = try self.journal(directory).load()
        #expect(compacted.state == machine.state)
        #expect(compacted.events.map(\.seq) == Array(1...120))
    }

    /// A compaction does not hold up the appends: while its snapshot is synced, records go on
    /// being written and answered, and the compacted journal ends with every one of them.
    @Test func appendsGoOnWhileACompactionRunsAndNoneIsLost() async throws {
        let directory = try temporaryDirectory("journal")
        let faults = FaultyFileSystem()
        let journal = journal(directory, faults)
        var machine = QueueMachine(state: try journal.load().state ?? QueueState(swapInterval: 3600))
        faults.holdFirstCompaction(until: 5)
        for index in 0..<80 {
            let events = machine.publish(publish(index), now: at(index)).events
            try await journal.append(JournalRecord(events: events, state: machine.state))
        }
        await journal.compactionFinished()
        #expect(faults.compactionHeldWhileAppending == true, "five appends were written while the compaction's sync waited")
        #expect(faults.renames >= 1)
        let reloaded = try self.journal(directory).load()
        #expect(reloaded.state == machine.state, "the records appended during the compaction were copied after its snapshot")
        #expect(reloaded.events.map(\.seq) == Array(1...160))
    }

    /// The engine's view of the same defect: before the fix the command whose commit ran the
    /// failed compaction was refused and rolled back, the next command reused its sequence
    /// numbers, and after a restart the log held duplicates and a command its client was told failed.
    @Test func aFailedCompactionRefusesNoCommandAndRepeatsNoSequenceNumber() async throws {
        let directory = try temporaryDirectory("engine")
        let faults = FaultyFileSystem()
        faults.arm(.writeCompacted, errno: ENOSPC)
        let faulty = journal(directory, faults)
        let engine = try QueueEngine(
            journal: faulty, clock: SystemQueueClock(), rules: QueueRules(leadGrace: 0, waitingGrace: 0), swapInterval: 3600,
            forwardTargets: [], kicks: nil, logger: logger
        )
        var refused = 0
        for index in 0..<30 {
            do { _ = try await engine.publish(publish(index)) } catch { refused += 1 }
            await faulty.compactionFinished()
        }
        #expect(refused == 0)
        #expect(faults.failures(.writeCompacted) >= 1)

        let restarted = try QueueEngine(
            journal: journal(directory), clock: SystemQueueClock(), rules: QueueRules(), swapInterval: 3600, forwardTargets: [], kicks: nil, logger: logger
        )
        let seqs = await restarted.feed.page(after: 0, limit: 1000).events.map(\.seq)
        #expect(seqs == Array(1...60))
        #expect(await restarted.queueJSON().streamQueue == (0..<30).map { "DJ \($0)" })
    }

    /// Before the fix a failed directory sync after the rename threw, and the appends after it
    /// went on into the old, unlinked file: acknowledged, and gone after a restart.
    @Test(arguments: [FaultyFileSystem.Fault.syncDirectory, .openDirectory])
    func aFailureAfterTheRenameStopsTheJournalAndLosesNothingAcknowledged(_ fault: FaultyFileSystem.Fault) async throws {
        let directory = try temporaryDirectory("journal")
        let faults = FaultyFileSystem()
        let stops = NIOLockedValueBox<[String]>([])
        let journal = journal(directory, faults) { reason in stops.withLockedValue { $0.append(reason) } }
        var machine = QueueMachine(state: try journal.load().state ?? QueueState(swapInterval: 3600))
        faults.arm(fault)
        var acknowledged: QueueState?
        var refused = 0
        for index in 0..<40 {
            let events = machine.publish(publish(index), now: at(index)).events
            do {
                try await journal.append(JournalRecord(events: events, state: machine.state))
                acknowledged = machine.state
                await journal.compactionFinished()
            } catch {
                #expect(error is JournalError)
                refused += 1
            }
        }
        #expect(faults.renames == 1)
        #expect(stops.withLockedValue { $0.count } == 1)
        #expect(stops.withLockedValue { $0.first?.contains("directory") } == true)
        #expect(refused > 0, "nothing is taken after the stop")

        let reloaded = try self.journal(directory).load()
        #expect(reloaded.state == acknowledged, "every append that returned survives the restart")
    }
}
