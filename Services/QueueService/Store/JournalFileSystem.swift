import Foundation

/// The system calls `FileJournal` makes, one closure each, so a test can make any of them fail
/// at a chosen point (a full disk on the compaction's write, a directory that cannot be synced
/// after the rename). Each behaves like the call it stands for: it returns the call's result and
/// leaves `errno` set when that result is a failure.
struct JournalFileSystem: Sendable {
    var open: @Sendable (_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32
    var close: @Sendable (_ fd: Int32) -> Int32
    var pread: @Sendable (_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ offset: off_t) -> Int
    var pwrite: @Sendable (_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ offset: off_t) -> Int
    var fdatasync: @Sendable (_ fd: Int32) -> Int32
    var fsync: @Sendable (_ fd: Int32) -> Int32
    var ftruncate: @Sendable (_ fd: Int32, _ length: off_t) -> Int32
    var rename: @Sendable (_ from: String, _ to: String) -> Int32

    static let system = JournalFileSystem(
        open: { path, flags, mode in Foundation.open(path, flags, mode) },
        close: { fd in Foundation.close(fd) },
        pread: { fd, buffer, count, offset in Foundation.pread(fd, buffer, count, offset) },
        pwrite: { fd, buffer, count, offset in Foundation.pwrite(fd, buffer, count, offset) },
        fdatasync: { fd in Foundation.fdatasync(fd) },
        fsync: { fd in Foundation.fsync(fd) },
        ftruncate: { fd, length in Foundation.ftruncate(fd, length) },
        rename: { from, to in Foundation.rename(from, to) }
    )
}
