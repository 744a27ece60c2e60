import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import AccountService

/// Recorded sets on the dashboard and the admins' page, and their downloads proxied from
/// HookGateway (a fake on a real port) over real HTTP: who sees which, ranges, and streaming.
@Suite struct RecordingPagesTests {
    static func signedUp(_ client: some TestClientProtocol, _ email: String, _ name: String) async throws -> (visitor: Visitor, id: UUID) {
        let visitor = Visitor(client: client)
        try await visitor.signUp(email, djName: name)
        let dashboard = try await visitor.get("/dashboard")
        let id = try #require(dashboard.body.firstMatch(of: /data-user="([0-9a-f-]{36})"/).flatMap { UUID(uuidString: String($0.1)) })
        return (visitor, id)
    }

    /// An admin, logged in again after the role change, as an operator would.
    static func admin(_ client: some TestClientProtocol, _ directory: URL) async throws -> Visitor {
        let (host, _) = try await signedUp(client, "host@example.org", "Host")
        try await TestApp.makeAdmin(directory, email: "host@example.org")
        try await host.get("/login")
        #expect(try await host.post("/login", ["email": "host@example.org", "password": "a long password", "next": "/admin/queue"]).status == .seeOther)
        return host
    }

    static func recording(_ id: String, of userId: UUID, _ name: String, bytes: UInt64, started: String = "2026-12-01T20:30:00Z") -> RecordingView {
        let start = ISO8601DateFormatter().date(from: started)!
        return RecordingView(
            id: id, userId: userId, djName: name, turn: 12, startedAt: start, endedAt: start.addingTimeInterval(3723), bytes: bytes,
            durationSeconds: 3723.4, fileName: "2026-12-01_2130_\(name.lowercased().replacingOccurrences(of: " ", with: "-"))_turn-12.mkv"
        )
    }

    struct Download {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: [UInt8]
    }

    func download(_ visitor: Visitor, _ uri: String, range: String? = nil) async throws -> Download {
        var headers = visitor.jar.header
        if let range { headers[.range] = range }
        return try await visitor.client.execute(uri: uri, method: .get, headers: headers) { response in
            Download(status: response.status, headers: response.headers, body: Array(buffer: response.body))
        }
    }

    func withApp(_ label: String, _ body: @escaping @Sendable (any TestClientProtocol, FakeHookGateway, URL) async throws -> Void) async throws {
        let gateway = try await FakeHookGateway.start()
        let directory = try temporaryDirectory(label)
        do {
            try await TestApp.build(directory, ["HOOK_GATEWAY_URL": gateway.server.baseURL]).test(.live) { client in
                try await body(client, gateway, directory)
            }
        } catch {
            await gateway.server.stop()
            throw error
        }
        await gateway.server.stop()
    }

