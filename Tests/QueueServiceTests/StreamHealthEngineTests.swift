import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import Testing
import TestSupport
@testable import QueueService

/// Stream health through the engine (its timer fires the stall and the skip with no further
/// report) and through `POST /internal/v1/stream-health`.
@Suite struct StreamHealthEngineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let logger = Logger(label: "stream-health-test")

    func publish(_ name: String, _ client: String) -> PublishRequest {
        PublishRequest(clientId: client, userId: UUID(), djName: name, app: "live", stream: "KEY\(client)")
    }

    @Test func theEngineStallsAndSkipsALeadWhoseReportsStop() async throws {
        let clock = ManualClock(t0)
        let kicks = FakeKickSender()
        let journal = FileJournal(directory: try temporaryDirectory("health").path, sealer: StreamNameSealer(secret: Secret(TestSecrets.jwt)), logger: logger)
        let engine = try QueueEngine(
            journal: journal, clock: clock, rules: QueueRules(stallAfter: 5, stallSkipAfter: 30), swapInterval: 3600, forwardTargets: [],
            kicks: KickDispatcher(sender: kicks, clock: TestClock(), logger: logger), logger: logger
        )
        await engine.start()
        _ = try await engine.publish(publish("A", "a1"))
        _ = try await engine.publish(publish("B", "b1"))
        let reply = try await engine.streamHealth(StreamHealthReport(readAt: t0, publishers: [PublisherHealth(clientId: "a1", bytesReceived: 100), PublisherHealth(clientId: "zz")]))
        #expect(reply.known == 1)
        try await eventually("the stall armed") { clock.deadlines == [t0 + 5] }

        clock.advance(to: t0 + 5)
        try await eventually("A stalled") { await engine.publicQueue().lead?.stalled == true }
        try await eventually("the skip armed") { clock.deadlines == [t0 + 30] }
        clock.advance(to: t0 + 30)
        try await eventually("B on air") { await engine.queueJSON().streamQueue == ["B"] }
        let types = await engine.feed.page(after: 0, limit: 100).events.map(\.type)
        // Only the turn's events: a kick's settling may be logged around them.
        #expect(types.filter { [.leadStalled, .turnEnded, .turnStarted].contains($0) }.suffix(3) == [.leadStalled, .turnEnded, .turnStarted])
        #expect(await engine.feed.page(after: 0, limit: 100).events.first { $0.type == .turnEnded }?.payload.reason == .stalled)
        try await eventually("A's encoder kicked") { kicks.sent == ["a1"] }
    }

    func app() async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = try temporaryDirectory("health-routes").path
        let config = try QueueServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
        return try await buildApplication(config)
    }

    let auth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)"]

    @Test func theRouteTakesReportsBehindTheInternalTokenWithinASmallBody() async throws {
        try await app().test(.router) { client in
            let publish = #"{"client_id":"c1","user_id":"\#(UUID().uuidString)","dj_name":"Alice","app":"live","stream":"KEYc1"}"#
            try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: ByteBuffer(string: publish)) { #expect($0.status == .ok) }
            let report = #"{"read_at":"2027-01-15T08:00:00.000Z","publishers":[{"client_id":"c1","bytes_received":125053,"frames":0,"kbps":0}]}"#
            try await client.execute(uri: "/internal/v1/stream-health", method: .post, body: ByteBuffer(string: report)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/internal/v1/stream-health", method: .post, headers: auth, body: ByteBuffer(string: report)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"known":1}"#)
            }
            let hostile = #"{"read_at":"2027-01-15T08:00:01.000Z","publishers":[{"client_id":"../x"}]}"#
            try await client.execute(uri: "/internal/v1/stream-health", method: .post, headers: auth, body: ByteBuffer(string: hostile)) { #expect($0.status == .badRequest) }
            let huge = String(repeating: " ", count: BodyLimit.streamHealth + 1)
            try await client.execute(uri: "/internal/v1/stream-health", method: .post, headers: auth, body: ByteBuffer(string: huge)) { #expect($0.status == .contentTooLarge) }
            try await client.execute(uri: "/api/v1/queue", method: .get) { response in
                #expect(String(buffer: response.body).contains(#""stalled":false"#))
            }
        }
    }

    @Test func stallSettingsAreChecked() throws {
        func config(_ extra: [String: String]) throws -> QueueServiceConfig {
            var environment = TestSecrets.environment
            environment["DATA_DIR"] = "/tmp"
            environment.merge(extra) { $1 }
            return try QueueServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
        }
        let defaults = try config([:]).rules
        #expect(defaults.stallAfter == 5 && defaults.stallSkipAfter == 30 && defaults.lowBitrateKbps == nil)
        let set = try config(["STALL_SECONDS": "3", "STALL_SKIP_SECONDS": "0", "LOW_BITRATE_KBPS": "800"]).rules
        #expect(set.stallAfter == 3 && set.stallSkipAfter == nil && set.lowBitrateKbps == 800)
        #expect(throws: (any Error).self) { try config(["STALL_SECONDS": "10", "STALL_SKIP_SECONDS": "8"]) }
        #expect(throws: (any Error).self) { try config(["STALL_SECONDS": "0"]) }
        #expect(throws: (any Error).self) { try config(["LOW_BITRATE_KBPS": "fast"]) }
    }
}
