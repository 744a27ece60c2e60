import Foundation
import Shared
import Synchronization

/// Starts relays: one process copying a live stream to a platform; tests swap in a fake.
protocol RelayLauncher: Sendable {
    /// `redacting`: texts (the pull URL's stream name, the platform key) never repeated in what
    /// the run reports.
    func start(pulling source: String, to destination: String, redacting: [String]) throws -> any RelayRun
}

/// What a running relay says, in order: progress lines, error lines, then its exit, after which
/// the stream ends.
enum RelayOutput: Sendable, Equatable {
    case progress(String)
    case said(String)
    case exited(status: Int32)
}

protocol RelayRun: Sendable {
    var output: AsyncStream<RelayOutput> { get }
    var processID: Int32 { get }
    /// Returns the exit status once the process has exited (any number of callers), or -1 if the
    /// waiting task is cancelled first.
    func waitForExit() async -> Int32
    /// Asks it to finish (SIGTERM: ffmpeg closes the FLV stream properly, and the platform sees
    /// an end, not a drop). A second one interrupts a blocked read or write.
    func terminate()
    /// SIGKILL, for one that did not finish in time.
    func kill()
}

/// Debian's ffmpeg: `-c copy` to FLV, its `-progress` key=value blocks on stdout.
struct FFmpegRelayLauncher: RelayLauncher {
    var ffmpeg = "/usr/bin/ffmpeg"

    static func arguments(source: String, destination: String) -> [String] {
        [
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1",
            "-i", source, "-c", "copy", "-f", "flv", destination,
        ]
    }

    func start(pulling source: String, to destination: String, redacting: [String]) throws -> any RelayRun {
        try FFmpegRelayRun(executable: ffmpeg, arguments: Self.arguments(source: source, destination: destination), redacting: redacting)
    }
}

struct RelaySpawnError: Error, CustomStringConvertible {
    var executable: String
    var errno: Int32
    var description: String { "cannot start \(executable): \(String(cString: strerror(errno)))" }
}

/// Spawned with posix_spawn rather than Foundation's Process, which starts the child with the
/// spawning thread's signal mask: from a Swift concurrency thread that blocks SIGTERM, so ffmpeg
/// would never see the signals that ask it to finish (measured: every stop ended in SIGKILL).
private final class FFmpegRelayRun: RelayRun {
    private struct State {
        var partial: [Bool: String] = [:]
        var openPipes = 2
        var status: Int32?
        var finished = false
    }

    let output: AsyncStream<RelayOutput>
    let processID: Int32
    private let continuation: AsyncStream<RelayOutput>.Continuation
    private let redacting: [String]
    private let state = Mutex(State())
    private let exited = Wakeup()

    init(executable: String, arguments: [String], redacting: [String]) throws {
        (output, continuation) = AsyncStream.makeStream(of: RelayOutput.self)
        // Longest first, so a URL is replaced whole before a key inside it.
        self.redacting = redacting.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        var progress: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        let pid = try Self.spawning.withLock { _ in
            try Self.spawn(executable, arguments, progress: &progress, errors: &errors)
        }
        processID = pid
        read(progress[0], progress: true)
        read(errors[0], progress: false)
        DispatchQueue.global().async { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            // waitpid's status: the exit code in bits 8–15 when bits 0–6 (the killing signal) are 0.
            let signal = status & 0x7f
            ended(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
        }
    }

    /// Pipes are made close-on-exec one call after they are made (Glibc has no `pipe2` here);
    /// one spawn at a time, so no relay started meanwhile inherits another's pipe ends (which
    /// would hold that relay's end of file until the other exits).
    private static let spawning = Mutex(())

    private static func spawn(_ executable: String, _ arguments: [String], progress: inout [Int32], errors: inout [Int32]) throws -> pid_t {
        guard pipe(&progress) == 0 else { throw RelaySpawnError(executable: executable, errno: errno) }
        guard pipe(&errors) == 0 else {
            let failure = errno
            progress.forEach { close($0) }
            throw RelaySpawnError(executable: executable, errno: failure)
        }
        for fd in progress + errors { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, progress[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(progress[1])
        close(errors[1])
        guard spawned == 0 else {
            close(progress[0])
            close(errors[0])
            throw RelaySpawnError(executable: executable, errno: spawned)
        }
        return pid
    }

    func waitForExit() async -> Int32 {
        while true {
            if let status = state.withLock({ $0.finished ? $0.status : nil }) { return status }
            guard await exited.wait() else { return -1 }
        }
    }

    func terminate() {
        if state.withLock({ $0.status == nil }) { Glibc.kill(processID, SIGTERM) }
    }

    func kill() {
        if state.withLock({ $0.status == nil }) { Glibc.kill(processID, SIGKILL) }
    }

    /// Blocking reads on a thread of their own until end of file.
    private func read(_ fd: Int32, progress: Bool) {
        DispatchQueue.global().async { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = Glibc.read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                heard(buffer[0..<count], progress: progress)
            }
            close(fd)
            closed()
        }
    }

    private func heard(_ chunk: ArraySlice<UInt8>, progress: Bool) {
        let lines = state.withLock { state -> [Substring] in
            let text = (state.partial[progress] ?? "") + String(decoding: chunk, as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let rest = lines.removeLast()
            // A runaway line is cut rather than held without end.
            state.partial[progress] = String(rest.suffix(4096))
            return lines
        }
        for line in lines {
            let clean = line.hasSuffix("\r") ? line.dropLast() : line
            continuation.yield(progress ? .progress(String(clean)) : .said(redacted(String(clean))))
        }
    }

    private func closed() {
        state.withLock { $0.openPipes -= 1 }
        finishIfDone()
    }

    private func ended(status: Int32) {
        state.withLock { $0.status = status }
        finishIfDone()
    }

    /// The exit goes last, after everything the process wrote: its last words explain it.
    private func finishIfDone() {
        let status = state.withLock { state -> Int32? in
            guard state.openPipes == 0, let status = state.status, !state.finished else { return nil }
            state.finished = true
            return status
        }
        guard let status else { return }
        continuation.yield(.exited(status: status))
        continuation.finish()
        exited.signal()
    }

    private func redacted(_ text: String) -> String {
        redacting.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}