    @Test func aDJListsDownloadsAndDeletesOnlyTheirOwnSets() async throws {
        try await withApp("recordings-dj") { client, gateway, _ in
            let (owl, owlId) = try await Self.signedUp(client, "owl@example.org", "Night Owl")
            let (lark, larkId) = try await Self.signedUp(client, "lark@example.org", "Early Lark")
            gateway.add(Self.recording("rec-owl-1", of: owlId, "Night Owl", bytes: 2_500_000))
            gateway.add(Self.recording("rec-lark-1", of: larkId, "Early Lark", bytes: 300_000))

            let dashboard = try await owl.get("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.body.contains(#"href="/recordings/rec-owl-1""#) && dashboard.body.contains("action=\"/recordings/rec-owl-1/delete\""))
            // Signed up with Europe/Berlin: 20:30 UTC on the 1st of December is 21:30 there.
            #expect(dashboard.body.contains("2026-12-01 21:30") && dashboard.body.contains("1:02:03") && dashboard.body.contains("2.5 MB"), "\(dashboard.body)")
            #expect(!dashboard.body.contains("rec-lark-1") && !dashboard.body.contains("Early Lark"), "the fake lists everyone's; the dashboard shows only the DJ's own")
            #expect(gateway.calls(to: "/internal/v1/recordings?").map(\.path).first == "/internal/v1/recordings?user_id=\(owlId.uuidString)")
            #expect(try await lark.get("/dashboard").body.contains("300 kB"))

            let whole = try await download(owl, "/recordings/rec-owl-1")
            #expect(whole.status == .ok && whole.body.count == 2_500_000 && whole.body == FakeHookGateway.bytes(0..<2_500_000))
            #expect(whole.headers[.contentDisposition] == "attachment; filename=\"2026-12-01_2130_night-owl_turn-12.mkv\"")
            #expect(whole.headers[.acceptRanges] == "bytes" && whole.headers[.contentType] == "video/x-matroska" && whole.headers[.cacheControl] == "private, no-store")

            let middle = try await download(owl, "/recordings/rec-owl-1", range: "bytes=1000000-1000999")
            #expect(middle.status == .partialContent && middle.headers[.contentRange] == "bytes 1000000-1000999/2500000")
            #expect(middle.body == FakeHookGateway.bytes(1_000_000..<1_001_000) && middle.headers[.contentLength] == "1000")
            #expect(gateway.calls(to: "/internal/v1/recordings/rec-owl-1").last?.authorization == "Bearer \(TestSecrets.internalToken)")
            let tail = try await download(owl, "/recordings/rec-owl-1", range: "bytes=-10")
            #expect(tail.status == .partialContent && tail.body == FakeHookGateway.bytes(2_499_990..<2_500_000))
            let beyond = try await download(owl, "/recordings/rec-owl-1", range: "bytes=2500000-")
            #expect(beyond.status == .rangeNotSatisfiable && beyond.headers[.contentRange] == "bytes */2500000" && beyond.body.isEmpty)

            let fetchesBefore = gateway.calls(to: "/internal/v1/recordings/").count
            let others = try await download(owl, "/recordings/rec-lark-1")
            #expect(others.status == .notFound && String(decoding: others.body, as: UTF8.self).contains("No such recording"))
            #expect(try await download(owl, "/recordings/no-such-id").status == .notFound)
            #expect(gateway.calls(to: "/internal/v1/recordings/").count == fetchesBefore, "another's file is never even asked for")

            let stranger = Visitor(client: client)
            let away = try await download(stranger, "/recordings/rec-owl-1")
            #expect(away.status == .seeOther && away.headers[.location] == "/login?next=/recordings/rec-owl-1" && away.body.isEmpty)

            #expect(try await owl.post("/recordings/rec-lark-1/delete", [:]).status == .notFound)
            #expect(try await owl.post("/recordings/rec-owl-1/delete", [:], csrf: false).status == .forbidden)
            #expect(gateway.recordings.map(\.id) == ["rec-owl-1", "rec-lark-1"], "neither refused delete reached HookGateway")
            let deleted = try await owl.post("/recordings/rec-owl-1/delete", [:])
            #expect(deleted.status == .seeOther && deleted.location == "/dashboard?done=recording-deleted")
            #expect(gateway.recordings.map(\.id) == ["rec-lark-1"])
            #expect(gateway.calls(to: "/internal/v1/recordings/rec-owl-1").last?.method == "DELETE")
            let after = try await owl.get("/dashboard?done=recording-deleted")
            #expect(after.body.contains("Recording deleted.") && after.body.contains("No recordings yet"))
        }
    }

    @Test func adminsListDownloadAndDeleteEveryonesAndDJsCannotSeeTheList() async throws {
        try await withApp("recordings-admin") { client, gateway, directory in
            let (owl, owlId) = try await Self.signedUp(client, "owl@example.org", "Night Owl")
            let host = try await Self.admin(client, directory)
            gateway.add(Self.recording("rec-owl-1", of: owlId, "Night Owl", bytes: 4_200_000_000, started: "2026-11-30T22:00:00Z"))
            gateway.add(Self.recording("rec-lark-1", of: UUID(), "Early Lark", bytes: 1234))

            let list = try await host.get("/admin/recordings")
            #expect(list.status == .ok && list.body.contains("Night Owl") && list.body.contains("Early Lark") && list.body.contains("4.2 GB") && list.body.contains("1.2 kB"))
            let lark = try #require(list.body.range(of: "rec-lark-1")), owls = try #require(list.body.range(of: "rec-owl-1"))
            #expect(lark.lowerBound < owls.lowerBound, "newest first")
            #expect(gateway.calls(to: "/internal/v1/recordings").last?.path == "/internal/v1/recordings", "admins ask for everyone's")
            let hostsDashboard = try await host.get("/dashboard")
            #expect(!hostsDashboard.body.contains("rec-owl-1"), "an admin's own dashboard lists their own sets only")

            let larks = try await download(host, "/recordings/rec-lark-1")
            #expect(larks.status == .ok && larks.body == FakeHookGateway.bytes(0..<1234))
            let deleted = try await host.post("/recordings/rec-lark-1/delete", ["from": "admin"])
            #expect(deleted.status == .seeOther && deleted.location == "/admin/recordings?done=deleted")
            #expect(gateway.recordings.map(\.id) == ["rec-owl-1"])

            let asDJ = try await owl.get("/admin/recordings")
            #expect(asDJ.status == .forbidden && !asDJ.body.contains("rec-owl-1"))
            #expect(try await owl.post("/recordings/rec-owl-1/delete", ["from": "admin"]).location == "/dashboard?done=recording-deleted", "a DJ is sent back to their dashboard")
            #expect(try await Visitor(client: client).get("/admin/recordings").location == "/login?next=/admin/recordings")
        }
    }

    /// Buffered whole, the reply's head would never come while HookGateway holds the rest back:
    /// the request's deadline (it covers the head only) fails the test.
    @Test(.timeLimit(.minutes(2))) func aDownloadIsStreamedNotBufferedWhole() async throws {
        try await withApp("recordings-stream") { client, gateway, _ in
            let (owl, owlId) = try await Self.signedUp(client, "owl@example.org", "Night Owl")
            // Over PeerClient's 4 MiB cap for a collected reply, and served held back after 1 MiB:
            // AccountService must pass on what it has before HookGateway has sent the rest.
            let size = 6_000_000
            gateway.add(Self.recording("rec-big", of: owlId, "Night Owl", bytes: UInt64(size)))
            gateway.holdDownloads()
            let port = try #require(client.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/recordings/rec-big")
            request.headers.add(name: "Cookie", value: try #require(owl.jar.header[.cookie]))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(response.status == .ok && response.headers.first(name: "Content-Length") == "\(size)")
            var received: [UInt8] = []
            var released = false
            for try await buffer in response.body {
                received += Array(buffer: buffer)
                if !released, received.count >= FakeHookGateway.heldAfter {
                    released = true
                    await gateway.releaseDownloads()
                }
            }
            #expect(released && received.count == size && received == FakeHookGateway.bytes(0..<size))
        }
    }

    @Test func aHookGatewayThatDoesNotAnswerLeavesTheDashboardUp() async throws {
        let directory = try temporaryDirectory("recordings-down")
        try await TestApp.build(directory, ["HOOK_GATEWAY_URL": "http://127.0.0.1:9"]).test(.live) { client in
            let (owl, _) = try await Self.signedUp(client, "owl@example.org", "Night Owl")
            let dashboard = try await owl.get("/dashboard")
            #expect(dashboard.status == .ok && dashboard.body.contains("Recordings are unavailable right now."))
            #expect(try await owl.get("/recordings/anything").status == .serviceUnavailable)
        }
    }

    @Test func rowsSayDateLengthAndSizeAsPeopleWriteThem() {
        let owl = UUID()
        let row = RecordingRow(Self.recording("a", of: owl, "Night Owl", bytes: 999), in: TimeZone(identifier: "America/New_York")!)
        #expect(row.date == "2026-12-01 15:30" && row.duration == "1:02:03" && row.size == "999 B")
        var open = Self.recording("b", of: owl, "Night Owl", bytes: 0)
        open.endedAt = nil
        open.durationSeconds = nil
        #expect(RecordingRow(open, in: TimeZone(secondsFromGMT: 0)!).duration == "still recording")
        open.durationSeconds = 59.9
        #expect(RecordingRow(open, in: TimeZone(secondsFromGMT: 0)!).duration == "0:00:59")
        #expect([1000, 9_999, 10_000, 999_999, 1_000_000, 12_345_678, 4_200_000_000, 3_000_000_000_000].map { FigureText.size($0) }
            == ["1.0 kB", "9.9 kB", "10 kB", "999 kB", "1.0 MB", "12 MB", "4.2 GB", "3.0 TB"])
        #expect(FigureText.clock(7325) == "2:02:05" && FigureText.clock(-3) == "0:00:00")
    }
}
