import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Shared
import Testing
import TestSupport

/// Every turn recorded, with the real services behind Debian's nginx-rtmp and real ffmpeg
/// encoders: the gateway's own ffmpeg pulls each lead as OBS would, ffprobe checks what it wrote.
/// `RECORD_DIR` is a small tmpfs of its own, so a full disk can be made without touching the
/// machine's, and its free space is the recorder's alone.
@Suite(.serialized) struct RecordingsSystemTests {
    static let swapInterval = 8.0
    static let tmpfsMegabytes = 64
    static let minimumFreeMegabytes = 16
    static let programmeKey = "test-programme-key-0123456789"
    static let durationTolerance = 2.0

    @Test func threeTurnsThreeFilesRetentionAndAFullDiskThatNeverStopsTheQueue() async throws {
        let base = try temporaryDirectory("recordings")
        let recordDir = base.appendingPathComponent("rec")
        try FileManager.default.createDirectory(at: recordDir, withIntermediateDirectories: true)
        let mount = try await run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(Self.tmpfsMegabytes)m", "tmpfs", recordDir.path])
        guard mount.status == 0 else { throw ServiceProcessError("the recordings test mounts a tmpfs (it runs as root under make test): \(mount.output)") }
        defer { _ = try? Process.run(URL(fileURLWithPath: "/usr/bin/umount"), arguments: ["-l", recordDir.path]).waitUntilExit() }

        // Two recordings an earlier night left: one past RECORDING_RETENTION_DAYS, one within.
        let old = try SeededRecording.make(in: recordDir, djName: "Old Timer", endedDaysAgo: 40)
        let recent = try SeededRecording.make(in: recordDir, djName: "Recent", endedDaysAgo: 2)

        let ports = try NginxRTMPIngest.ports()
        let system = try await RunningSystem.start(extra: NginxRTMPIngest.gatewayEnvironment(ports).merging([
            "SWAP_INTERVAL": "\(Int(Self.swapInterval))",
            "LEAD_GRACE_SECONDS": "0",
            "WAITING_GRACE_SECONDS": "1",
            "SESSION_RECONCILE_SECONDS": "3",
            "STALL_SKIP_SECONDS": "0",
            "RECORD_STREAM": "true",
            "RECORD_PROGRAMME": "true",
            "PROGRAMME_KEY": Self.programmeKey,
            "RECORD_DIR": recordDir.path,
            "RECORDING_RETENTION_DAYS": "30",
            "RECORDING_MIN_FREE_MB": "\(Self.minimumFreeMegabytes)",
        ]) { $1 })
        let nginx: NginxRTMPIngest
        do {
            nginx = try await NginxRTMPIngest.start(ports: ports, hookURL: "\(system.gateway.baseURL)/nginx-rtmp/hooks?secret=\(TestSecrets.hook)")
        } catch {
            await system.stop()
            throw error
        }
        var encoders: [ColourPublisher] = []
        var report: [String] = []
        do {
            try await system.run { system in
                // Retention: the sweep at start deletes the old one only.
                try await system.waitUntil("the old recording is swept", timeout: .seconds(20)) {
                    !FileManager.default.fileExists(atPath: recordDir.appendingPathComponent(old.fileName).path)
                }
                #expect(try await recordings(system).map(\.id) == [recent.id])

                var keys: [String: String] = [:]
                for name in ["Ada Lovelace", "Bo", "Cy", "Dee", "Eve"] { keys[name] = try await system.signUp(name) }
                let start = try await system.internalState().seq

                // Three turns: Ada's and Bo's end by the clock, Cy's when her encoder stops.
                let ada = try ColourPublisher.start(colour: "red", to: nginx.url(keys["Ada Lovelace"]!))
                encoders.append(ada)
                try await system.waitUntil("Ada leads", timeout: .seconds(20)) { try await system.queueJSON() == ["Ada Lovelace"] }
                encoders.append(try ColourPublisher.start(colour: "blue", to: nginx.url(keys["Bo"]!)))
                try await system.waitUntil("Bo waits", timeout: .seconds(20)) { try await system.queueJSON() == ["Ada Lovelace", "Bo"] }
                encoders.append(try ColourPublisher.start(colour: "green", to: nginx.url(keys["Cy"]!)))
                try await system.waitUntil("Cy waits", timeout: .seconds(20)) { try await system.queueJSON() == ["Ada Lovelace", "Bo", "Cy"] }
                try await system.waitUntil("Cy leads", timeout: .seconds(Self.swapInterval * 2 + 30)) { try await system.queueJSON() == ["Cy"] }
                try await system.waitUntil("Ada's and Bo's files are there", timeout: .seconds(30)) { try await recordings(system).count == 3 }
                try await Task.sleep(for: .seconds(Self.swapInterval))
                await encoders[2].stop()
                try await system.waitUntil("the queue is empty", timeout: .seconds(20)) { try await system.queueJSON().isEmpty }
                try await system.waitUntil("Cy's file is there", timeout: .seconds(30)) { try await recordings(system).count == 4 }

                // Named by DJ and turn: the turn is its turn.started event's seq.
                let events = try await system.events(after: start).events
                var turns: [(dj: String, seq: UInt64, seconds: Double)] = []
                for started in events where started.type == .turnStarted {
                    let ends = events.filter { $0.type == .turnEnded && $0.seq > started.seq }
                    guard let ended = ends.first(where: { $0.payload.userId == started.payload.userId }) else { continue }
                    turns.append((started.payload.djName ?? "", started.seq, ended.time.timeIntervalSince(started.time)))
                }
                #expect(turns.map(\.dj) == ["Ada Lovelace", "Bo", "Cy"])
                let made = try await recordings(system).filter { $0.id != recent.id }
                for (turn, slug) in zip(turns, ["ada-lovelace", "bo", "cy"]) {
                    let recording = try #require(made.first { $0.turn == turn.seq }, "no recording of \(turn.dj)'s turn \(turn.seq): \(made.map(\.fileName))")
                    #expect(recording.fileName.wholeMatch(of: try Regex("[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{4}_\(slug)_turn-\(turn.seq)\\.mkv")) != nil, "\(recording.fileName)")
                    #expect(recording.djName == turn.dj)
                    let probed = try await ffprobeDuration(recordDir.appendingPathComponent(recording.fileName).path)
                    // Bo's and Cy's captures were pre-rolled while they waited and cut at the keyframe
                    // nearest their turn's start; Ada's began at her publish, before nginx let her
                    // stream in, so it holds her stream from its first keyframe.
                    #expect(abs(probed - turn.seconds) <= Self.durationTolerance, "\(recording.fileName): \(probed) s recorded of a \(turn.seconds) s turn")
                    #expect(abs((recording.durationSeconds ?? 0) - probed) < 0.1)
                    report.append(String(
                        format: "%@: turn %.2f s, ffprobe %.2f s, off by %+.2f s, %llu bytes", recording.fileName, turn.seconds, probed, probed - turn.seconds,
                        recording.bytes
                    ))
                }
                let adaID = try #require(made.first { $0.djName == "Ada Lovelace" }?.userId)
                #expect(try await recordings(system, query: "?user_id=\(adaID)").map(\.djName) == ["Ada Lovelace"])

                // No stream key anywhere under RECORD_DIR: not in a name, not in a byte of any file.
                try expectNoKey(Array(keys.values), under: recordDir)

                // A download by range: 206 and exactly those bytes of the file.
                let first = try #require(made.first)
                let (code, headers, body) = try await download(system, first.id, range: "bytes=100-1123")
                let onDisk = try Data(contentsOf: recordDir.appendingPathComponent(first.fileName))
                #expect(code == 206)
                #expect(body == onDisk.subdata(in: 100..<1124))
                #expect(headers["Content-Range"] == "bytes 100-1123/\(onDisk.count)")

                // RECORD_PROGRAMME: the programme, while OBS publishes it, is one file without a DJ.
                let programme = try ColourPublisher.start(colour: "white", to: "rtmp://127.0.0.1:\(ports.rtmp)/programme/\(Self.programmeKey)")
                encoders.append(programme)
                try await system.waitUntil("the programme is being recorded", timeout: .seconds(20)) {
                    try await status(system)["state"] as? String == "recording" && partialBytes(recordDir) > 0
                }
                try await Task.sleep(for: .seconds(5))
                await programme.stop()
                try await system.waitUntil("the programme's file is there", timeout: .seconds(30)) {
                    try await recordings(system).contains { $0.userId == nil }
                }
                let whole = try #require(try await recordings(system).first { $0.userId == nil })
                #expect(whole.turn == nil && whole.djName == "Programme")
                #expect(whole.fileName.wholeMatch(of: try Regex("[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{4}_programme\\.mkv")) != nil, "\(whole.fileName)")
                let programmeSeconds = try await ffprobeDuration(recordDir.appendingPathComponent(whole.fileName).path)
                #expect(programmeSeconds >= 3, "\(whole.fileName): \(programmeSeconds) s of a programme published for 5 s or more")
                report.append(String(format: "%@ (RECORD_PROGRAMME, published ≥ 5 s): ffprobe %.2f s", whole.fileName, programmeSeconds))
                try expectNoKey(Array(keys.values) + [Self.programmeKey], under: recordDir)

                // A full disk: Dee's turn is being recorded, the disk fills, the recording stops
                // and is kept; Dee stays on air and on nginx, and the queue hands over to Eve.
                let dee = try ColourPublisher.start(colour: "yellow", to: nginx.url(keys["Dee"]!))
                encoders.append(dee)
                try await system.waitUntil("Dee leads", timeout: .seconds(20)) { try await system.queueJSON() == ["Dee"] }
                try await system.waitUntil("Dee is being recorded", timeout: .seconds(20)) {
                    try await status(system)["state"] as? String == "recording" && partialBytes(recordDir) > 0
                }
                let free = try #require(freeMegabytes(recordDir))
                let filler = recordDir.appendingPathComponent("filler.bin")
                try Data(count: (free - Self.minimumFreeMegabytes / 2) * 1_048_576).write(to: filler)
                let filled = ContinuousClock.now
                try await system.waitUntil("recording stops for space", timeout: .seconds(20)) {
                    try await status(system)["state"] as? String == "stopped_for_space"
                }
                let stopSeconds = (ContinuousClock.now - filled).seconds
                try await system.waitUntil("Dee's part is kept", timeout: .seconds(20)) {
                    try await recordings(system).contains { $0.djName == "Dee" } && (try? partialFiles(recordDir).isEmpty) == true
                }
                #expect(dee.isRunning, "the broadcast is never stopped for a full disk")
                #expect(try await TestHTTP().get(nginx.statURL).body.contains("<name>\(keys["Dee"]!)</name>"))
                encoders.append(try ColourPublisher.start(colour: "purple", to: nginx.url(keys["Eve"]!)))
                try await system.waitUntil("Eve leads after Dee's turn", timeout: .seconds(Self.swapInterval + 30)) { try await system.queueJSON() == ["Eve"] }
                try await Task.sleep(for: .seconds(3))
                #expect(try partialFiles(recordDir).isEmpty, "nothing is recorded while the disk is full")
                #expect(try await recordings(system).contains { $0.djName == "Eve" } == false)
                #expect(try await status(system)["state"] as? String == "stopped_for_space")
                report.append(String(format: "full disk: free %d MB → %d MB (minimum %d MB), recording stopped %.1f s after the disk filled; the queue went on",
                                     free, freeMegabytes(recordDir) ?? -1, Self.minimumFreeMegabytes, stopSeconds))
                try expectNoKey(Array(keys.values), under: recordDir)
                report.append("retention (30 days): \(old.fileName) deleted at start, \(recent.fileName) kept")
            }
        } catch {
            for encoder in encoders { await encoder.stop() }
            await nginx.stop()
            throw ServiceProcessError("\(error)\n--- nginx ---\n\(nginx.errorLog())")
        }
        for encoder in encoders { await encoder.stop() }
        await nginx.stop()
        let text = "Recordings (nginx-rtmp ingest, SWAP_INTERVAL=\(Int(Self.swapInterval)), 320x180 x264 + AAC encoders, ffmpeg -c copy into Matroska)\n"
            + report.joined(separator: "\n") + "\n"
        print(text)
        try Artifacts.write("recordings.txt", text)
    }

