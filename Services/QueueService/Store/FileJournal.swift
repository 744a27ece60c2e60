import Crypto
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOPosix
import Shared

/// The queue journal as an append-only file of checksummed lines, `<hash16> <json>\n`, one per
/// group commit: its events and what changed in the state (`StoredRecord`), the whole state only
/// in the first record, a compaction's, or where the change cannot be said more briefly.
/// Every append is written and `fdatasync`ed before it returns. At start the last
/// line may be torn by a crash mid-write — it was never acknowledged, so it is cut off with a loud
/// log line; damage anywhere else refuses the start. When the file grows past a threshold it is
/// rewritten as one record (state + recent events) via temp file, fsync and rename.
///
/// Compaction runs after a record is durable, so it can never fail that record's append: a
/// compaction that fails before its rename is logged and tried again once the file has grown
/// further. After the rename the old descriptor names an unlinked file, so a failure from there
/// on (the directory sync) stops the process rather than acknowledge writes a restart would not read.
///
/// Appends do not wait for a compaction: the snapshot (state and up to `retainedEvents` events, a
/// few megabytes) is encoded, written and synced beside the journal while appends go on; only
/// the records appended meanwhile are copied after it, the rename and the directory sync happen
/// under the write lock. Done inline, the rewrite stalled every commit behind it for 100 ms and
/// more (the churn benchmark's p99).
final class FileJournal: QueueJournal, @unchecked Sendable {
    let path: String
    private let directory: String
    private let encoder: JSONEncoder
    /// The compaction's own, since it encodes beside the appends.
    private let compactionEncoder: JSONEncoder
    private let decoder: JSONDecoder
    private let compactionThreshold: Int
    private let logger: Logger
    private let fileSystem: JournalFileSystem
    private let stop: @Sendable (String) -> Void
    private let syncTimer = Metrics.Timer(label: "queue_journal_sync_seconds", preferredDisplayUnit: .seconds)
    private let compactionFailures = Counter(label: "queue_journal_compaction_failures_total")
    private let writeLock = NIOLock()

    // Guarded by writeLock.
    private var descriptor: Int32 = -1
    private var durableLength = 0
    /// The state after the last record: what the next one's change is from.
    private var durableState: QueueState?
    private var recentEvents: RecentEvents
    /// Grows with the state, so a large queue is not rewritten on every append.
    private var nextCompaction: Int
    /// Why the journal stopped taking appends (only ever set where `stop` returns, i.e. in tests).
    private var stopped: String?
    /// The compaction in progress, if any: at most one at a time.
    private var compaction: Task<Void, Never>?

    /// - Parameters:
    ///   - fileSystem: the system calls, real by default; tests inject faults.
    ///   - stop: called (after a critical log line) when going on could lose acknowledged writes.
    ///     The default exits the process; a test's may return, and then every later append throws.
    init(
        directory: String, sealer: StreamNameSealer, logger: Logger, compactionThreshold: Int = 8 << 20, retainedEvents: Int = 10_000,
        fileSystem: JournalFileSystem = .system, stop: @escaping @Sendable (String) -> Void = { _ in exit(EXIT_FAILURE) }
    ) {
        self.directory = directory
        self.path = (directory as NSString).appendingPathComponent("queue.journal")
        self.logger = logger
        self.compactionThreshold = compactionThreshold
        self.recentEvents = RecentEvents(capacity: retainedEvents)
        self.nextCompaction = compactionThreshold
        self.fileSystem = fileSystem
        self.stop = stop
        encoder = Self.makeEncoder(sealer: sealer)
        compactionEncoder = Self.makeEncoder(sealer: sealer)
        decoder = JSONCoding.makeDecoder()
        decoder.userInfo[.streamNameSealer] = sealer
    }

    /// Keys as Swift names them: converting every key of the whole state to snake case on each
    /// commit was 8 % of QueueService's time under publish churn. The decoder reads both — a
    /// key without an underscore passes its snake-case conversion unchanged — so journals
    /// written before (snake case) still load.
    static func makeEncoder(sealer: StreamNameSealer) -> JSONEncoder {
        let encoder = JSONCoding.makeEncoder(sorted: false)
        encoder.keyEncodingStrategy = .useDefaultKeys
        encoder.userInfo[.streamNameSealer] = sealer
        return encoder
    }

    deinit {
        if descriptor >= 0 { _ = fileSystem.close(descriptor) }
    }

