import Foundation
import NIOConcurrencyHelpers
@testable import QueueService

/// The real file system, except for the calls a test arms to fail: each armed fault fails the
/// next matching call with `errno` (a full disk, an I/O error) and every one after it until disarmed.
/// It tells the compaction's temporary file and the directory apart from the journal itself by
/// what was opened, as `FileJournal` opens them.
final class FaultyFileSystem: @unchecked Sendable {
    enum Fault: Hashable {
        /// Opening `queue.journal.compacting`.
        case openCompacted
        /// Writing or syncing the compaction's temporary file.
        case writeCompacted
        case renameCompacted
        /// Opening the journal's directory to sync it, or syncing it.
        case openDirectory
        case syncDirectory
        /// Writing the journal itself.
        case writeJournal
    }

    private struct State {
        var armed: [Fault: Int32] = [:]
        var compactedDescriptors: Set<Int32> = []
        var directoryDescriptors: Set<Int32> = []
        var failures: [Fault: Int] = [:]
        var renames = 0
        var journalWrites = 0
        /// Set by `holdFirstCompaction`: how many journal writes its sync waits for.
        var holdFor: Int?
        /// Whether the held compaction saw those writes (rather than giving up after 10 s).
        var holdSawWrites: Bool?
    }

    private let state = NIOLockedValueBox(State())

    func arm(_ fault: Fault, errno code: Int32 = EIO) {
        state.withLockedValue { $0.armed[fault] = code }
    }

    func disarm(_ fault: Fault) {
        state.withLockedValue { _ = $0.armed.removeValue(forKey: fault) }
    }

    /// How many calls an armed fault failed.
    func failures(_ fault: Fault) -> Int { state.withLockedValue { $0.failures[fault, default: 0] } }

    /// The first compaction's sync of its temporary file waits until `appends` more records were
    /// written to the journal (at most 10 s): appends go on while a compaction runs.
    func holdFirstCompaction(until appends: Int) {
        state.withLockedValue { $0.holdFor = appends }
    }

    private func holdIfAsked() {
        guard let wanted = state.withLockedValue({ state -> Int? in
            defer { state.holdFor = nil }
            return state.holdFor.map { state.journalWrites + $0 }
        }) else { return }
        let deadline = ContinuousClock.now + .seconds(10)
        while state.withLockedValue({ $0.journalWrites }) < wanted, ContinuousClock.now < deadline { usleep(1000) }
        state.withLockedValue { $0.holdSawWrites = $0.journalWrites >= wanted }
    }

    /// Nil until the held compaction went on; then whether appends were written while it waited.
    var compactionHeldWhileAppending: Bool? { state.withLockedValue { $0.holdSawWrites } }

    /// Records written to the journal itself.
    var journalWrites: Int { state.withLockedValue { $0.journalWrites } }

    /// Renames that went through: compactions that replaced the journal.
    var renames: Int { state.withLockedValue { $0.renames } }

    /// Returns the errno to fail with when `fault` is armed (counting the failure), or nil.
    private func failing(_ fault: Fault) -> Int32? {
        state.withLockedValue { state in
            guard let code = state.armed[fault] else { return nil }
            state.failures[fault, default: 0] += 1
            return code
        }
    }

    private func isCompacted(_ fd: Int32) -> Bool { state.withLockedValue { $0.compactedDescriptors.contains(fd) } }
    private func isDirectory(_ fd: Int32) -> Bool { state.withLockedValue { $0.directoryDescriptors.contains(fd) } }

    var fileSystem: JournalFileSystem {
        let real = JournalFileSystem.system
        var faulty = real
        faulty.open = { [self] path, flags, mode in
            let isDirectory = flags & O_DIRECTORY != 0
            let isCompacted = path.hasSuffix(".compacting")
            if isDirectory || isCompacted, let code = failing(isDirectory ? .openDirectory : .openCompacted) {
                errno = code
                return -1
            }
            let fd = real.open(path, flags, mode)
            if fd >= 0 {
                state.withLockedValue { state in
                    if isDirectory { state.directoryDescriptors.insert(fd) }
                    if isCompacted { state.compactedDescriptors.insert(fd) }
                }
            }
            return fd
        }
        faulty.close = { [self] fd in
            state.withLockedValue { state in
                state.directoryDescriptors.remove(fd)
                state.compactedDescriptors.remove(fd)
            }
            return real.close(fd)
        }
        faulty.pwrite = { [self] fd, buffer, count, offset in
            if let code = failing(isCompacted(fd) ? .writeCompacted : .writeJournal) {
                errno = code
                return -1
            }
            if !isCompacted(fd) { state.withLockedValue { $0.journalWrites += 1 } }
            return real.pwrite(fd, buffer, count, offset)
        }
        faulty.fdatasync = { [self] fd in
            if isCompacted(fd), let code = failing(.writeCompacted) {
                errno = code
                return -1
            }
            if isCompacted(fd) { holdIfAsked() }
            return real.fdatasync(fd)
        }
        faulty.fsync = { [self] fd in
            if isDirectory(fd), let code = failing(.syncDirectory) {
                errno = code
                return -1
            }
            return real.fsync(fd)
        }
        faulty.rename = { [self] from, to in
            if let code = failing(.renameCompacted) {
                errno = code
                return -1
            }
            let result = real.rename(from, to)
            if result == 0 {
                // The compacted file is the journal now, and so is its descriptor.
                state.withLockedValue { state in
                    state.renames += 1
                    state.compactedDescriptors.removeAll()
                }
            }
            return result
        }
        return faulty
    }
}
