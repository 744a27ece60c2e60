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
    /// Asks it to finish (SIGTERM: ffmpeg closes the FLV stream properly, and the platform sees an end, not a drop).
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        process.arguments = Self.arguments(source: source, destination: destination)
        return try FFmpegRelayRun(process: process, redacting: redacting)
    }
}

private final class FFmpegRelayRun: RelayRun {
    private struct State {
        var partial: [Bool: String] = [:]
        var openPipes = 2
        var status: Int32?
        var finished = false
    }

    let output: AsyncStream<RelayOutput>
    private let continuation: AsyncStream<RelayOutput>.Continuation
    private let process: Process
    private let redacting: [String]
    private let state = Mutex(State())
    private let exited = Wakeup()

    var processID: Int32 { process.processIdentifier }

    init(process: Process, redacting: [String]) throws {
        (output, continuation) = AsyncStream.makeStream(of: RelayOutput.self)
        self.process = process
        // Longest first, so a URL is replaced whole before a key inside it.
        self.redacting = redacting.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        let progress = Pipe()
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = progress
        process.standardError = errors
        // Set before `run()`, so an exit that comes at once is still seen.
        process.terminationHandler = { [self] process in
            self.ended(status: process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus)
        }
        for (pipe, isProgress) in [(progress, true), (errors, false)] {
            // The handler drops itself at end of file, and with it its hold on this run.
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let chunk = handle.availableData
                if chunk.isEmpty {
                    handle.readabilityHandler = nil
                    self.closed(progress: isProgress)
                } else {
                    self.heard(chunk, progress: isProgress)
                }
            }
        }
        do {
            try process.run()
        } catch {
            progress.fileHandleForReading.readabilityHandler = nil
            errors.fileHandleForReading.readabilityHandler = nil
            continuation.finish()
            throw error
        }
    }

    func waitForExit() async -> Int32 {
        while true {
            if let status = state.withLock({ $0.finished ? $0.status : nil }) { return status }
            guard await exited.wait() else { return -1 }
        }
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    private func heard(_ chunk: Data, progress: Bool) {
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

    private func closed(progress: Bool) {
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
