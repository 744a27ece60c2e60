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
    /// Cuts a closed recording's head: it then starts at the keyframe nearest `seconds` in.
    /// False when it could not be cut (the file is left as it was).
    func cutHead(of path: String, at seconds: Double) async -> Bool
}

protocol RecordingCaptureRun: Sendable {
    /// Returns once the capture has ended, by itself or after `stop`.
    func finished() async -> RecordingCaptureEnd
    /// Asks the capture to close its file cleanly, and kills it if it has not within `grace`.
    func stop(within grace: Duration) async
    /// How far into its file the capture has written now, in seconds; nil before it began writing.
    func position() -> Double?
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
    /// Where the captures started are noted, so a start after a SIGKILL can end them.
    var ledger: ChildLedger?

    /// How long a pull may go without a byte before ffmpeg takes the stream as ended.
    static let readTimeout: Duration = .seconds(5)

    func start(pulling url: String, into path: String, redacting: [String]) throws -> any RecordingCaptureRun {
        let arguments = [
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
            // A stream that stopped (a kicked lead's) then ends the read by itself, and ffmpeg
            // writes out every packet it holds. Cut by a second SIGINT instead, it exits at once
            // and loses them: measured, the last 0.9 s of a turn.
            "-rw_timeout", "\(Self.readTimeout.components.seconds * 1_000_000)",
            "-i", url,
            // Video and audio only (a data track would not fit Matroska), no metadata of the
            // publisher's, and time from zero: a DJ who waited an hour before their turn still
            // gets a file that starts at 0:00 and lasts as long as the turn.
            "-map", "0:v?", "-map", "0:a?", "-map_metadata", "-1", "-c", "copy", "-avoid_negative_ts", "make_zero",
            // Each packet to disk as it comes and a cluster a second: a killed ffmpeg leaves a
            // file playable to within a second of its end (measured: killed after 5 s of a
            // low-bitrate stream, without these the file was empty, with them 4 s played).
            "-flush_packets", "1", "-cluster_time_limit", "1000",
            "-f", "matroska", path,
            // How far it has written, twice a second: where a pre-rolled capture's turn began.
            "-progress", "pipe:1", "-stats_period", "0.5",
        ]
        return try FFmpegRecordingRun(executable: ffmpeg, arguments: arguments, redacting: redacting, readTimeout: Self.readTimeout, ledger: ledger)
    }

    /// The container's duration. A file that was never closed (ffmpeg killed, a crash, or a read
    /// cut by the second SIGINT) has none: it is copied once into a closed one first.
    func duration(of path: String) async -> Double? {
        if let closed = await durationInContainer(path) { return closed }
        let sealed = path + ".sealed"
        defer { unlink(sealed) }
        let remuxed = await run(ffmpeg, ["-hide_banner", "-nostdin", "-loglevel", "error", "-i", path, "-map", "0", "-c", "copy", "-f", "matroska", "-y", sealed])
        guard remuxed != nil, rename(sealed, path) == 0 else { return nil }
        return await durationInContainer(path)
    }

    func cutHead(of path: String, at seconds: Double) async -> Bool {
        // The video's keyframes up to a little past the cut (each packet's time and flags, no decoding).
        let listing = await run(ffprobe, [
            "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+\(Int(seconds) + 30)",
            "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", path,
        ])
        guard let listing else { return false }
        let keyframes = listing.split(whereSeparator: \.isNewline).compactMap { line -> Double? in
            let fields = line.split(separator: ",")
            guard fields.count >= 2, fields[1].hasPrefix("K") else { return nil }
            return Double(fields[0])
        }
        // Audio alone has no keyframes to keep to: cut where asked.
        let start = keyframes.min { abs($0 - seconds) < abs($1 - seconds) } ?? seconds
        guard start > 0.05 else { return true }
        let cut = path + ".cut"
        defer { unlink(cut) }
        // `-ss` after the input: packets before it are dropped, and stream copy starts each video
        // stream at its first keyframe, which is exactly `start` (a hair earlier, against rounding).
        let copied = await run(ffmpeg, [
            "-hide_banner", "-nostdin", "-loglevel", "error", "-i", path, "-ss", String(format: "%.3f", max(0, start - 0.001)),
            "-map", "0", "-c", "copy", "-avoid_negative_ts", "make_zero", "-f", "matroska", "-y", cut,
        ])
        return copied != nil && rename(cut, path) == 0
    }

    private func durationInContainer(_ path: String) async -> Double? {
        await run(ffprobe, ["-v", "error", "-of", "csv=p=0", "-show_entries", "format=duration", path]).flatMap { Double($0) }
    }

