import Crypto
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOPosix
import Shared

/// The queue journal as an append-only file of checksummed lines, `<hash16> <json>\n`, one per
/// group commit. Every append is written and `fdatasync`ed before it returns. At start the last
/// line may be torn by a crash mid-write — it was never acknowledged, so it is cut off with a loud
/// log line; damage anywhere else refuses the start. When the file grows past a threshold it is
/// rewritten as one record (state + recent events) via temp file, fsync and rename.
final class FileJournal: QueueJournal, @unchecked Sendable {
    let path: String
    private let directory: String
    private let encoder: JSONEncoder
    private let decoder: JSONDecoder
    private let compactionThreshold: Int
    private let retainedEvents: Int
    private let logger: Logger
    private let syncTimer = Metrics.Timer(label: "queue_journal_sync_seconds", preferredDisplayUnit: .seconds)
    private let writeLock = NIOLock()

    // Guarded by writeLock.
    private var descriptor: Int32 = -1
    private var durableLength = 0
    private var recentEvents: [QueueEvent] = []
    /// Grows with the state, so a large queue is not rewritten on every append.
    private var nextCompaction: Int

    init(directory: String, sealer: StreamNameSealer, logger: Logger, compactionThreshold: Int = 8 << 20, retainedEvents: Int = 10_000) {
        self.directory = directory
        self.path = (directory as NSString).appendingPathComponent("queue.journal")
        self.logger = logger
        self.compactionThreshold = compactionThreshold
        self.retainedEvents = retainedEvents
        self.nextCompaction = compactionThreshold
        encoder = JSONCoding.makeEncoder(sorted: false)
        encoder.userInfo[.streamNameSealer] = sealer
        decoder = JSONCoding.makeDecoder()
        decoder.userInfo[.streamNameSealer] = sealer
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func load() throws -> JournalContents {
        try writeLock.withLock {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let existed = FileManager.default.fileExists(atPath: path)
            descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
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
                let record: JournalRecord
                do {
                    record = try decoder.decode(JournalRecord.self, from: json)
                } catch let error as JournalError {
                    throw error
                } catch {
                    throw JournalError.corrupted(path: path, line: line, reason: "unreadable record: \(error)")
                }
                state = record.state
                remember(record.events)
                offset = newline + 1
            }
            if offset < bytes.count {
                logger.error(
                    "queue journal: discarding a torn last record left by a crash mid-write (never acknowledged)",
                    metadata: ["path": "\(path)", "discarded_bytes": "\(bytes.count - offset)", "kept_bytes": "\(offset)"]
                )
                guard ftruncate(descriptor, off_t(offset)) == 0 else { throw JournalError.io(path: path, operation: "ftruncate", errno: errno) }
                guard fsync(descriptor) == 0 else { throw JournalError.io(path: path, operation: "fsync", errno: errno) }
            }
            durableLength = offset
            return JournalContents(state: state, events: recentEvents)
        }
    }

    func append(_ record: JournalRecord) async throws {
        let line = try Self.line(for: encoder.encode(record))
        try await NIOThreadPool.singleton.runIfActive { [self] in
            try writeLock.withLock {
                try write(line, at: durableLength, to: descriptor)
                durableLength += line.count
                remember(record.events)
                if durableLength > nextCompaction {
                    try compact(state: record.state)
                }
            }
        }
    }

    // MARK: - Writing

    private func write(_ bytes: [UInt8], at offset: Int, to fd: Int32) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                pwrite(fd, buffer.baseAddress! + written, bytes.count - written, off_t(offset + written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                let failure = errno
                _ = ftruncate(fd, off_t(offset))  // never leave a half record in front of the next one
                throw JournalError.io(path: path, operation: "write", errno: failure)
            }
            written += result
        }
        guard fdatasync(fd) == 0 else {
            let failure = errno
            _ = ftruncate(fd, off_t(offset))
            throw JournalError.io(path: path, operation: "fdatasync", errno: failure)
        }
        syncTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
    }

    private func compact(state: QueueState) throws {
        let temporary = path + ".compacting"
        let line = try Self.line(for: encoder.encode(JournalRecord(events: recentEvents, state: state)))
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io(path: temporary, operation: "open", errno: errno) }
        do {
            try write(line, at: 0, to: fd)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw JournalError.io(path: path, operation: "rename", errno: errno) }
        try syncDirectory()
        let reopened = open(path, O_RDWR | O_CLOEXEC)
        guard reopened >= 0 else { throw JournalError.io(path: path, operation: "open", errno: errno) }
        close(descriptor)
        descriptor = reopened
        durableLength = line.count
        nextCompaction = max(compactionThreshold, 4 * line.count)
        logger.info("queue journal compacted", metadata: ["bytes": "\(line.count)", "events_kept": "\(recentEvents.count)"])
    }

    private func syncDirectory() throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io(path: directory, operation: "open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw JournalError.io(path: directory, operation: "fsync", errno: errno) }
    }

    private func remember(_ events: [QueueEvent]) {
        recentEvents.append(contentsOf: events)
        if recentEvents.count > retainedEvents {
            recentEvents.removeFirst(recentEvents.count - retainedEvents)
        }
    }

    // MARK: - Format

    private func readAll() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, offset) }
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
