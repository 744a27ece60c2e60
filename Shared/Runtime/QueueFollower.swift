import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOPosix
import ServiceLifecycle

/// Follows QueueService's event log by long poll, with a cursor kept on disk so a restart
/// resumes where it left off. The handler runs for every page that carries news; the cursor
/// moves past a page only after the handler returned.
public actor QueueFollower: Service {
    public struct Status: Codable, Sendable, Equatable {
        public var cursor: UInt64
        public var reachable: Bool
        public var lastError: String?
        public var lastEventAt: Date?

        public init(cursor: UInt64, reachable: Bool, lastError: String? = nil, lastEventAt: Date? = nil) {
            self.cursor = cursor
            self.reachable = reachable
            self.lastError = lastError
            self.lastEventAt = lastEventAt
        }
    }

    private let follower: EventLogFollower
    private let cursorFile: CursorFile
    private var handler: @Sendable (EventPage) async throws -> Void = { _ in }
    private(set) var status: Status

    public init(source: any EventLogSource, cursorPath: String, logger: Logger, clock: any Clock<Duration> = ContinuousClock()) throws {
        self.follower = EventLogFollower(source: source, clock: clock, logger: logger)
        self.cursorFile = CursorFile(path: cursorPath)
        self.status = Status(cursor: try cursorFile.read() ?? 0, reachable: false)
    }

    public func onPage(_ handler: @escaping @Sendable (EventPage) async throws -> Void) {
        self.handler = handler
    }

    public func currentStatus() -> Status { status }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.follow()
        }
    }

    private func follow() async {
        await follower.follow(after: status.cursor, reachable: { error in await self.noteReachable(error) }) { page in
            try await self.handle(page)
        }
    }

    private func noteReachable(_ error: String?) {
        status.reachable = error == nil
        status.lastError = error
    }

    private func handle(_ page: EventPage) async throws -> EventLogFollower.Next {
        try await handler(page)
        status.cursor = page.next
        status.lastEventAt = page.events.last?.time ?? status.lastEventAt
        try await cursorFile.write(page.next)
        return .continueAfter(page.next)
    }
}

/// A cursor in a small file, replaced atomically (write, fsync, rename).
public struct CursorFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func read() throws -> UInt64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        guard let value = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ConfigurationError("the cursor file \(path) is unreadable; remove it to start from the current state")
        }
        return value
    }

    /// Off the cooperative thread pool: an fsync can take milliseconds on a busy disk, and a
    /// blocked cooperative thread stalls every task of the process.
    public func write(_ cursor: UInt64) async throws {
        try await NIOThreadPool.singleton.runIfActive { try writeNow(cursor) }
    }

    private func writeNow(_ cursor: UInt64) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CursorFileError(path: temporary, errno: errno) }
        let bytes = Array("\(cursor)\n".utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else { throw CursorFileError(path: temporary, errno: errno) }
        guard rename(temporary, path) == 0 else { throw CursorFileError(path: path, errno: errno) }
    }
}

struct CursorFileError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32
    var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
}
