import Foundation
import Logging
import Shared
import Testing
import TestSupport
@testable import QueueService

@Suite struct FileJournalTests {
    let sealer = StreamNameSealer(secret: Secret(TestSecrets.jwt))
    let logger = Logger(label: "journal-test")

    func journal(_ directory: URL, threshold: Int = 8 << 20, retained: Int = 10_000) -> FileJournal {
        FileJournal(directory: directory.path, sealer: sealer, logger: logger, compactionThreshold: threshold, retainedEvents: retained)
    }

    /// Runs commands through a machine and appends one record per command: publishes, and with
    /// `closingAfter`, each session closed that many publishes after it opened (churn).
    func write(_ commands: Int, to journal: FileJournal, closingAfter: Int? = nil) async throws -> QueueState {
        var machine = QueueMachine(state: try journal.load().state ?? QueueState(swapInterval: 3600), rules: QueueRules(waitingGrace: 0))
        for index in 0..<commands {
            let now = Date(timeIntervalSince1970: 1_800_000_000 + Double(index))
            let request = PublishRequest(clientId: "client\(index)", userId: UUID(), djName: "DJ \(index)", app: "live", stream: "SECRETKEY\(index)")
            let events = machine.publish(request, now: now).events
            try await journal.append(JournalRecord(events: events, state: machine.state))
            if let closingAfter, index >= closingAfter {
                let closed = machine.closeSession(clientId: "client\(index - closingAfter)", now: now)
                try await journal.append(JournalRecord(events: closed, state: machine.state))
            }
        }
        // Compactions ran beside the appends (not waited for between them): what they copied
        // after their snapshots must be all that was appended meanwhile.
        await journal.compactionFinished()
        return machine.state
    }

    @Test func whatWasAppendedIsWhatLoads() async throws {
        let directory = try temporaryDirectory("journal")
        let state = try await write(5, to: journal(directory))
        let reloaded = try journal(directory).load()
        #expect(reloaded.state == state)
        #expect(reloaded.events.map(\.seq) == Array(1...10))
    }

    /// Journals written before the keys kept their Swift names had them in snake case: they load.
    @Test func aJournalWithSnakeCaseKeysStillLoads() async throws {
        let directory = try temporaryDirectory("journal")
        var machine = QueueMachine(state: QueueState(swapInterval: 3600))
        var lines: [UInt8] = []
        let snakeCase = JSONCoding.makeEncoder(sorted: false)
        snakeCase.userInfo[.streamNameSealer] = sealer
        for index in 0..<3 {
            let request = PublishRequest(clientId: "client\(index)", userId: UUID(), djName: "DJ \(index)", app: "live", stream: "SECRETKEY\(index)")
            let events = machine.publish(request, now: Date(timeIntervalSince1970: 1_800_000_000 + Double(index))).events
            lines += FileJournal.line(for: try snakeCase.encode(JournalRecord(events: events, state: machine.state)))
        }
        #expect(String(decoding: lines, as: UTF8.self).contains("sealed_stream"), "written the old way")
        try Data(lines).write(to: directory.appendingPathComponent("queue.journal"))
        let loaded = try journal(directory).load()
        #expect(loaded.state == machine.state)
        #expect(loaded.events.map(\.seq) == Array(1...6))
        // And appended to the new way, it loads as one journal.
        let events = machine.publish(PublishRequest(clientId: "client9", userId: UUID(), djName: "DJ 9", app: "live", stream: "SECRETKEY9"), now: Date(timeIntervalSince1970: 1_800_000_100)).events
        let reopened = journal(directory)
        _ = try reopened.load()
        try await reopened.append(JournalRecord(events: events, state: machine.state))
        #expect(try journal(directory).load().state == machine.state)
    }

