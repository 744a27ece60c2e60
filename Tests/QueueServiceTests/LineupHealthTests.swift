import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import Testing
import TestSupport
@testable import QueueService

/// Every connected DJ's stream health as pages get it (`GET /internal/v1/stream-health`): on the
/// pure machine with a hand-set clock, through the engine, and over real HTTP.
@Suite struct LineupHealthTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let alice = UUID(), bob = UUID(), carol = UUID()

    func publish(_ client: String, _ user: UUID, _ name: String) -> PublishRequest {
        PublishRequest(clientId: client, userId: user, djName: name, app: "live", stream: "KEY\(client)")
    }

    /// Alice on air, Bob and Carol waiting, every session opened at t0.
    func machine(lowKbps: Double? = nil) -> QueueMachine {
        var queue = QueueMachine(
            state: QueueState(swapInterval: 3600),
            rules: QueueRules(leadGrace: 15, waitingGrace: 15, stallAfter: 5, stallSkipAfter: 30, lowBitrateKbps: lowKbps, bitrateWarmUp: 30)
        )
        _ = queue.publish(publish("a1", alice, "Alice"), now: t0)
        _ = queue.publish(publish("b1", bob, "Bob"), now: t0)
        _ = queue.publish(publish("c1", carol, "Carol"), now: t0)
        return queue
    }

    func health(_ queue: QueueMachine, at seconds: Double, only: UUID? = nil) -> LineupHealth {
        queue.watch.lineupHealth(of: queue.state, rules: queue.rules, now: t0 + seconds, only: only)
    }

    @Test func everySessionIsJudgedFromItsOwnReadingsWaitingDJsToo() {
        var queue = machine()
        _ = queue.streamHealth(StreamHealthReport(readAt: t0, publishers: [
            PublisherHealth(clientId: "a1", bytesReceived: 1000, kbps: 4520), PublisherHealth(clientId: "b1", bytesReceived: 500, kbps: 800),
        ]), now: t0)
        _ = queue.streamHealth(StreamHealthReport(readAt: t0 + 6, publishers: [
            PublisherHealth(clientId: "a1", bytesReceived: 9000, kbps: 4520.4), PublisherHealth(clientId: "b1", bytesReceived: 500, kbps: 790),
        ]), now: t0 + 6)

        let lineup = health(queue, at: 6.5)
        #expect(lineup.serverTime == t0 + 6.5)
        #expect(lineup.djs.map(\.djName) == ["Alice", "Bob", "Carol"])
        #expect(lineup.djs.map(\.position) == [0, 1, 2])
        #expect(lineup.djs.map(\.sessions) == [1, 1, 1])
        #expect(lineup.djs[0].reading == LineupHealth.Reading(kbps: 4520.4, lastDataAt: t0 + 6, secondsSinceData: 0.5, stalled: false, lowBitrate: false))
        #expect(lineup.djs[1].reading == LineupHealth.Reading(kbps: 790, lastDataAt: t0, secondsSinceData: 6.5, stalled: true, lowBitrate: false),
                "Bob's counter has not moved for 6.5 s: stalled, though he is not on air")
        #expect(lineup.djs[2].reading == nil, "no reading ever named Carol's session")
        #expect(queue.state.lead?.isStalled == false, "the view judges streams; it decides nothing about the turn")

        #expect(health(queue, at: 6.5, only: bob).djs.map(\.djName) == ["Bob"])
        #expect(health(queue, at: 6.5, only: UUID()).djs.isEmpty)
    }

    @Test func lowBitrateCountsOnlyPastTheWarmUpAndWhileDataArrives() {
        var queue = machine(lowKbps: 1000)
        for second in stride(from: 0, through: 40, by: 10) {
            let now = t0 + Double(second)
            _ = queue.tick(now: now)
            _ = queue.streamHealth(StreamHealthReport(readAt: now, publishers: [
                PublisherHealth(clientId: "a1", bytesReceived: UInt64(100 * (second + 1)), kbps: 600), PublisherHealth(clientId: "b1", bytesReceived: 7, kbps: 600),
            ]), now: now)
            if second == 20 {
                #expect(health(queue, at: 20).djs[0].reading?.lowBitrate == false, "inside the 30 s warm-up the ingest's average still climbs")
            }
        }
        let lineup = health(queue, at: 40)
        #expect(lineup.djs[0].reading?.lowBitrate == true)
        #expect(lineup.djs[0].reading?.stalled == false)
        #expect(lineup.djs[1].reading?.lowBitrate == false, "a stalled stream is stalled, not thin")
        #expect(lineup.djs[1].reading?.stalled == true)
        #expect(machine().rules.lowBitrateKbps == nil && health(machine(), at: 40).djs.allSatisfy { $0.reading?.lowBitrate != true })
    }

    @Test func aDJWithTwoEncodersShowsTheirBestAndOneInTheirGraceShowsNone() {
        var queue = machine()
        _ = queue.publish(publish("a2", alice, "Alice"), now: t0 + 1)
        _ = queue.streamHealth(StreamHealthReport(readAt: t0, publishers: [
            PublisherHealth(clientId: "a1", bytesReceived: 10, kbps: 6000), PublisherHealth(clientId: "a2", bytesReceived: 10, kbps: 2000),
        ]), now: t0)
        _ = queue.streamHealth(StreamHealthReport(readAt: t0 + 8, publishers: [
            PublisherHealth(clientId: "a1", bytesReceived: 10, kbps: 6000), PublisherHealth(clientId: "a2", bytesReceived: 99, kbps: 2000),
        ]), now: t0 + 8)
        let alice = health(queue, at: 8).djs[0]
        #expect(alice.sessions == 2)
        #expect(alice.reading?.kbps == 2000, "the encoder whose data arrives, not the frozen one with the higher average")
        #expect(alice.reading?.stalled == false)

        _ = queue.closeSession(clientId: "b1", now: t0 + 9)
        let bob = health(queue, at: 9).djs[1]
        #expect(bob.djName == "Bob" && bob.sessions == 0 && bob.reading == nil)
    }

    @Test func theEngineCountsTheSilenceOnItsOwnClock() async throws {
        let clock = ManualClock(t0)
        let logger = Logger(label: "lineup-health-test")
        let journal = FileJournal(directory: try temporaryDirectory("lineup-health").path, sealer: StreamNameSealer(secret: Secret(TestSecrets.jwt)), logger: logger)
        let engine = try QueueEngine(
            journal: journal, clock: clock, rules: QueueRules(stallAfter: 5, stallSkipAfter: 30), swapInterval: 3600, forwardTargets: [], kicks: nil, logger: logger
        )
        await engine.start()
        _ = try await engine.publish(publish("a1", alice, "Alice"))
        #expect(await engine.lineupHealth(of: nil).djs.first?.reading == nil)
        _ = try await engine.streamHealth(StreamHealthReport(readAt: t0, publishers: [PublisherHealth(clientId: "a1", bytesReceived: 100, kbps: 3000)]))
        #expect(await engine.lineupHealth(of: alice).djs.first?.reading?.secondsSinceData == 0)

        clock.advance(to: t0 + 6)
        try await eventually("the lead's stall recorded") { await engine.publicQueue().lead?.stalled == true }
        let reading = try #require(await engine.lineupHealth(of: alice).djs.first?.reading)
        #expect(reading.stalled && reading.secondsSinceData == 6 && reading.lastDataAt == t0)
        #expect(await engine.lineupHealth(of: bob).djs.isEmpty)
    }

    // MARK: - Over HTTP

    func app() async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = try temporaryDirectory("lineup-health-routes").path
        environment["STREAM_READER_TOKEN"] = StreamReaderRoutesTests.token
        let config = try QueueServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
        return try await buildApplication(config)
    }

    let auth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)"]

    func lineup(_ client: some TestClientProtocol, _ query: String = "") async throws -> LineupHealth {
        try await client.execute(uri: "/internal/v1/stream-health\(query)", method: .get, headers: auth) { response in
            #expect(response.status == .ok)
            return try JSONCoding.decoder.decode(LineupHealth.self, from: response.body)
        }
    }

    @Test func theRouteShowsEachDJsHealthToServicesOnlyAndNoPublicViewShowsIt() async throws {
        try await app().test(.live) { client in
            for (clientId, user, name) in [("c1", alice, "Alice"), ("c2", bob, "Bob")] {
                let body = ByteBuffer(string: #"{"client_id":"\#(clientId)","user_id":"\#(user)","dj_name":"\#(name)","app":"live","stream":"KEY\#(clientId)"}"#)
                try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: body) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/internal/v1/stream-health", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/internal/v1/stream-health", method: .get, headers: [.authorization: "Bearer wrong"]) { #expect($0.status == .unauthorized) }
            #expect(try await lineup(client).djs.map(\.reading) == [nil, nil], "no reading yet: nothing is made up")

            let report = #"{"read_at":"\#(JSONCoding.timestamp(Date()))","publishers":[{"client_id":"c1","bytes_received":125053,"frames":310,"kbps":4520}]}"#
            try await client.execute(uri: "/internal/v1/stream-health", method: .post, headers: auth, body: ByteBuffer(string: report)) { #expect($0.status == .ok) }

            let all = try await lineup(client)
            #expect(all.djs.map(\.djName) == ["Alice", "Bob"])
            let reading = try #require(all.djs[0].reading)
            #expect(reading.kbps == 4520 && !reading.stalled && !reading.lowBitrate)
            #expect((0..<5).contains(reading.secondsSinceData ?? -1), "data arrived at the report, moments ago: \(reading.secondsSinceData ?? -1)")
            #expect(all.djs[1].reading == nil)
            try await client.execute(uri: "/internal/v1/stream-health", method: .get, headers: auth) { response in
                let body = String(buffer: response.body)
                #expect(!body.contains("KEY") && !body.contains("c1"), "never a stream name or a client id: \(body)")
                #expect(body.contains(#""seconds_since_data":"#) && body.contains(#""last_data_at":"#), "snake_case on the wire: \(body)")
            }

            let bobOnly = try await lineup(client, "?user_id=\(bob.uuidString.lowercased())")
            #expect(bobOnly.djs.map(\.userId) == [bob])
            try await client.execute(uri: "/internal/v1/stream-health?user_id=nobody", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("invalid_user_id"))
            }

            for uri in ["/api/v1/queue", "/queue-json", "/time-settings"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let body = String(buffer: response.body)
                    #expect(!body.contains("kbps") && !body.contains("4520") && !body.contains("125053"), "\(uri) shows stream numbers: \(body)")
                }
            }
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: auth) { response in
                #expect(!String(buffer: response.body).contains("kbps"), "the state one seq names carries no live counters")
            }
        }
    }
}
