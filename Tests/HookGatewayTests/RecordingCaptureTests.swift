import Foundation
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// The recorder's ffmpeg against a real nginx-rtmp and a real encoder: what it writes is playable,
/// a clean stop gives the duration ffprobe reads, and nothing it reports repeats the stream key.
@Suite(.serialized) struct RecordingCaptureTests {
    @Test func aStoppedCaptureIsAPlayableMatroskaFileOfTheTimeItRan() async throws {
        let nginx = try await NginxRTMP.start()
        let key = "SECRETKEY_0123456789abcdef"
        let encoder = try ColourPublisher.start(colour: "red", to: nginx.url(key))
        defer { Task { await encoder.stop(); await nginx.stop() } }
        let directory = try temporaryDirectory("capture")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("partial.mkv").path
        let capture = FFmpegRecordingCapture()

        try await Task.sleep(for: .seconds(2))
        let run = try capture.start(pulling: nginx.url(key), into: path, redacting: [nginx.url(key), key])
        let started = ContinuousClock.now
        try await Task.sleep(for: .seconds(6))
        await run.stop(within: .seconds(10))
        let stopped = ContinuousClock.now
        let end = await run.finished()
        #expect(end.stopped)
        #expect(end.complaint == nil)
        let duration = try #require(await capture.duration(of: path))
        #expect(abs(duration - (stopped - started).seconds) < 2, "\(duration) s of \((stopped - started).seconds) s")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.range(of: Data(key.utf8)) == nil)
    }

    /// A pre-roll: the capture says how far it has written, and the seconds before a turn are cut
    /// off at the keyframe nearest the cut (the encoder sends one a second).
    @Test func aPreRollIsCutAtTheKeyframeNearestTheTurnsStart() async throws {
        let nginx = try await NginxRTMP.start()
        let encoder = try ColourPublisher.start(colour: "green", to: nginx.url("preroll"))
        defer { Task { await encoder.stop(); await nginx.stop() } }
        let directory = try temporaryDirectory("capture-preroll")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("partial.mkv").path
        let capture = FFmpegRecordingCapture()
        try await Task.sleep(for: .seconds(1))
        let run = try capture.start(pulling: nginx.url("preroll"), into: path, redacting: [])
        var position: Double?
        for _ in 0..<200 where (position ?? 0) < 3.4 {
            try await Task.sleep(for: .milliseconds(50))
            position = run.position()
        }
        let cut = try #require(position)
        try await Task.sleep(for: .seconds(3))
        let afterCut = run.position() ?? 0
        await run.stop(within: .seconds(10))
        _ = await run.finished()
        let whole = try #require(await capture.duration(of: path))
        #expect(whole >= afterCut - 0.6, "the position (\(afterCut) s) is what the file holds (\(whole) s)")
        #expect(await capture.cutHead(of: path, at: cut))
        let kept = try #require(await capture.duration(of: path))
        #expect(abs(kept - (whole - cut)) <= 0.55, "cut at \(cut) s of \(whole) s: \(kept) s kept")
    }

    /// A crash or SIGKILL leaves a file that was never closed: Matroska keeps it playable, and its
    /// length is read from its packets.
    @Test func aKilledCaptureIsStillPlayable() async throws {
        let nginx = try await NginxRTMP.start()
        let encoder = try ColourPublisher.start(colour: "blue", to: nginx.url("killed"))
        defer { Task { await encoder.stop(); await nginx.stop() } }
        let directory = try temporaryDirectory("capture-killed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("partial.mkv").path
        let capture = FFmpegRecordingCapture()
        try await Task.sleep(for: .seconds(2))
        let run = try capture.start(pulling: nginx.url("killed"), into: path, redacting: [])
        try await Task.sleep(for: .seconds(5))
        await run.stop(within: .zero)
        _ = await run.finished()
        let duration = try #require(await capture.duration(of: path))
        #expect(duration > 2 && duration < 6, "\(duration)")
    }

    @Test func aCaptureThatFailsSaysWhyWithoutTheKey() async throws {
        let key = "SECRETKEY_0123456789abcdef"
        let url = "rtmp://127.0.0.1:\(try freePort())/live/\(key)"
        let directory = try temporaryDirectory("capture-fail")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try FFmpegRecordingCapture().start(pulling: url, into: directory.appendingPathComponent("x.mkv").path, redacting: [url, key])
        let end = await run.finished()
        #expect(!end.stopped)
        let complaint = try #require(end.complaint)
        #expect(!complaint.contains(key), "\(complaint)")
        #expect(complaint.contains("<stream>"), "\(complaint)")
    }
}