    /// After the first record, each holds only what changed: under churn a commit wrote the whole
    /// queue, every session and waiting DJ, where it changes one or two of them.
    @Test func recordsAfterTheFirstHoldOnlyWhatChanged() async throws {
        let directory = try temporaryDirectory("journal")
        let state = try await write(16, to: journal(directory))
        let lines = try String(contentsOf: directory.appendingPathComponent("queue.journal"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 16)
        #expect(lines[0].contains(#""state":"#))
        #expect(lines.dropFirst().allSatisfy { !$0.contains(#""state":"#) && $0.contains(#""change":"#) })
        let whole = try FileJournal.makeEncoder(sealer: sealer).encode(state).count
        #expect(lines[15].utf8.count * 3 < whole, "the 16th record (\(lines[15].utf8.count) bytes) beside the state it leads to (\(whole) bytes)")
        #expect(try journal(directory).load().state == state)
    }

    /// A change whose checksum holds but which does not fit the state before it was never written
    /// by this journal: refused, like any damage before the last line, never applied half.
    @Test(arguments: [true, false])
    func aChangeThatDoesNotFitRefusesToStart(afterAState: Bool) async throws {
        let directory = try temporaryDirectory("journal")
        var lines: [UInt8] = []
        let encoder = FileJournal.makeEncoder(sealer: sealer)
        if afterAState {
            lines += FileJournal.line(for: try encoder.encode(StoredRecord(events: [], state: QueueState(swapInterval: 60))))
        }
        var misfit = StoredRecord(events: [], state: QueueState(swapInterval: 60))
        misfit.state = nil
        misfit.change = StateChange(waiting: ListEdit(removed: [4]))
        lines += FileJournal.line(for: try encoder.encode(misfit))
        try Data(lines).write(to: directory.appendingPathComponent("queue.journal"))
        #expect(throws: JournalError.self) { try journal(directory).load() }
    }

    @Test func streamKeysNeverReachTheDiskInPlaintext() async throws {
        let directory = try temporaryDirectory("journal")
        _ = try await write(3, to: journal(directory))
        let bytes = try String(contentsOf: directory.appendingPathComponent("queue.journal"), encoding: .utf8)
        #expect(!bytes.contains("SECRETKEY"))
        #expect(bytes.contains("sealedStream"))
        let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("queue.journal").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aTornLastRecordIsCutOffAndTheRestKept() async throws {
        let directory = try temporaryDirectory("journal")
        let state = try await write(3, to: journal(directory))
        let file = directory.appendingPathComponent("queue.journal")
        let intact = try Data(contentsOf: file)
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("0123456789abcdef {\"events\":[{\"seq\":7,\"ti".utf8))
        try handle.close()

        let reloaded = try journal(directory).load()
        #expect(reloaded.state == state)
        #expect(try Data(contentsOf: file) == intact)
    }

    @Test func damageBeforeTheLastRecordRefusesToStart() async throws {
        let directory = try temporaryDirectory("journal")
        _ = try await write(3, to: journal(directory))
        let file = directory.appendingPathComponent("queue.journal")
        var lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: "DJ 1", with: "DJ X")
        try lines.joined(separator: "\n").write(to: file, atomically: false, encoding: .utf8)

        #expect(throws: JournalError.self) { try journal(directory).load() }
        // Refusing must not repair anything behind the operator's back.
        #expect(try String(contentsOf: file, encoding: .utf8).contains("DJ X"))
    }

    @Test func aDifferentSecretCannotReadTheJournal() async throws {
        let directory = try temporaryDirectory("journal")
        _ = try await write(2, to: journal(directory))
        let other = FileJournal(directory: directory.path, sealer: StreamNameSealer(secret: Secret("another-secret-0123456789-0123456789-xyz")), logger: logger)
        #expect(throws: JournalError.self) { try other.load() }
    }

    @Test func compactionKeepsStateAndRecentEvents() async throws {
        let directory = try temporaryDirectory("journal")
        let state = try await write(200, to: journal(directory, threshold: 16 << 10, retained: 25), closingAfter: 8)
        let uncompacted = try temporaryDirectory("journal")
        _ = try await write(200, to: journal(uncompacted), closingAfter: 8)
        func size(_ directory: URL) throws -> Int {
            try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("queue.journal").path)[.size] as! Int
        }
        #expect(try size(directory) < size(uncompacted) / 2, "rewritten smaller")
        let reloaded = try journal(directory, retained: 25).load()
        #expect(reloaded.state == state)
        #expect(reloaded.state?.sessions.count == 8)
        #expect(reloaded.events.count == 25)
        #expect(reloaded.events.last?.seq == state.lastSeq)
    }
}
