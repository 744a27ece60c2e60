import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import AccountService

/// QueueService's `GET /internal/v1/stream-health` as a live server: answers with whatever
/// lineup the test set — the whole of it, even when asked for one DJ, so the tests show that
/// AccountService itself keeps a DJ to their own numbers — and records the queries it got.
final class FakeLineupHealth: Sendable {
    let server: LiveServer
    private let state: NIOLockedValueBox<(lineup: LineupHealth, failing: Bool, queries: [String])>

    var queries: [String] { state.withLockedValue { $0.queries } }

    func set(_ djs: [LineupHealth.DJ]) { state.withLockedValue { $0.lineup.djs = djs } }
    func fail(_ failing: Bool) { state.withLockedValue { $0.failing = failing } }

    static func start() async throws -> FakeLineupHealth {
        let state = NIOLockedValueBox((lineup: LineupHealth(serverTime: Date(), djs: []), failing: false, queries: [String]()))
        let router = Router()
        router.get("internal/v1/stream-health") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer \(TestSecrets.internalToken)" else { return Response(status: .unauthorized) }
            let (lineup, failing) = state.withLockedValue { state in
                state.queries.append(request.uri.query ?? "")
                return (state.lineup, state.failing)
            }
            if failing { return Response(status: .internalServerError) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encode(lineup))))
        }
        return FakeLineupHealth(server: try await LiveServer.start(router, label: "fake-queue-health"), state: state)
    }

    private init(server: LiveServer, state: NIOLockedValueBox<(lineup: LineupHealth, failing: Bool, queries: [String])>) {
        self.server = server
        self.state = state
    }
}

/// The dashboard's stream-health panel and the night page's bitrate column: the words, and who
/// may see which numbers, over real HTTP.
@Suite struct StreamHealthPagesTests {
    func dj(_ id: UUID, _ name: String, position: Int, sessions: Int = 1, _ reading: LineupHealth.Reading?) -> LineupHealth.DJ {
        LineupHealth.DJ(userId: id, djName: name, position: position, sessions: sessions, reading: reading)
    }

    func receiving(_ kbps: Double) -> LineupHealth.Reading {
        LineupHealth.Reading(kbps: kbps, lastDataAt: Date(), secondsSinceData: 0.4, stalled: false, lowBitrate: false)
    }

    let silentFor6s = LineupHealth.Reading(kbps: 812, lastDataAt: Date(), secondsSinceData: 6.3, stalled: true, lowBitrate: false)

    @Test func thePanelSaysWhatTheDJCanDo() {
        let away = StreamHealthPanel(nil)
        #expect(away.condition == .notConnected && away.text == "Not connected" && away.bitrate == "—" && away.kbps == nil)
        #expect(StreamHealthPanel(dj(UUID(), "A", position: 0, sessions: 0, nil)).text == "Not connected", "held for the reconnect grace")
        #expect(StreamHealthPanel(dj(UUID(), "A", position: 0, nil)).condition == .connected)

        let fine = StreamHealthPanel(dj(UUID(), "A", position: 0, receiving(4520.4)))
        #expect(fine.condition == .receiving && fine.kbps == 4520 && fine.secondsSinceData == 0)
        #expect(fine.text == "Receiving 4\u{202F}520 kbps" && fine.bitrate == "4\u{202F}520 kbps")
        #expect(StreamHealthPanel(dj(UUID(), "A", position: 0, receiving(0))).text == "Receiving — measuring the bitrate…")

        let stalled = StreamHealthPanel(dj(UUID(), "A", position: 1, silentFor6s))
        #expect(stalled.condition == .stalled && stalled.kbps == nil && stalled.bitrate == "—" && stalled.secondsSinceData == 6)
        #expect(stalled.text == "No data for 6 s — check your encoder")
        var longSilence = silentFor6s
        longSilence.secondsSinceData = 185
        #expect(StreamHealthPanel(dj(UUID(), "A", position: 1, longSilence)).text == "No data for 3 min — check your encoder")
        longSilence.secondsSinceData = nil
        #expect(StreamHealthPanel(dj(UUID(), "A", position: 1, longSilence)).text == "No data arriving — check your encoder")

        var thin = receiving(640)
        thin.lowBitrate = true
        let low = StreamHealthPanel(dj(UUID(), "A", position: 0, thin))
        #expect(low.condition == .lowBitrate && low.text.hasPrefix("Low bitrate: 640 kbps"))

        #expect([999, 1000, 12_345_678].map { StreamHealthPanel.bitrate($0) } == ["999 kbps", "1\u{202F}000 kbps", "12\u{202F}345\u{202F}678 kbps"])
    }

    /// DJs sign up in their browsers; their ids come from their own dashboards.
    func signedUp(_ client: some TestClientProtocol, _ email: String, _ name: String) async throws -> (visitor: Visitor, id: UUID) {
        let visitor = Visitor(client: client)
        try await visitor.signUp(email, djName: name)
        let dashboard = try await visitor.get("/dashboard")
        #expect(dashboard.body.contains(#"data-health="/dashboard/health""#))
        let id = try #require(dashboard.body.firstMatch(of: /data-user="([0-9a-f-]{36})"/).flatMap { UUID(uuidString: String($0.1)) })
        return (visitor, id)
    }

