import AsyncHTTPClient
import Foundation
import Shared
import Testing
import TestSupport

/// QueueService's trust boundaries across real processes: stream keys reach OBSBridge and nobody
/// else, a forgotten account's encoder is kicked through the real gateway, and open event streams
/// do not hold a shutdown.
@Suite(.serialized) struct QueueTrustSystemTests {
    static let streamReaderToken = "test-stream-reader-token-0123456789"

    /// QueueService and OBSBridge given the stream-reader token (as `make run`, compose and
    /// Kubernetes give it to those two only), against the fake obs-websocket.
    @Test func onlyTheBridgeWithTheStreamReaderTokenPullsTheLead() async throws {
        let obs = try await FakeOBS.start(password: "obs-password-1")
        let directory = try temporaryDirectory("queue-trust")
        let ports = (queue: try freePort(), bridge: try freePort())
        var environment = TestSecrets.environment
        environment["QUEUE_SERVICE_URL"] = "http://127.0.0.1:\(ports.queue)"
        environment["HOOK_GATEWAY_URL"] = "http://127.0.0.1:9"
        environment["STREAM_READER_TOKEN"] = Self.streamReaderToken
        var queueEnvironment = environment
        queueEnvironment["DATA_DIR"] = directory.appendingPathComponent("queue").path
        var bridgeEnvironment = environment
        bridgeEnvironment["DATA_DIR"] = directory.appendingPathComponent("obsbridge").path
        bridgeEnvironment["OBS_PORT"] = "\(obs.port)"
        bridgeEnvironment["OBS_PASSWORD"] = "obs-password-1"
        let queue = ServiceProcess("QueueService", port: ports.queue, environment: queueEnvironment, logDirectory: directory)
        let bridge = ServiceProcess("OBSBridge", port: ports.bridge, environment: bridgeEnvironment, logDirectory: directory)
        let http = TestHTTP()
        let auth = ["Authorization": "Bearer \(TestSecrets.internalToken)"]
        do {
            try await queue.start()
            try await bridge.start()
            let lead = "rtmp://127.0.0.1:1935/live/ALPHAKEY"
            obs.setLive(lead, true)
            let publish = #"{"client_id":"alpha1","user_id":"\#(UUID().uuidString)","dj_name":"Alpha","app":"live","stream":"ALPHAKEY"}"#
            #expect(try await http.post("\(queue.baseURL)/internal/v1/publish", json: publish, headers: auth).status == 200)

            let deadline = ContinuousClock.now + .seconds(15)
            while obs.programPicture != lead, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(obs.programPicture == lead, "OBS pulls the lead by its stream name")
            // Any other holder of the internal token (Notifier, HookGateway) reads no key.
            let state = try await http.get("\(queue.baseURL)/internal/v1/state", headers: auth)
            #expect(state.status == 200 && state.body.contains("Alpha") && !state.body.contains("ALPHAKEY"))
        } catch {
            Issue.record("\(error)\n--- QueueService ---\n\(queue.tail())\n--- OBSBridge ---\n\(bridge.tail())")
        }
        await bridge.stop()
        await queue.stop()
        await obs.shutDown()
    }

    /// An account AccountService deleted or deactivated is forgotten by QueueService: the DJ
    /// leaves the queue and HookGateway drops their encoder at SRS.
    @Test func aForgottenDJsEncoderIsKickedAtSRS() async throws {
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"])
        try await system.run { system in
            let alpha = try await system.signUp("Alpha")
            let bravo = try await system.signUp("Bravo")
            #expect(try await system.publish(key: alpha, client: "alpha1").status == 200)
            #expect(try await system.publish(key: bravo, client: "bravo1").status == 200)
            let bravoId = try #require(try await system.internalState().waiting.first?.userId)

            let forget = try await TestHTTP().post(
                "\(system.queue.baseURL)/internal/v1/users/forget", json: #"{"user_id":"\#(bravoId.uuidString)"}"#,
                headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"]
            )
            #expect(forget.status == 200)
            #expect(try await system.queueJSON() == ["Alpha"])
            try await system.waitUntil("SRS was asked to drop Bravo's encoder") { system.srs.kicks == ["bravo1"] }
            try await system.waitUntil("SRS no longer holds it") { !system.srs.isConnected("bravo1") }
            _ = try await system.waitForEvent(.kickSettled, after: 0, timeout: .seconds(5))
            #expect(try await system.queueJSON() == ["Alpha"])
        }
    }

    /// Open event streams end at a graceful shutdown instead of holding it (`run` fails the test
    /// when a service ignores SIGTERM for 10 s).
    @Test func openEventStreamsDoNotHoldAShutdown() async throws {
        let system = try await RunningSystem.start()
        try await system.run { system in
            var streams: [Task<Void, any Error>] = []
            for _ in 0..<5 {
                let (opened, signal) = AsyncStream.makeStream(of: Int.self)
                streams.append(Task {
                    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(system.queue.baseURL)/api/v1/events/stream"), timeout: .seconds(60))
                    signal.yield(Int(response.status.code))
                    for try await _ in response.body {}
                })
                var statuses = opened.makeAsyncIterator()
                #expect(await statuses.next() == 200)
            }
            #expect(await system.queue.stop(), "QueueService stopped on SIGTERM with five streams open")
            for stream in streams { _ = try? await stream.value }
        }
    }
}
