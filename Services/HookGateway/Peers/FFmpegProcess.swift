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
    /// Where the relays started are noted, so a start after a SIGKILL can end them.
    var ledger: ChildLedger?

    static func arguments(source: String, destination: String) -> [String] {
        [
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1",
            "-i", source, "-c", "copy", "-f", "flv", destination,
        ]
    }

    func start(pulling source: String, to destination: String, redacting: [String]) throws -> any RelayRun {
        try FFmpegRelayRun(executable: ffmpeg, arguments: Self.arguments(source: source, destination: destination), redacting: redacting, ledger: ledger)
    }
}

struct RelaySpawnError: Error, CustomStringConvertible {
    var executable: String
    var errno: Int32
    var description: String { "cannot start \(executable): \(String(cString: strerror(errno)))" }
}

/// One relay ffmpeg, started by `ChildProcess` so that it hears SIGTERM.
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

    init(executable: String, arguments: [String], redacting: [String], ledger: ChildLedger?) throws {
        (output, continuation) = AsyncStream.makeStream(of: RelayOutput.self)
        // Longest first, so a URL is replaced whole before a key inside it.
        self.redacting = redacting.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        let child: ChildProcess.Started
        do {
            child = try ChildProcess.spawn(executable, arguments, pipeStandardOutput: true)
        } catch let error as ChildProcess.SpawnError {
            throw RelaySpawnError(executable: error.executable, errno: error.errno)
        }
        let pid = child.pid
        processID = pid
        ledger?.started(pid, role: .relay)
        if let progress = child.standardOutput { read(progress, progress: true) }
        read(child.standardError, progress: false)
        BlockingWork.detach("relay-wait") { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            ledger?.ended(pid)
            // waitpid's status: the exit code in bits 8–15 when bits 0–6 (the killing signal) are 0.
            let signal = status & 0x7f
            ended(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
        }
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
        BlockingWork.detach(progress ? "relay-progress" : "relay-stderr") { [self] in
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
