import Foundation
import Shared
import Testing
import TestSupport

/// The real services behind Debian's nginx-rtmp, run from the shipped deploy/nginx-rtmp/nginx.conf,
/// with real ffmpeg encoders: what a DJ's encoder sees is what nginx does with the gateway's answers.
/// Every wait is on a condition with a generous limit (two loaded cores run x264 and five processes).
@Suite(.serialized) struct NginxRTMPSystemTests {
    /// The turn is long enough for the first steps and short enough that its end is waited out.
    static let swapInterval = 20

    @Test func realEncodersOnNginxRTMPQueueHandOverAndAreDropped() async throws {
        let ports = try NginxRTMPIngest.ports()
        let system = try await RunningSystem.start(extra: [
            "INGEST_SERVER": "nginx-rtmp",
            "NGINX_RTMP_CONTROL_URL": "http://127.0.0.1:\(ports.http)/control",
            "NGINX_RTMP_STAT_URL": "http://127.0.0.1:\(ports.http)/stat",
            "SWAP_INTERVAL": "\(Self.swapInterval)",
            "LEAD_GRACE_SECONDS": "1",
            "WAITING_GRACE_SECONDS": "1",
            "SESSION_RECONCILE_SECONDS": "3",
            "STALL_SKIP_SECONDS": "0",
        ])
        let nginx: NginxRTMPIngest
        do {
            nginx = try await NginxRTMPIngest.start(
                ports: ports, hookURL: "\(system.gateway.baseURL)/nginx-rtmp/hooks?secret=\(TestSecrets.hook)",
                extraApplications: "        application rec { live on; on_publish \(system.gateway.baseURL)/nginx-rtmp/hooks?secret=\(TestSecrets.hook); }"
            )
        } catch {
            await system.stop()
            throw error
        }
        var encoders: [ColourPublisher] = []
        do {
            try await system.run { system in
                let ada = try await system.signUp("Ada")
                let bo = try await system.signUp("Bo")
                let cy = try await system.signUp("Cy")

                // A wrong key: nginx drops the encoder on the gateway's 403 and nothing is queued.
                let stranger = try ColourPublisher.start(colour: "white", to: nginx.url("NOT_A_KEY_0123456789"))
                encoders.append(stranger)
                try await system.waitUntil("the wrong key's encoder is dropped", timeout: .seconds(20)) { !stranger.isRunning }
                #expect(try await system.queueJSON().isEmpty)

                // Right keys: queued in order, each by its nginx connection, at once (not after nginx's 10 s netcall timeout).
                let adaEncoder = try ColourPublisher.start(colour: "red", to: nginx.url(ada))
                encoders.append(adaEncoder)
                try await system.waitUntil("Ada leads", timeout: .seconds(20)) { try await system.queueJSON() == ["Ada"] }
                let boEncoder = try ColourPublisher.start(colour: "blue", to: nginx.url(bo))
                encoders.append(boEncoder)
                try await system.waitUntil("Bo waits", timeout: .seconds(20)) { try await system.queueJSON() == ["Ada", "Bo"] }
                let state = try await system.internalState()
                let adaClient = try #require(state.lead?.sessions.first?.clientId)
                try await waitUntilPublishing(nginx, [adaClient, try #require(state.waiting.first?.sessions.first?.clientId)], system)

                // A relay with the relay secret is accepted and not queued; without it, dropped.
                let relay = try ColourPublisher.start(colour: "gray", to: nginx.url(app: "rec", "copy?relay_secret=\(TestSecrets.relay)"))
                encoders.append(relay)
                let forged = try ColourPublisher.start(colour: "black", to: nginx.url(app: "rec", "forged?relay_secret=guess"))
                encoders.append(forged)
                try await system.waitUntil("the forged relay is dropped", timeout: .seconds(20)) { !forged.isRunning }
                try await system.waitUntil("the relay publishes", timeout: .seconds(20)) { try await publishingCount(nginx) == 3 }
                #expect(relay.isRunning)
                #expect(try await system.queueJSON() == ["Ada", "Bo"])

                // The lead's encoder stops: publish_done closes the session and Bo takes over.
                await adaEncoder.stop()
                try await system.waitUntil("Bo leads after Ada stops", timeout: .seconds(20)) { try await system.queueJSON() == ["Bo"] }

                // Bo's turn ends with Cy waiting: QueueService kicks Bo through the gateway and nginx's control module drops the real encoder.
                let cyEncoder = try ColourPublisher.start(colour: "green", to: nginx.url(cy))
                encoders.append(cyEncoder)
                try await system.waitUntil("Cy waits", timeout: .seconds(20)) { try await system.queueJSON() == ["Bo", "Cy"] }
                try await system.waitUntil("Bo's encoder is dropped at the end of the turn", timeout: .seconds(Self.swapInterval + 40)) { !boEncoder.isRunning }
                try await system.waitUntil("Cy leads", timeout: .seconds(20)) { try await system.queueJSON() == ["Cy"] }

                // A kick of the lead's connection drops Cy's real encoder, and its close empties the queue.
                let cyClient = try #require(try await system.internalState().lead?.sessions.first?.clientId)
                let kick = try await TestHTTP().post(
                    "\(system.gateway.baseURL)/internal/v1/kick", json: #"{"client_id":"\#(cyClient)"}"#,
                    headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"]
                )
                #expect(kick.status == 200)
                #expect(kick.body == #"{"outcome":"kicked"}"# || kick.body == #"{"outcome":"already_gone"}"#)
                try await system.waitUntil("Cy's encoder is dropped by the kick", timeout: .seconds(20)) { !cyEncoder.isRunning }
                try await system.waitUntil("the queue is empty", timeout: .seconds(20)) { try await system.queueJSON().isEmpty }
                #expect(relay.isRunning, "the relay is nobody's turn")
            }
        } catch {
            for encoder in encoders { await encoder.stop() }
            await nginx.stop()
            throw ServiceProcessError("\(error)\n--- nginx ---\n\(nginx.errorLog())")
        }
        for encoder in encoders { await encoder.stop() }
        await nginx.stop()
    }

    private func waitUntilPublishing(_ nginx: NginxRTMPIngest, _ clients: [String], _ system: RunningSystem) async throws {
        try await system.waitUntil("nginx lists \(clients) as publishing", timeout: .seconds(20)) {
            let stat = try await TestHTTP().get(nginx.statURL).body
            return clients.allSatisfy { stat.contains("<client><id>\($0)</id>") }
        }
    }

    private func publishingCount(_ nginx: NginxRTMPIngest) async throws -> Int {
        try await TestHTTP().get(nginx.statURL).body.components(separatedBy: "<publishing/><active/></client>").count - 1
    }
}