    // MARK: - Helpers

    private var internalAuth: [String: String] { ["Authorization": "Bearer \(TestSecrets.internalToken)"] }

    private func recordings(_ system: RunningSystem, query: String = "") async throws -> [RecordingView] {
        let reply = try await TestHTTP().get("\(system.gateway.baseURL)/internal/v1/recordings\(query)", headers: internalAuth)
        guard reply.status == 200 else { throw ServiceProcessError("recordings: \(reply.status) \(reply.body)") }
        return try JSONCoding.decoder.decode(RecordingList.self, from: Data(reply.body.utf8)).recordings
    }

    private func status(_ system: RunningSystem) async throws -> [String: Any] {
        let status = try await TestHTTP().get("\(system.gateway.baseURL)/status").json()
        return status["recording"] as? [String: Any] ?? [:]
    }

    private func download(_ system: RunningSystem, _ id: String, range: String) async throws -> (Int, [String: String], Data) {
        var request = URLRequest(url: URL(string: "\(system.gateway.baseURL)/internal/v1/recordings/\(id)")!)
        request.setValue("Bearer \(TestSecrets.internalToken)", forHTTPHeaderField: "Authorization")
        request.setValue(range, forHTTPHeaderField: "Range")
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        let headers = Dictionary(uniqueKeysWithValues: http.allHeaderFields.compactMap { key, value in (key as? String).map { ($0, "\(value)") } })
        return (http.statusCode, headers, data)
    }