    /// What the tool printed, or nil when it failed or took over a minute.
    private func run(_ executable: String, _ arguments: [String]) async -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exited = Wakeup()
        process.terminationHandler = { _ in exited.signal() }
        guard (try? process.run()) != nil else { return nil }
        let reader = output.fileHandleForReading
        async let text = Self.blocking { String(decoding: (try? reader.readToEnd()) ?? Data(), as: UTF8.self) }
        guard await exited.wait(upTo: .seconds(60)) else {
            process.terminate()
            _ = await text
            return nil
        }
        let said = await text
        guard process.terminationStatus == 0 else { return nil }
        return said.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await BlockingWork.run("recording-probe", work)
    }
}

/// One recording ffmpeg, started by `ChildProcess` with no signal blocked (started with
/// Foundation's `Process` it had SIGINT and SIGTERM blocked, SigBlk fffffffe3bfbea27, and ignored
/// both). SIGINT is ffmpeg's "finish the file and quit", and unlike `q` on its input it also ends
/// a read that waits for a stream that stopped.
private final class FFmpegRecordingRun: RecordingCaptureRun {
    private let pid: pid_t
    private let exited = Wakeup()
    private let redacting: [String]
    private let state = Mutex((stopping: false, said: "", status: Int32?.none))
    /// The last `out_time` ffmpeg reported and when it was read.
    private let progress = Mutex<(written: Duration, at: ContinuousClock.Instant)?>(nil)

    private let readTimeout: Duration

    init(executable: String, arguments: [String], redacting: [String], readTimeout: Duration, ledger: ChildLedger?) throws {
        self.readTimeout = readTimeout
        self.redacting = redacting.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        let started: ChildProcess.Started
        do {
            started = try ChildProcess.spawn(executable, arguments, pipeStandardOutput: true)
        } catch let error as ChildProcess.SpawnError {
            throw RecordingLibraryError(path: executable, errno: error.errno)
        }
        self.pid = started.pid
        ledger?.started(started.pid, role: .recording)
        let child = started.pid, reader = started.standardError
        BlockingWork.detach("recording-stderr") {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(reader, &buffer, buffer.count)
                if count <= 0 { break }
                let chunk = String(decoding: buffer[0..<count], as: UTF8.self)
                self.state.withLock { state in state.said = String((state.said + chunk).suffix(2000)) }
            }
            close(reader)
        }
        if let output = started.standardOutput {
            BlockingWork.detach("recording-progress") {
                var parser = RelayProgressParser()
                var partial = ""
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = read(output, &buffer, buffer.count)
                    if count <= 0 { break }
                    let lines = (partial + String(decoding: buffer[0..<count], as: UTF8.self)).split(separator: "\n", omittingEmptySubsequences: false)
                    partial = String(lines.last ?? "")
                    for line in lines.dropLast() {
                        if let block = parser.feed(line), let written = block.outTime {
                            self.progress.withLock { $0 = (written, ContinuousClock.now) }
                        }
                    }
                }
                close(output)
            }
        }
        BlockingWork.detach("recording-wait") {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            ledger?.ended(child)
            self.state.withLock { $0.status = status }
            self.exited.signal()
        }
    }

    private var status: Int32? { state.withLock { $0.status } }

    func finished() async -> RecordingCaptureEnd {
        while status == nil { await exited.wait(upTo: .seconds(1)) }
        let (stopped, said, raw) = state.withLock { ($0.stopping, $0.said, $0.status ?? 0) }
        // waitpid's status: the exit code in bits 8–15 when bits 0–6 (the killing signal) are 0.
        let signal = raw & 0x7f
        let code = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        let failed = !stopped && code != 0
        return RecordingCaptureEnd(stopped: stopped, status: code, complaint: failed ? redacted(lastLine(said) ?? "ffmpeg exited with status \(code)") : nil)
    }

    func position() -> Double? {
        guard let (written, at) = progress.withLock({ $0 }) else { return nil }
        // Between reports the stream goes on in real time; a stalled one does not, so at most a
        // report's interval and a half is added.
        let since = min(ContinuousClock.now - at, .milliseconds(750))
        return (written + since).seconds
    }

    func stop(within grace: Duration) async {
        state.withLock { $0.stopping = true }
        guard status == nil else { return }
        // The first SIGINT is looked at between packets; a read waiting on a stream that stopped
        // (a kicked lead's) ends at the read timeout, and ffmpeg finishes the file with all it
        // holds. Only then a second SIGINT, which closes the file but drops what was not yet
        // written; a fourth would make it exit at once, unclosed.
        let deadline = ContinuousClock.now + grace
        for (signal, wait) in [(SIGINT, readTimeout + .seconds(1)), (SIGINT, grace), (SIGKILL, grace)] {
            guard status == nil else { return }
            kill(pid, signal)
            let until = min(ContinuousClock.now + wait, deadline)
            while status == nil, ContinuousClock.now < until { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    private func lastLine(_ said: String) -> String? {
        said.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty }.map { String($0.prefix(300)) }
    }

    private func redacted(_ text: String) -> String {
        redacting.reduce(text) { $0.replacingOccurrences(of: $1, with: "<stream>") }
    }
}
