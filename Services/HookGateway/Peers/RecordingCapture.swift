import Foundation
import Shared
import Synchronization

/// Pulls a live stream into a file, as received (no re-encode); tests may swap in a fake.
protocol RecordingCapture: Sendable {
    /// `redacting`: texts (the pull URL, the stream name — a DJ's key) never repeated in anything
    /// the capture reports.
    func start(pulling url: String, into path: String, redacting: [String]) throws -> any RecordingCaptureRun
    /// The duration a player sees in a closed recording, nil when it is not playable.
    func duration(of path: String) async -> Double?
}

protocol RecordingCaptureRun: Sendable {
    /// Returns once the capture has ended, by itself or after `stop`.
    func finished() async -> RecordingCaptureEnd
    /// Asks the capture to close its file cleanly, and kills it if it has not within `grace`.
    func stop(within grace: Duration) async
}

struct RecordingCaptureEnd: Sendable, Equatable {
    /// Ended by `stop` (and so on purpose), not on its own.
    var stopped: Bool
    var status: Int32
    /// The last thing it said, with the redacted texts replaced, when it ended on its own with an error.
    var complaint: String?
}

/// Debian's ffmpeg: `-c copy` into Matroska. Matroska because a clean close (SIGINT, which ffmpeg
/// takes as "finish the file") writes the segment duration and cues ffprobe and players read,
/// while a file cut short by a crash or SIGKILL is still playable up to its last cluster — an MP4
/// would lose everything with its unwritten index — and it carries every codec RTMP brings.
struct FFmpegRecordingCapture: RecordingCapture {
    var ffmpeg = "/usr/bin/ffmpeg"
    var ffprobe = "/usr/bin/ffprobe"

    func start(pulling url: String, into path: String, redacting: [String]) throws -> any RecordingCaptureRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        process.arguments = [
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
            "-i", url,
            // Video and audio only (a data track would not fit Matroska), no metadata of the
            // publisher's, and time from zero: a DJ who waited an hour before their turn still
            // gets a file that starts at 0:00 and lasts as long as the turn.
            "-map", "0:v?", "-map", "0:a?", "-map_metadata", "-1", "-c", "copy", "-avoid_negative_ts", "make_zero",
            "-f", "matroska", path,
        ]
        return try FFmpegRecordingRun(process: process, redacting: redacting)
    }

    func duration(of path: String) async -> Double? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffprobe)
        process.arguments = ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exited = Wakeup()
        process.terminationHandler = { _ in exited.signal() }
        guard (try? process.run()) != nil else { return nil }
        let reader = output.fileHandleForReading
        async let text = Self.blocking { String(decoding: (try? reader.readToEnd()) ?? Data(), as: UTF8.self) }
        guard await exited.wait(upTo: .seconds(20)) else {
            process.terminate()
            _ = await text
            return nil
        }
        let said = await text
        guard process.terminationStatus == 0, let seconds = Double(said.trimmingCharacters(in: .whitespacesAndNewlines)), seconds.isFinite else { return nil }
        return seconds
    }

    static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}

private final class FFmpegRecordingRun: RecordingCaptureRun {
    private let process: Process
    private let exited = Wakeup()
    private let redacting: [String]
    private let state = Mutex((stopping: false, said: ""))

    init(process: Process, redacting: [String]) throws {
        self.process = process
        self.redacting = redacting.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let exited = self.exited
        // Set before `run()`, so an exit that comes at once still wakes `finished()`.
        process.terminationHandler = { _ in exited.signal() }
        // The handler drops itself at end of file, and with it its hold on this run.
        errors.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            self.heard(chunk)
        }
        try process.run()
    }

    private func heard(_ chunk: Data) {
        state.withLock { state in state.said = String((state.said + String(decoding: chunk, as: UTF8.self)).suffix(2000)) }
    }

    func finished() async -> RecordingCaptureEnd {
        if process.isRunning { await exited.wait() }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        let (stopped, said) = state.withLock { ($0.stopping, $0.said) }
        let status = process.terminationStatus
        let failed = !stopped && (status != 0 || process.terminationReason == .uncaughtSignal)
        return RecordingCaptureEnd(stopped: stopped, status: status, complaint: failed ? redacted(lastLine(said) ?? "ffmpeg exited with status \(status)") : nil)
    }

    func stop(within grace: Duration) async {
        state.withLock { $0.stopping = true }
        guard process.isRunning else { return }
        process.interrupt()
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private func lastLine(_ said: String) -> String? {
        said.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty }.map { String($0.prefix(300)) }
    }

    private func redacted(_ text: String) -> String {
        redacting.reduce(text) { $0.replacingOccurrences(of: $1, with: "<stream>") }
    }
}