    func health(_ visitor: Visitor, _ uri: String = "/dashboard/health") async throws -> (status: HTTPResponse.Status, body: String, cache: String?) {
        try await visitor.client.execute(uri: uri, method: .get, headers: visitor.jar.header) { response in
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            return (response.status, String(buffer: response.body), response.headers[.cacheControl])
        }
    }

    func panel(_ body: String) throws -> StreamHealthPanel {
        try JSONCoding.decoder.decode(StreamHealthPanel.self, from: Data(body.utf8))
    }

    @Test func aDJSeesTheirOwnStreamAndNeverAnotherDJs() async throws {
        let queue = try await FakeLineupHealth.start()
        let directory = try temporaryDirectory("stream-health-pages")
        do {
            try await TestApp.build(directory, ["QUEUE_SERVICE_URL": queue.server.baseURL]).test(.live) { client in
                let (owl, owlId) = try await signedUp(client, "owl@example.org", "Night Owl")
                let (lark, larkId) = try await signedUp(client, "lark@example.org", "Early Lark")
                let (wren, _) = try await signedUp(client, "wren@example.org", "Wren")
                queue.set([dj(owlId, "Night Owl", position: 0, receiving(4520)), dj(larkId, "Early Lark", position: 1, silentFor6s)])

                let owls = try await health(owl)
                #expect(owls.status == .ok && owls.cache == "no-store")
                #expect(try panel(owls.body) == StreamHealthPanel(dj(owlId, "Night Owl", position: 0, receiving(4520))))
                #expect(!owls.body.contains("Lark") && !owls.body.contains(larkId.uuidString.lowercased()) && !owls.body.contains("812"), "\(owls.body)")
                #expect(try panel(try await health(lark).body).text == "No data for 6 s — check your encoder")
                #expect(!(try await health(lark).body).contains("4\u{202F}520"))
                #expect(try panel(try await health(wren).body).text == "Not connected", "a DJ QueueService did not name is not connected")
                #expect(queue.queries.prefix(2) == ["user_id=\(owlId.uuidString)", "user_id=\(larkId.uuidString)"], "each DJ asks for their own only")

                let stranger = Visitor(client: client)
                let refused = try await health(stranger)
                #expect(refused.status == .unauthorized && refused.body.contains("not_logged_in"), "a poll gets JSON, not the login page")
                #expect(try await stranger.get("/dashboard").status == .seeOther)

                queue.fail(true)
                let down = try await health(owl)
                #expect(down.status == .serviceUnavailable && down.body.contains("queue_unavailable"), "\(down.body)")
                #expect(try await owl.get("/dashboard").status == .ok, "the dashboard itself never waits on QueueService")
            }
        } catch {
            await queue.server.stop()
            throw error
        }
        await queue.server.stop()
    }

    @Test func adminsSeeEveryConnectedDJsBitrateAndDJsDoNot() async throws {
        let queue = try await FakeLineupHealth.start()
        let directory = try temporaryDirectory("stream-health-admin")
        do {
            try await TestApp.build(directory, ["QUEUE_SERVICE_URL": queue.server.baseURL]).test(.live) { client in
                let (owl, owlId) = try await signedUp(client, "owl@example.org", "Night Owl")
                let (host, _) = try await signedUp(client, "host@example.org", "Host")
                try await TestApp.makeAdmin(directory, email: "host@example.org")
                try await host.get("/login")
                #expect(try await host.post("/login", ["email": "host@example.org", "password": "a long password", "next": "/admin/queue"]).status == .seeOther)
                let lark = UUID()
                queue.set([dj(owlId, "Night Owl", position: 0, receiving(4520)), dj(lark, "Early Lark", position: 1, silentFor6s), dj(UUID(), "Wren", position: 2, sessions: 0, nil)])

                let night = try await host.get("/admin/queue")
                #expect(night.status == .ok && night.body.contains(#"data-health="/admin/queue/health""#) && night.body.contains("<th>Bitrate</th>"))
                let reply = try await health(host, "/admin/queue/health")
                #expect(reply.status == .ok && reply.cache == "no-store")
                let streams = try JSONCoding.decoder.decode(NightStreams.self, from: Data(reply.body.utf8))
                #expect(streams.djs.map(\.djName) == ["Night Owl", "Early Lark", "Wren"])
                #expect(streams.djs.map(\.place) == ["On air", "#1", "#2"])
                #expect(streams.djs.map(\.health.bitrate) == ["4\u{202F}520 kbps", "—", "—"])
                #expect(streams.djs.map(\.health.condition) == [.receiving, .stalled, .notConnected])
                #expect(queue.queries.last == "", "the night page asks for everyone")

                let asDJ = try await health(owl, "/admin/queue/health")
                #expect(asDJ.status == .forbidden && asDJ.body.contains("admins_only") && !asDJ.body.contains("Lark"))
                #expect(try await health(Visitor(client: client), "/admin/queue/health").status == .unauthorized)
            }
        } catch {
            await queue.server.stop()
            throw error
        }
        await queue.server.stop()
    }
}