    func load() throws -> JournalContents {
        try writeLock.withLock {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let existed = FileManager.default.fileExists(atPath: path)
            descriptor = fileSystem.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw JournalError.io(path: path, operation: "open", errno: errno) }
            if !existed { try syncDirectory() }

            let bytes = try readAll()
            var state: QueueState?
            var offset = 0
            var line = 0
            while offset < bytes.count {
                line += 1
                guard let newline = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) else {
                    break  // an unterminated last line: a torn write
                }
                let isLast = newline == bytes.count - 1
                guard let json = Self.verifiedPayload(bytes[offset..<newline]) else {
                    if isLast { break }
                    throw JournalError.corrupted(path: path, line: line, reason: "checksum mismatch")
                }
                let record: StoredRecord
                do {
                    record = try decoder.decode(StoredRecord.self, from: json)
                    state = try record.state(after: state)
                } catch let error as JournalError {
                    throw error
                } catch {
                    throw JournalError.corrupted(path: path, line: line, reason: "unreadable record: \(error)")
                }
                remember(record.events)
                offset = newline + 1
            }
            if offset < bytes.count {
                logger.error(
                    "queue journal: discarding a torn last record left by a crash mid-write (never acknowledged)",
                    metadata: ["path": "\(path)", "discarded_bytes": "\(bytes.count - offset)", "kept_bytes": "\(offset)"]
                )
                guard fileSystem.ftruncate(descriptor, off_t(offset)) == 0 else { throw JournalError.io(path: path, operation: "ftruncate", errno: errno) }
                guard fileSystem.fsync(descriptor) == 0 else { throw JournalError.io(path: path, operation: "fsync", errno: errno) }
            }
            durableLength = offset
            durableState = state
            return JournalContents(state: state, events: Array(recentEvents.events))
        }
    }

    func append(_ record: JournalRecord) async throws {
        try await NIOThreadPool.singleton.runIfActive { [self] in
            try writeLock.withLock {
                if let stopped { throw JournalError.stopped(stopped) }
                // Under the lock: the change is from the record before, so the two may not cross.
                let line = try Self.line(for: encoder.encode(StoredRecord(record, after: durableState)))
                try write(line, at: durableLength, to: descriptor)
                durableLength += line.count
                durableState = record.state
                remember(record.events)
                if durableLength > nextCompaction, compaction == nil {
                    let snapshot = Snapshot(state: record.state, events: Array(recentEvents.events), length: durableLength)
                    compaction = Task.detached { [self] in
                        try? await NIOThreadPool.singleton.runIfActive { self.compact(snapshot) }
                        writeLock.withLock { compaction = nil }
                    }
                }
            }
        }
    }

    /// Returns once no compaction is in progress (tests, which then look at the files).
    func compactionFinished() async {
        while let running = writeLock.withLock({ compaction }) {
            await running.value
        }
    }

    // MARK: - Writing

    private func write(_ bytes: [UInt8], at offset: Int, to fd: Int32) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                fileSystem.pwrite(fd, buffer.baseAddress! + written, bytes.count - written, off_t(offset + written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                let failure = errno
                _ = fileSystem.ftruncate(fd, off_t(offset))  // never leave a half record in front of the next one
                throw JournalError.io(path: path, operation: "write", errno: failure)
            }
            written += result
        }
        guard fileSystem.fdatasync(fd) == 0 else {
            let failure = errno
            _ = fileSystem.ftruncate(fd, off_t(offset))
            throw JournalError.io(path: path, operation: "fdatasync", errno: failure)
        }
        syncTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
    }

    /// What a compaction writes: the state and recent events as of the append that started it,
    /// and how long the journal was then.
    private struct Snapshot {
        var state: QueueState
        var events: [QueueEvent]
        var length: Int
    }

    /// Rewrites the journal as one record, followed by the records appended since the snapshot —
    /// changes from the snapshot's state, which is the state after the record it was taken at.
    /// Every record in the old file is already durable and answered for, so nothing here may
    /// throw into an append.
    private func compact(_ snapshot: Snapshot) {
        let temporary = path + ".compacting"
        var compacted: (fd: Int32, length: Int)
        do {
            compacted = try writeCompacted(snapshot, to: temporary)
        } catch {
            writeLock.withLock { postponeCompaction(after: error) }
            return
        }
        writeLock.withLock {
            if stopped != nil {
                _ = fileSystem.close(compacted.fd)
                return
            }
            do {
                let since = try read(from: snapshot.length, to: durableLength)
                if !since.isEmpty {
                    try write(since, at: compacted.length, to: compacted.fd)
                    compacted.length += since.count
                }
            } catch {
                _ = fileSystem.close(compacted.fd)
                postponeCompaction(after: error)
                return
            }
            guard fileSystem.rename(temporary, path) == 0 else {
                let failure = errno
                _ = fileSystem.close(compacted.fd)
                postponeCompaction(after: JournalError.io(path: path, operation: "rename", errno: failure))
                return
            }
            // `path` now names the compacted file, but only a synced directory keeps it so across a
            // crash — until then a restart could read the old file, which later appends would miss.
            do {
                try syncDirectory()
            } catch {
                _ = fileSystem.close(compacted.fd)
                failStop("the compacted queue journal replaced the old one but the directory could not be synced (\(error)); stopping rather than acknowledge writes a restart might not read")
                return
            }
            _ = fileSystem.close(descriptor)
            descriptor = compacted.fd
            durableLength = compacted.length
            nextCompaction = max(compactionThreshold, 4 * compacted.length)
            logger.info("queue journal compacted", metadata: ["bytes": "\(compacted.length)", "events_kept": "\(recentEvents.count)"])
        }
    }

    /// The compacted journal, written and synced under `temporary`; its descriptor stays open
    /// for the appends after the rename, so nothing needs reopening once the old file is gone.
    private func writeCompacted(_ snapshot: Snapshot, to temporary: String) throws -> (fd: Int32, length: Int) {
        let line = try Self.line(for: compactionEncoder.encode(StoredRecord(events: snapshot.events, state: snapshot.state)))
        let fd = fileSystem.open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io(path: temporary, operation: "open", errno: errno) }
        do {
            try write(line, at: 0, to: fd)
        } catch {
            _ = fileSystem.close(fd)
            throw error
        }
        return (fd, line.count)
    }

    /// The journal stays as it is, correct and only longer; the next try waits until it has grown
    /// by another quarter of the threshold, so a full disk is not hit on every append.
    private func postponeCompaction(after error: any Error) {
        compactionFailures.increment()
        nextCompaction = durableLength + max(compactionThreshold / 4, 1)
        logger.error(
            "queue journal compaction failed; the journal is intact and keeps growing, compaction will be retried",
            metadata: ["error": "\(error)", "bytes": "\(durableLength)", "retry_at_bytes": "\(nextCompaction)"]
        )
    }

    private func failStop(_ reason: String) {
        stopped = reason
        logger.critical("queue journal: \(reason)", metadata: ["path": "\(path)"])
        stop(reason)
    }

    private func syncDirectory() throws {
        let fd = fileSystem.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw JournalError.io(path: directory, operation: "open", errno: errno) }
        defer { _ = fileSystem.close(fd) }
        guard fileSystem.fsync(fd) == 0 else { throw JournalError.io(path: directory, operation: "fsync", errno: errno) }
    }

    private func remember(_ events: [QueueEvent]) {
        recentEvents.append(contentsOf: events)
    }

    // MARK: - Format

    /// The journal's bytes in `start..<end`.
    private func read(from start: Int, to end: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: end - start)
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { fileSystem.pread(descriptor, $0.baseAddress! + done, $0.count - done, off_t(start + done)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw JournalError.io(path: path, operation: "read", errno: errno)
            }
            guard count > 0 else { throw JournalError.io(path: path, operation: "read", errno: EIO) }
            done += count
        }
        return bytes
    }

    private func readAll() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { fileSystem.pread(descriptor, $0.baseAddress!, $0.count, offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw JournalError.io(path: path, operation: "read", errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            offset += off_t(count)
        }
    }

    static func line(for json: Data) -> [UInt8] {
        var line = Array(checksum(json).utf8)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: json)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    static func verifiedPayload(_ line: ArraySlice<UInt8>) -> Data? {
        guard line.count > 17, line[line.startIndex + 16] == UInt8(ascii: " ") else { return nil }
        let json = Data(line[(line.startIndex + 17)...])
        guard String(decoding: line[line.startIndex..<line.startIndex + 16], as: UTF8.self) == checksum(json) else { return nil }
        return json
    }

    static func checksum(_ json: Data) -> String {
        SHA256.hash(data: json).prefix(8).hexString
    }
}
