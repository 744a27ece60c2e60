import Foundation
import NIOHTTP1
import Shared
import Synchronization
import Testing
import TestSupport

/// The output side with real processes: nginx-rtmp as the ingest (run from the shipped config),
/// plain nginx-rtmp servers as the "platforms", real ffmpeg encoders and the gateway's own ffmpeg
/// relays; what arrived at a platform is read back with ffmpeg. Figures go to artifacts/outputs.txt.
@Suite(.serialized) struct OutputsSystemTests {
    static let programmeKey = "programme_key_0123456789abcdef"
    static let figures = Mutex<[String]>([])

    @Test func programmeModeGoesOutToEveryEnabledTargetAndRejoinsAPlatformThatCameBack() async throws {
        try await OutputsRig.run(extra: ["OUTPUT_SOURCE": "programme", "PROGRAMME_KEY": Self.programmeKey]) { rig in
            let sinkA = try await rig.sink()
            var sinkB = try await rig.sink()
            let a = try await rig.addTarget("Sink A", sink: sinkA, key: "sink_a_key_0123456789")
            let b = try await rig.addTarget("Sink B", sink: sinkB, key: "sink_b_key_9876543210")

            // A wrong programme key: the ingest drops the encoder on the gateway's refusal and nothing goes out.
            let forged = try rig.publish(colour: "white", to: rig.ingest.url(app: "programme", "not_the_programme_key_000"))
            try await rig.system.waitUntil("the wrong programme key is dropped", timeout: .seconds(20)) { !forged.isRunning }
            #expect(try await rig.status().outputs?.sourceLive == false)
            #expect(try await rig.status().outputs?.targets.map(\.state) == [.off, .off])

            let published = ContinuousClock.now
            _ = try rig.publish(colour: "red", to: rig.ingest.url(app: "programme", Self.programmeKey))
            try await rig.waitForState(.live, of: [a, b], timeout: .seconds(40))
            let toLive = ContinuousClock.now - published
            #expect(try await rig.system.queueJSON().isEmpty, "the programme is never queued")
            #expect(await sinkColour(sinkA.url("sink_a_key_0123456789")) == "red")
            #expect(await sinkColour(sinkB.url("sink_b_key_9876543210")) == "red")

            let cpu = try await relayCPU(parent: try #require(rig.system.gateway.pid), over: .seconds(10))
            #expect(cpu.count == 2, "one ffmpeg per enabled target: \(cpu)")
            let pidOfB = try #require(relayPIDs(parent: rig.system.gateway.pid!).first { $0.value.contains(":\(sinkB.port)/") }?.key)

            // Platform B goes away: its target fails and is retried; A keeps receiving.
            await sinkB.stop()
            try await rig.waitForState(.failing, of: [b], timeout: .seconds(30))
            let failing = try #require(try await rig.status().outputs?.targets.first { $0.id == b })
            #expect(failing.retryInSeconds != nil && failing.lastError?.isEmpty == false)
            try await rig.system.waitUntil("Sink B is retried more than once", timeout: .seconds(30)) {
                rig.system.gateway.tail(500_000).split(separator: "\n").filter { $0.contains("relay failed") && $0.contains("target=Sink B") }.count >= 2
            }
            #expect(try await rig.status().outputs?.targets.first { $0.id == a }?.state == .live)
            #expect(await sinkColour(sinkA.url("sink_a_key_0123456789")) == "red")

            // It comes back on the same address and is rejoined within the capped backoff.
            sinkB = try await rig.sink(port: sinkB.port)
            let back = ContinuousClock.now
            try await rig.waitForState(.live, of: [b], timeout: .seconds(30))
            let rejoined = ContinuousClock.now - back
            #expect(await sinkColour(sinkB.url("sink_b_key_9876543210")) == "red")
            let picture = ContinuousClock.now - back

            // Disabling A stops A's relay only: B's ffmpeg is the same process and B keeps receiving.
            let pidOfNewB = try #require(relayPIDs(parent: rig.system.gateway.pid!).first { $0.value.contains(":\(sinkB.port)/") }?.key)
            #expect(pidOfNewB != pidOfB, "the rejoin is a new relay")
            let patched = try await rig.admin(.PATCH, "/\(a.uuidString)", json: #"{"enabled":false}"#)
            #expect(patched.status == 200, "\(patched.body)")
            try await rig.waitForState(.off, of: [a], timeout: .seconds(15))
            try await rig.system.waitUntil("A's relay is gone", timeout: .seconds(15)) {
                relayPIDs(parent: rig.system.gateway.pid!).values.allSatisfy { !$0.contains(":\(sinkA.port)/") }
            }
            #expect(await sinkColour(sinkA.url("sink_a_key_0123456789"), within: .seconds(6)) == nil, "nothing reaches a disabled target")
            #expect(relayPIDs(parent: rig.system.gateway.pid!).keys.contains(pidOfNewB))
            #expect(try await rig.status().outputs?.targets.first { $0.id == b }?.state == .live)
            #expect(await sinkColour(sinkB.url("sink_b_key_9876543210")) == "red")

            try await rig.expectNoKeyLeaks(["sink_a_key_0123456789", "sink_b_key_9876543210", Self.programmeKey])
            Self.record("""
                programme mode (OUTPUT_SOURCE=programme, OUTPUT_RETRY_MAX_SECONDS=2), 2 targets on 2 nginx-rtmp sinks:
                  publish to both targets live: \(Self.seconds(toLive)) s
                  sink back → its target live again: \(Self.seconds(rejoined)) s; its picture at the sink: \(Self.seconds(picture)) s
                  CPU per relay (ffmpeg -c copy, 320x180@15 H.264 + AAC, over 10 s, % of one core): \(cpu.values.map { String(format: "%.1f", $0) }.sorted().joined(separator: ", "))
                """)
        }
    }

    @Test func leadModeRelaysTheLeadAndFollowsTheHandover() async throws {
        try await OutputsRig.run(extra: ["OUTPUT_SOURCE": "lead", "SWAP_INTERVAL": "20", "LEAD_GRACE_SECONDS": "1", "WAITING_GRACE_SECONDS": "1", "STALL_SKIP_SECONDS": "0"]) { rig in
            let sink = try await rig.sink()
            let target = try await rig.addTarget("Platform", sink: sink, key: "platform_key_0123456789")
            let ada = try await rig.system.signUp("Ada")
            let bo = try await rig.system.signUp("Bo")

            _ = try rig.publish(colour: "red", to: rig.ingest.url(ada))
            try await rig.system.waitUntil("Ada leads", timeout: .seconds(20)) { try await rig.system.queueJSON() == ["Ada"] }
            try await rig.waitForState(.live, of: [target], timeout: .seconds(40))
            let watcher = SinkWatcher(url: sink.url("platform_key_0123456789"))
            defer { watcher.stop() }
            try await rig.system.waitUntil("the platform shows Ada's red", timeout: .seconds(30)) { watcher.lastSeen("red") != nil }

            let timeline = StateTimeline(rig, target: target)
            defer { timeline.stop() }
            _ = try rig.publish(colour: "blue", to: rig.ingest.url(bo))
            try await rig.system.waitUntil("Bo waits", timeout: .seconds(20)) { try await rig.system.queueJSON() == ["Ada", "Bo"] }
            try await rig.system.waitUntil("Bo leads after Ada's turn", timeout: .seconds(60)) { try await rig.system.queueJSON().first == "Bo" }
            let handover = ContinuousClock.now
            try await rig.system.waitUntil("the platform shows Bo's blue", timeout: .seconds(40)) { watcher.firstSeen("blue") != nil }
            let firstBlue = try #require(watcher.firstSeen("blue"))
            let gap = try #require(watcher.longestPause(until: firstBlue))
            #expect(gap > .milliseconds(200), "the platform sees a reconnect, not both at once")
            #expect(gap < .seconds(30), "bound on a loaded 2-core machine; the measured figure is in artifacts/outputs.txt")
            try await rig.waitForState(.live, of: [target], timeout: .seconds(30))
            try await Task.sleep(for: .milliseconds(500))
            let notLive = try #require(timeline.longestNotLive(), "the relay was restarted at the handover")

            try await rig.expectNoKeyLeaks(["platform_key_0123456789", ada, bo])
            Self.record("""
                lead mode (OUTPUT_SOURCE=lead), 1 target on an nginx-rtmp sink, handover at the end of a 20 s turn:
                  longest pause between frames a viewer of the platform sees up to DJ B's first frame (incl. the viewer's reconnect): \(Self.seconds(gap)) s
                  the target not live at the handover (GET /status polled every 50 ms): \(Self.seconds(notLive)) s
                  handover seen in the queue → DJ B's first frame at the platform: \(Self.seconds(firstBlue - handover)) s (polled every 20 ms; the queue is read over HTTP)
                """)
        }
    }

    static func record(_ text: String) {
        let all = figures.withLock { figures in
            figures.append(text)
            return figures
        }
        _ = try? Artifacts.write("outputs.txt", "Measured by `swift test --filter OutputsSystemTests` (debug build, shared 2-core machine)\n\n" + all.joined(separator: "\n\n") + "\n")
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", duration.seconds)
    }
}

/// The system behind an nginx-rtmp ingest with a programme app, with sinks, an admin token and
/// every process stopped at the end.
final class OutputsRig: @unchecked Sendable {
    let system: RunningSystem
    let ingest: NginxRTMPIngest
    let adminToken: String
    private let owned = Mutex<(sinks: [NginxRTMP], encoders: [ColourPublisher])>(([], []))

    static func run(extra: [String: String], _ body: (OutputsRig) async throws -> Void) async throws {
        let ports = try NginxRTMPIngest.ports()
        var environment = extra
        environment["INGEST_SERVER"] = "nginx-rtmp"
        environment["NGINX_RTMP_CONTROL_URL"] = "http://127.0.0.1:\(ports.http)/control"
        environment["NGINX_RTMP_STAT_URL"] = "http://127.0.0.1:\(ports.http)/stat"
        environment["LEAD_PULL_URL"] = "rtmp://127.0.0.1:\(ports.rtmp)/{app}/{stream}"
        environment["OUTPUT_RETRY_MAX_SECONDS"] = "2"
        environment["SESSION_RECONCILE_SECONDS"] = "3"
        let system = try await RunningSystem.start(extra: environment)
        let hook = "\(system.gateway.baseURL)/nginx-rtmp/hooks?secret=\(TestSecrets.hook)"
        let ingest: NginxRTMPIngest
        do {
            ingest = try await NginxRTMPIngest.start(
                ports: ports, hookURL: hook,
                extraApplications: "        application programme { live on; notify_method post; on_publish \(hook); on_publish_done \(hook); on_done \(hook); }"
            )
        } catch {
            await system.stop()
            throw error
        }
        var rig: OutputsRig?
        do {
            try await system.run { system in
                let made = OutputsRig(system: system, ingest: ingest, adminToken: try await Self.adminToken(system))
                rig = made
                try await body(made)
            }
        } catch {
            await rig?.stopOwned()
            await ingest.stop()
            throw ServiceProcessError("\(error)\n--- nginx ---\n\(ingest.errorLog())")
        }
        await rig?.stopOwned()
        await ingest.stop()
    }

    private init(system: RunningSystem, ingest: NginxRTMPIngest, adminToken: String) {
        self.system = system
        self.ingest = ingest
        self.adminToken = adminToken
    }

    private static func adminToken(_ system: RunningSystem) async throws -> String {
        let made = try await runCommand(
            "AccountService", ["admin", "create", "--email", "outputs@example.org", "--dj-name", "Outputs Admin"],
            environment: system.accounts.environment, input: "outputs admin password"
        )
        guard made.status == 0 else { throw ServiceProcessError("admin create: \(made.output)") }
        let login = try await TestHTTP().send(
            .POST, "\(system.accounts.baseURL)/api/v1/login/access-token", body: "username=outputs%40example.org&password=outputs+admin+password",
            contentType: "application/x-www-form-urlencoded"
        )
        guard let token = try login.json()["access_token"] as? String else { throw ServiceProcessError("login: \(login.status) \(login.body)") }
        return token
    }

    func sink(port: Int? = nil) async throws -> NginxRTMP {
        let sink = try await NginxRTMP.start(port: port)
        owned.withLock { $0.sinks.append(sink) }
        return sink
    }

    func publish(colour: String, to url: String) throws -> ColourPublisher {
        let encoder = try ColourPublisher.start(colour: colour, to: url)
        owned.withLock { $0.encoders.append(encoder) }
        return encoder
    }

    func admin(_ method: HTTPMethod, _ path: String = "", json: String? = nil) async throws -> TestHTTP.Reply {
        try await TestHTTP().send(method, "\(system.gateway.baseURL)/api/v1/admin/outputs\(path)", body: json, headers: ["Authorization": "Bearer \(adminToken)"])
    }

    func addTarget(_ name: String, sink: NginxRTMP, key: String) async throws -> UUID {
        let reply = try await admin(.POST, json: #"{"name":"\#(name)","url":"rtmp://127.0.0.1:\#(sink.port)/live","stream_key":"\#(key)"}"#)
        guard reply.status == 201, let id = (try reply.json()["id"] as? String).flatMap(UUID.init(uuidString:)) else {
            throw ServiceProcessError("adding \(name): \(reply.status) \(reply.body)")
        }
        return id
    }

    func status() async throws -> HookGatewayStatus {
        let reply = try await TestHTTP().get("\(system.gateway.baseURL)/status")
        return try JSONCoding.decoder.decode(HookGatewayStatus.self, from: Data(reply.body.utf8))
    }

    func waitForState(_ state: OutputState, of ids: [UUID], timeout: Duration) async throws {
        try await system.waitUntil("\(ids) are \(state)", timeout: timeout) {
            let targets = try await status().outputs?.targets ?? []
            return ids.allSatisfy { id in targets.first { $0.id == id }?.state == state }
        }
    }

    /// No platform key, programme key or DJ key in the status, the overview or the gateway's log.
    func expectNoKeyLeaks(_ keys: [String]) async throws {
        let status = String(decoding: try JSONCoding.encoder.encode(try await status()), as: UTF8.self)
        let overview = try await admin(.GET).body
        let log = system.gateway.tail(2_000_000)
        for key in keys {
            #expect(!status.contains(key), "a key in GET /status")
            #expect(!overview.contains(key), "a key in the outputs overview")
            #expect(!log.contains(key), "a key in HookGateway's log")
        }
    }

    fileprivate func stopOwned() async {
        let (sinks, encoders) = owned.withLock { ($0.sinks, $0.encoders) }
        for encoder in encoders { await encoder.stop() }
        for sink in sinks { await sink.stop() }
    }
}

/// The colour a player of `url` sees in its first frame, or nil when nothing arrives in time.
func sinkColour(_ url: String, within timeout: Duration = .seconds(20)) async -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
    process.arguments = ["-hide_banner", "-loglevel", "error", "-i", url, "-an", "-frames:v", "1", "-fps_mode", "passthrough", "-vf", "scale=1:1", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let reader = Task.detached { (try? output.fileHandleForReading.readToEnd()) ?? Data() }
    let deadline = ContinuousClock.now + timeout
    while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
    if process.isRunning {
        process.terminate()
        try? await Task.sleep(for: .milliseconds(300))
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    let bytes = [UInt8](await reader.value)
    guard bytes.count >= 3 else { return nil }
    return nearestColour((Double(bytes[0]), Double(bytes[1]), Double(bytes[2])))
}

/// A viewer of a platform: plays `url` again whenever it ends (a publisher that left ends the
/// play), noting when each frame of which colour arrived.
final class SinkWatcher: @unchecked Sendable {
    private let seen = Mutex<(first: [String: ContinuousClock.Instant], last: [String: ContinuousClock.Instant], arrivals: [ContinuousClock.Instant], pending: [UInt8], stopped: Bool)>(([:], [:], [], [], false))
    private let current = Mutex<Process?>(nil)
    private var loop: Task<Void, Never>?

    init(url: String) {
        loop = Task.detached { [self] in
            while !seen.withLock({ $0.stopped }) {
                play(url)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    func firstSeen(_ colour: String) -> ContinuousClock.Instant? { seen.withLock { $0.first[colour] } }
    func lastSeen(_ colour: String) -> ContinuousClock.Instant? { seen.withLock { $0.last[colour] } }

    /// The longest time without a frame, from the first frame to `end`: the freeze a viewer sees.
    func longestPause(until end: ContinuousClock.Instant) -> Duration? {
        let arrivals = seen.withLock { $0.arrivals }.filter { $0 <= end }
        return zip(arrivals, arrivals.dropFirst()).map { $1 - $0 }.max()
    }

    func stop() {
        seen.withLock { $0.stopped = true }
        current.withLock { $0?.terminate() }
        loop?.cancel()
    }

    private func play(_ url: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = [
            "-hide_banner", "-loglevel", "error", "-probesize", "32768", "-analyzeduration", "500000", "-i", url,
            // Passthrough: frames as they arrive, none made up to fill a gap in the timestamps.
            "-an", "-fps_mode", "passthrough", "-vf", "scale=1:1", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return }
        current.withLock { $0 = process }
        let handle = output.fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            let now = ContinuousClock.now
            seen.withLock { seen in
                seen.pending += chunk
                while seen.pending.count >= 3 {
                    let colour = nearestColour((Double(seen.pending[0]), Double(seen.pending[1]), Double(seen.pending[2])))
                    seen.pending.removeFirst(3)
                    if seen.first[colour] == nil { seen.first[colour] = now }
                    seen.last[colour] = now
                    seen.arrivals.append(now)
                }
            }
        }
        process.waitUntilExit()
        seen.withLock { $0.pending = [] }
    }
}

/// A target's state in `GET /status`, sampled every 50 ms.
final class StateTimeline: @unchecked Sendable {
    private let samples = Mutex<[(at: ContinuousClock.Instant, live: Bool)]>([])
    private var task: Task<Void, Never>?

    init(_ rig: OutputsRig, target: UUID) {
        task = Task { [self] in
            while !Task.isCancelled {
                if let targets = try? await rig.status().outputs?.targets {
                    let live = targets.first { $0.id == target }?.state == .live
                    self.samples.withLock { $0.append((ContinuousClock.now, live)) }
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    func stop() { task?.cancel() }

    /// From the last live sample before a gap to the first live one after it, the longest such gap.
    func longestNotLive() -> Duration? {
        let samples = samples.withLock { $0 }
        var longest: Duration?
        var lastLive: ContinuousClock.Instant?
        var inGap = false
        for sample in samples {
            if sample.live {
                if inGap, let lastLive { longest = max(longest ?? .zero, sample.at - lastLive) }
                lastLive = sample.at
                inGap = false
            } else if lastLive != nil {
                inGap = true
            }
        }
        return longest
    }
}

/// The gateway's ffmpeg children (pid → command line).
func relayPIDs(parent: Int32) -> [Int32: String] {
    var children: [Int32: String] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = Int32(entry), let stat = procStat(pid), stat.parent == parent, stat.command == "ffmpeg" else { continue }
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        children[pid] = String(decoding: cmdline.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }
    return children
}

/// Each relay's CPU over `interval`, in percent of one core, from /proc's utime + stime.
func relayCPU(parent: Int32, over interval: Duration) async throws -> [Int32: Double] {
    let before = relayPIDs(parent: parent).keys.reduce(into: [Int32: Int]()) { $0[$1] = procStat($1)?.ticks }
    let start = ContinuousClock.now
    try await Task.sleep(for: interval)
    let elapsed = (ContinuousClock.now - start).seconds
    let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
    var usage: [Int32: Double] = [:]
    for (pid, ticks) in before {
        guard let after = procStat(pid)?.ticks else { continue }
        usage[pid] = Double(after - ticks) / hertz / elapsed * 100
    }
    return usage
}

private func procStat(_ pid: Int32) -> (command: String, parent: Int32, ticks: Int)? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
    else { return nil }
    let command = String(text[text.index(after: open)..<close])
    // After the command: state, ppid, …; utime and stime are fields 14 and 15 of the whole line.
    let fields = text[text.index(close, offsetBy: 2)...].split(separator: " ")
    guard fields.count > 12, let parent = Int32(fields[1]), let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
    return (command, parent, user + system)
}