    private func expectNoKey(_ keys: [String], under directory: URL) throws {
        let walker = try #require(FileManager.default.enumerator(atPath: directory.path))
        var looked = 0
        while let relative = walker.nextObject() as? String {
            let path = directory.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            for key in keys { #expect(!relative.contains(key), "a stream key in the path \(relative)") }
            guard !isDirectory.boolValue, relative != "filler.bin" else { continue }
            let contents = try Data(contentsOf: URL(fileURLWithPath: path))
            looked += 1
            for key in keys { #expect(contents.range(of: Data(key.utf8)) == nil, "a stream key inside \(relative)") }
        }
        #expect(looked >= 3)
    }

    private func partialFiles(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(".partial").path).filter { $0.hasSuffix(".mkv") }
    }

    private func partialBytes(_ directory: URL) -> Int {
        ((try? partialFiles(directory)) ?? []).reduce(0) { total, name in
            let path = directory.appendingPathComponent(".partial").appendingPathComponent(name).path
            return total + ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0)
        }
    }

    private func freeMegabytes(_ directory: URL) -> Int? {
        var stats = statvfs()
        guard statvfs(directory.path, &stats) == 0 else { return nil }
        return Int(UInt64(stats.f_bavail) * UInt64(stats.f_frsize) / 1_048_576)
    }

    /// The duration in the container, as a player reads it (a file closed cleanly has one).
    private func ffprobeDuration(_ path: String) async throws -> Double {
        let probe = try await run("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path])
        let text = probe.output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        guard let seconds = Double(text) else { throw ServiceProcessError("ffprobe \(path): \(probe.output)") }
        return seconds
    }

    private func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
