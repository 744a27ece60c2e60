import Foundation
import Shared
import Testing
import TestSupport

/// Stream health and turn enforcement with the real services behind Debian's nginx-rtmp (from the
/// shipped deploy/nginx-rtmp/nginx.conf) and real ffmpeg encoders. A frozen encoder is ffmpeg
/// under SIGSTOP: its TCP connection stays open and nothing arrives on it, which is what a hung
/// encoder or a dead uplink looks like to the ingest — only the stat page's `bytes_in` tells.
/// Waits are on conditions with generous limits; the figures measured go to `artifacts/`.
@Suite(.serialized) struct StreamHealthSystemTests {
    static let stallSeconds = 3.0
    static let stallSkipSeconds = 8.0
    /// deploy/nginx-rtmp/nginx.conf's `notify_update_timeout`.
    static let updateSeconds = 10.0

    @Test func aFrozenLeadIsStalledRecoversAndIsSkipped() async throws {
        try await onNginx([
            "SWAP_INTERVAL": "600",
            "STALL_SECONDS": "\(Self.stallSeconds)",
            "STALL_SKIP_SECONDS": "\(Self.stallSkipSeconds)",
            "STREAM_HEALTH_SECONDS": "1",
        ]) { system, nginx, encoders in
            let (adaEncoder, boEncoder, lead) = try await adaLeadsAndBoWaits(system, nginx, encoders)
            let adaClient = try #require(lead.sessions.first?.clientId)
            // A stall is counted from the last data QueueService saw: it must have seen some.
            try await system.waitUntil("QueueService has a reading of Ada's stream", timeout: .seconds(20)) {
                try await lineup(system).djs.first { $0.userId == lead.userId }?.reading?.lastDataAt != nil
            }
            let start = try await system.events(after: 0).next

            adaEncoder.pause()
            let paused = ContinuousClock.now
            let stalled = try await system.waitForEvent(.leadStalled, after: start, timeout: .seconds(Self.stallSeconds + 20))
            let detection = seconds(since: paused)
            #expect(stalled.payload.userId == lead.userId)
            #expect(detection <= Self.stallSeconds + 2, "stalled \(detection) s after the encoder froze")
            #expect(try await system.internalState().lead?.stalledSince != nil)
            #expect(try await system.queueJSON() == ["Ada", "Bo"])
            #expect(adaEncoder.isRunning, "a frozen encoder keeps its connection; nothing dropped it yet")

            adaEncoder.resume()
            let resumed = ContinuousClock.now
            let recovered = try await system.waitForEvent(.leadRecovered, after: stalled.seq, timeout: .seconds(20))
            let recovery = seconds(since: resumed)
            #expect(recovered.payload.userId == lead.userId)
            #expect(try await system.internalState().lead?.stalledSince == nil)
            #expect(try await system.queueJSON() == ["Ada", "Bo"])

            adaEncoder.pause()
            let pausedAgain = ContinuousClock.now
            let stalledAgain = try await system.waitForEvent(.leadStalled, after: recovered.seq, timeout: .seconds(Self.stallSeconds + 20))
            let secondDetection = seconds(since: pausedAgain)
            #expect(secondDetection <= Self.stallSeconds + 2, "stalled again \(secondDetection) s after the encoder froze")
            let ended = try await system.waitForEvent(.turnEnded, after: stalledAgain.seq, timeout: .seconds(Self.stallSkipSeconds + 30))
            let skip = seconds(since: pausedAgain)
            #expect(ended.payload.userId == lead.userId)
            #expect(ended.payload.reason == .stalled)
            // Counted from the last data, which came at most a reading (1 s, more on a loaded machine) before the freeze.
            #expect(skip >= Self.stallSkipSeconds - 2, "skipped \(skip) s after the encoder froze")
            try await system.waitUntil("Bo leads", timeout: .seconds(20)) { try await system.queueJSON() == ["Bo"] }
            try await system.waitUntil("nginx drops Ada's frozen encoder", timeout: .seconds(20)) { try await !publishers(nginx).contains(adaClient) }
            let dropped = seconds(since: pausedAgain)
            adaEncoder.resume()
            try await system.waitUntil("Ada's ffmpeg finds its connection gone", timeout: .seconds(20)) { !adaEncoder.isRunning }
            #expect(boEncoder.isRunning)

            let queueSkip = ended.time.timeIntervalSince(try #require(stalledAgain.payload.startedAt))
            try Artifacts.write("stream-health-stall.txt", """
                Stream health on nginx-rtmp with real ffmpeg encoders (StreamHealthSystemTests.aFrozenLeadIsStalledRecoversAndIsSkipped)
                STALL_SECONDS=\(Self.stallSeconds) STALL_SKIP_SECONDS=\(Self.stallSkipSeconds) STREAM_HEALTH_SECONDS=1; a freeze is SIGSTOP on the lead's ffmpeg.
                Seconds as the test saw them (from the signal to the event on QueueService's event feed):
                stall detection, first freeze:  \(format(detection)) (bound: STALL_SECONDS + 2 = \(format(Self.stallSeconds + 2)))
                recovery after SIGCONT:         \(format(recovery))
                stall detection, second freeze: \(format(secondDetection))
                skip (turn.ended, stalled):     \(format(skip)) after the second freeze; \(format(queueSkip)) after the last data by QueueService's clock
                encoder off nginx:              \(format(dropped)) after the second freeze

                """)
        }
    }

    /// With the control module out of reach (its URL a closed port), every kick fails, and only
    /// nginx's own `on_update` — refused for a publisher whose turn has ended — can drop the encoder.
    @Test func anEndedTurnsEncoderIsDroppedByOnUpdateAlone() async throws {
        let closedPort = try freePort()
        let turn = 12.0
        try await onNginx([
            "SWAP_INTERVAL": "\(turn)",
            "STALL_SKIP_SECONDS": "0",
        ], controlURL: "http://127.0.0.1:\(closedPort)/control") { system, nginx, encoders in
            let (adaEncoder, boEncoder, lead) = try await adaLeadsAndBoWaits(system, nginx, encoders)
            let adaClient = try #require(lead.sessions.first?.clientId)

            let kick = try await TestHTTP().post(
                "\(system.gateway.baseURL)/internal/v1/kick", json: #"{"client_id":"\#(adaClient)"}"#,
                headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"]
            )
            #expect(kick.status == 502, "no kick can reach nginx in this test")
            #expect(adaEncoder.isRunning)
            #expect(try await refusedUpdates(system) == 0)

            let ended = try await system.waitForEvent(.turnEnded, after: 0, timeout: .seconds(turn + 30))
            let endedAt = ContinuousClock.now
            #expect(ended.payload.userId == lead.userId)
            #expect(ended.payload.reason == .timeLimit)
            try await system.waitUntil("Bo leads", timeout: .seconds(20)) { try await system.queueJSON() == ["Bo"] }
            try await system.waitUntil("nginx drops Ada's encoder on its next update", timeout: .seconds(Self.updateSeconds + 20)) { !adaEncoder.isRunning }
            let drop = seconds(since: endedAt)
            #expect(drop <= Self.updateSeconds + 5, "dropped \(drop) s after the turn ended")
            #expect(try await !publishers(nginx).contains(adaClient))
            #expect(try await refusedUpdates(system) >= 1, "the gateway refused Ada's update")
            #expect(boEncoder.isRunning, "the new lead's updates are answered yes")

            try Artifacts.write("nginx-rtmp-update-drop.txt", """
                nginx-rtmp's on_update as the only way to end a turn (StreamHealthSystemTests.anEndedTurnsEncoderIsDroppedByOnUpdateAlone)
                NGINX_RTMP_CONTROL_URL at a closed port (every kick fails), SWAP_INTERVAL=\(turn), notify_update_timeout=\(Self.updateSeconds)s.
                turn.ended (time_limit) → the ended lead's ffmpeg exits: \(format(drop)) s (bound: notify_update_timeout + 5 s)

                """)
        }
    }

    // MARK: - The system on nginx-rtmp

    /// The ffmpeg encoders a test started, all stopped (and first let go on, if frozen) at its end.
    final class Encoders: @unchecked Sendable {
        private(set) var started: [ColourPublisher] = []

        func start(colour: String, to url: String) throws -> ColourPublisher {
            let encoder = try ColourPublisher.start(colour: colour, to: url)
            started.append(encoder)
            return encoder
        }

        func stopAll() async {
            for encoder in started {
                encoder.resume()
                await encoder.stop()
            }
        }
    }

    /// The real services on nginx-rtmp, its hooks pointed at the gateway; `controlURL` replaces
    /// the real control module's address.
    private func onNginx(
        _ extra: [String: String], controlURL: String? = nil, _ body: (RunningSystem, NginxRTMPIngest, Encoders) async throws -> Void
    ) async throws {
        let ports = try NginxRTMPIngest.ports()
        var environment = [
            "INGEST_SERVER": "nginx-rtmp",
            "NGINX_RTMP_CONTROL_URL": controlURL ?? "http://127.0.0.1:\(ports.http)/control",
            "NGINX_RTMP_STAT_URL": "http://127.0.0.1:\(ports.http)/stat",
            "LEAD_GRACE_SECONDS": "1",
            "WAITING_GRACE_SECONDS": "1",
            "SESSION_RECONCILE_SECONDS": "3",
        ]
        environment.merge(extra) { $1 }
        let system = try await RunningSystem.start(extra: environment)
        let nginx: NginxRTMPIngest
        do {
            nginx = try await NginxRTMPIngest.start(ports: ports, hookURL: "\(system.gateway.baseURL)/nginx-rtmp/hooks?secret=\(TestSecrets.hook)")
        } catch {
            await system.stop()
            throw error
        }
        let encoders = Encoders()
        do {
            try await system.run { system in try await body(system, nginx, encoders) }
        } catch {
            await encoders.stopAll()
            await nginx.stop()
            throw ServiceProcessError("\(error)\n--- nginx ---\n\(nginx.errorLog())")
        }
        await encoders.stopAll()
        await nginx.stop()
    }

    /// The client ids nginx's stat page lists as publishing.
    /// Ada's encoder on air, Bo's waiting: their encoders and Ada as the queue's lead.
    private func adaLeadsAndBoWaits(_ system: RunningSystem, _ nginx: NginxRTMPIngest, _ encoders: Encoders) async throws -> (ColourPublisher, ColourPublisher, LineupEntry) {
        let ada = try await system.signUp("Ada")
        let bo = try await system.signUp("Bo")
        let adaEncoder = try encoders.start(colour: "red", to: nginx.url(ada))
        try await system.waitUntil("Ada leads", timeout: .seconds(20)) { try await system.queueJSON() == ["Ada"] }
        let boEncoder = try encoders.start(colour: "blue", to: nginx.url(bo))
        try await system.waitUntil("Bo waits", timeout: .seconds(20)) { try await system.queueJSON() == ["Ada", "Bo"] }
        return (adaEncoder, boEncoder, try #require(try await system.internalState().lead))
    }

    private func publishers(_ nginx: NginxRTMPIngest) async throws -> Set<String> {
        let page = try await TestHTTP().get(nginx.statURL).body
        return Set(page.components(separatedBy: "<client>").dropFirst().compactMap { client in
            let element = client.components(separatedBy: "</client>")[0]
            guard element.contains("<publishing/>"), let id = element.components(separatedBy: "</id>").first, id.hasPrefix("<id>") else { return nil }
            return String(id.dropFirst(4))
        })
    }

    /// The `on_update` notifications the gateway refused, from its `gateway_hooks_total`.
    private func refusedUpdates(_ system: RunningSystem) async throws -> Double {
        let exposition = try await TestHTTP().get("\(system.gateway.baseURL)/metrics").body
        let series = exposition.split(separator: "\n").filter {
            $0.hasPrefix("gateway_hooks_total{") && $0.contains(#"action="on_update""#) && $0.contains(#"outcome="refused""#)
        }
        return series.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    private func lineup(_ system: RunningSystem) async throws -> LineupHealth {
        let reply = try await TestHTTP().get("\(system.queue.baseURL)/internal/v1/stream-health", headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"])
        return try JSONCoding.decoder.decode(LineupHealth.self, from: Data(reply.body.utf8))
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func format(_ seconds: Double) -> String {
        String(format: "%.2f", seconds)
    }
}
