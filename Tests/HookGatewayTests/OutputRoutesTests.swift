import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// AccountService and QueueService as the output side meets them, over real HTTP behind the
/// internal token: sessions are checked as `FakeSessionCheck` does, stream keys never verify, and
/// every publish and broadcast change is recorded.
final class OutputPeers: Sendable {
    struct Calls {
        var verify = 0
        var publish = 0
        var broadcast: [BroadcastChange] = []
    }

    let calls: NIOLockedValueBox<Calls>
    let broadcastArrived: Wakeup
    let server: LiveServer

    private init(calls: NIOLockedValueBox<Calls>, broadcastArrived: Wakeup, server: LiveServer) {
        self.calls = calls
        self.broadcastArrived = broadcastArrived
        self.server = server
    }

    static func with<T>(_ body: (OutputPeers) async throws -> T) async throws -> T {
        let calls = NIOLockedValueBox(Calls())
        let arrived = Wakeup()
        let tokens = await SessionTokens(secret: Secret(TestSecrets.jwt))
        let router = Router(context: ServiceRequestContext.self)
        let internalRoutes = router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: Secret(TestSecrets.internalToken)))
        internalRoutes.post("sessions/check") { request, context -> SessionCheckReply in
            let body = try await request.decode(as: SessionCheckRequest.self, context: context)
            guard let claims = await tokens.verify(body.token) else { return SessionCheckReply(valid: false) }
            return SessionCheckReply(valid: true, userId: claims.userId, role: claims.role)
        }
        internalRoutes.post("stream-keys/verify") { _, _ in
            calls.withLockedValue { $0.verify += 1 }
            return Response(status: .notFound)
        }
        internalRoutes.post("publish") { _, _ in
            calls.withLockedValue { $0.publish += 1 }
            return PublishReply(decision: .lead, position: 0)
        }
        internalRoutes.post("broadcast") { request, context -> Response in
            let change = try await request.decode(as: BroadcastChange.self, context: context)
            calls.withLockedValue { $0.broadcast.append(change) }
            arrived.signal()
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"changed":true}"#)))
        }
        let peers = OutputPeers(calls: calls, broadcastArrived: arrived, server: try await LiveServer.start(router, label: "output-peers"))
        do {
            let result = try await body(peers)
            await peers.server.stop()
            return result
        } catch {
            await peers.server.stop()
            throw error
        }
    }

    /// Waits (at most `limit`) until `count` broadcast changes have come in.
    func waitForBroadcasts(_ count: Int, upTo limit: Duration = .seconds(10)) async -> [BroadcastChange] {
        let deadline = ContinuousClock.now + limit
        while calls.withLockedValue({ $0.broadcast.count }) < count, ContinuousClock.now < deadline {
            _ = await broadcastArrived.wait(upTo: deadline - ContinuousClock.now)
        }
        return calls.withLockedValue { $0.broadcast }
    }
}

func outputsGateway(_ peers: OutputPeers, dataDirectory: String? = nil, _ extra: [String: String] = [:]) async throws -> some ApplicationProtocol {
    var environment = TestSecrets.environment
    environment["DATA_DIR"] = try dataDirectory ?? temporaryDirectory("outputs-gateway").path
    environment["ACCOUNT_SERVICE_URL"] = peers.server.baseURL
    environment["QUEUE_SERVICE_URL"] = peers.server.baseURL
    environment["SRS_API_URL"] = "http://127.0.0.1:9"
    environment["NGINX_RTMP_STAT_URL"] = "http://127.0.0.1:9/stat"
    environment["NGINX_RTMP_CONTROL_URL"] = "http://127.0.0.1:9/control"
    environment["PEER_TIMEOUT_SECONDS"] = "1"
    environment.merge(extra) { _, new in new }
    return try await buildApplication(try HookGatewayConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
}

func sessionToken(_ role: Role) async throws -> String {
    try await SessionTokens(secret: Secret(TestSecrets.jwt)).sign(SessionClaims(userId: UUID(), role: role, issuedAt: Date(), expiresAt: Date().addingTimeInterval(600)))
}

@Suite(.serialized) struct OutputRoutesTests {
    let platformKey = "live_424242_PlatformSecretKey"

    func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil, cookie: Bool = false
    ) async throws -> (status: HTTPResponse.Status, body: String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token {
            if cookie { headers[.cookie] = "\(AdminGate.cookieName)=\(token)" } else { headers[.authorization] = "Bearer \(token)" }
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            (response.status, String(buffer: response.body))
        }
    }

    func callStatus(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil, cookie: Bool = false
    ) async throws -> HTTPResponse.Status {
        try await call(client, method, uri, token: token, body: body, cookie: cookie).status
    }

    @Test func anAdminAddsListsEditsAndDeletesTargetsAndNeverSeesAKeyAgain() async throws {
        try await OutputPeers.with { peers in
            try await outputsGateway(peers).test(.live) { client async throws in
                let admin = try await sessionToken(.admin)
                let (created, createdBody) = try await call(
                    client, .post, "/api/v1/admin/outputs", token: admin,
                    body: #"{"name":"Twitch","url":"rtmp://live.twitch.tv/app","stream_key":"\#(platformKey)"}"#
                )
                #expect(created == .created)
                #expect(!createdBody.contains(platformKey))
                let target = try JSONCoding.decoder.decode(OutputTargetView.self, from: Data(createdBody.utf8))
                #expect(target.keyHint == "••••tKey")
                #expect(target.enabled && target.state == .off)
                #expect(createdBody.contains(#""key_hint":"••••tKey""#))

                let (listed, listBody) = try await call(client, .get, "/api/v1/admin/outputs", token: admin)
                #expect(listed == .ok)
                #expect(!listBody.contains(platformKey))
                let overview = try JSONCoding.decoder.decode(OutputsOverview.self, from: Data(listBody.utf8))
                #expect(overview == OutputsOverview(source: "programme", sourceLive: false, targets: [target]))

                let (patched, patchBody) = try await call(client, .patch, "/api/v1/admin/outputs/\(target.id)", token: admin, body: #"{"enabled":false,"stream_key":"another_key_0123456789AB"}"#)
                #expect(patched == .ok)
                #expect(!patchBody.contains("another_key"))
                let edited = try JSONCoding.decoder.decode(OutputTargetView.self, from: Data(patchBody.utf8))
                #expect(edited.enabled == false && edited.keyHint == "••••89AB" && edited.name == "Twitch")

                #expect(try await callStatus(client, .delete, "/api/v1/admin/outputs/\(target.id)", token: admin) == .noContent)
                #expect(try await callStatus(client, .delete, "/api/v1/admin/outputs/\(target.id)", token: admin) == .notFound)
                #expect(try await callStatus(client, .patch, "/api/v1/admin/outputs/\(target.id)", token: admin, body: #"{"enabled":true}"#) == .notFound)
                #expect(try await callStatus(client, .patch, "/api/v1/admin/outputs/not-a-uuid", token: admin, body: #"{"enabled":true}"#) == .notFound)
                let (_, emptied) = try await call(client, .get, "/api/v1/admin/outputs", token: admin)
                #expect(try JSONCoding.decoder.decode(OutputsOverview.self, from: Data(emptied.utf8)).targets.isEmpty)
            }
        }
    }

    @Test func onlyAnAdminsBearerSessionGetsIn() async throws {
        try await OutputPeers.with { peers in
            try await outputsGateway(peers).test(.live) { client async throws in
                let dj = try await sessionToken(.dj)
                let admin = try await sessionToken(.admin)
                let post = #"{"name":"Twitch","url":"rtmp://live.twitch.tv/app","stream_key":"\#(platformKey)"}"#
                for (method, uri, body) in [(HTTPRequest.Method.get, "/api/v1/admin/outputs", nil), (.post, "/api/v1/admin/outputs", post), (.patch, "/api/v1/admin/outputs/\(UUID())", #"{"enabled":false}"#), (.delete, "/api/v1/admin/outputs/\(UUID())", nil)] {
                    #expect(try await callStatus(client, method, uri, token: nil, body: body) == .unauthorized, "\(method) \(uri) without a session")
                    #expect(try await callStatus(client, method, uri, token: "not.a.jwt", body: body) == .unauthorized)
                    let (status, reply) = try await call(client, method, uri, token: dj, body: body)
                    #expect(status == .forbidden, "\(method) \(uri) as a DJ")
                    #expect(reply.contains("admin_only"))
                    #expect(try await callStatus(client, method, uri, token: admin, body: body, cookie: true) == .unauthorized, "the cookie alone is not enough")
                }
                let (_, list) = try await call(client, .get, "/api/v1/admin/outputs", token: admin)
                #expect(try JSONCoding.decoder.decode(OutputsOverview.self, from: Data(list.utf8)).targets.isEmpty, "nothing was added by the refused calls")
            }
        }
    }

    @Test func badInputIsA400NamingTheFieldWithoutEchoingTheKey() async throws {
        try await OutputPeers.with { peers in
            try await outputsGateway(peers).test(.live) { client async throws in
                let admin = try await sessionToken(.admin)
                let cases: [(String, String)] = [
                    (#"{"name":"Twitch","url":"http://live.twitch.tv/app","stream_key":"\#(platformKey)"}"#, "url"),
                    (#"{"name":"Twitch","url":"rtmp://live.twitch.tv","stream_key":"\#(platformKey)"}"#, "url"),
                    (#"{"name":"","url":"rtmp://live.twitch.tv/app","stream_key":"\#(platformKey)"}"#, "name"),
                    (#"{"url":"rtmp://live.twitch.tv/app","stream_key":"\#(platformKey)"}"#, "name"),
                    (#"{"name":"Twitch","url":"rtmp://live.twitch.tv/app","stream_key":"\#(platformKey) x"}"#, "stream_key"),
                    (#"{"name":"Twitch","url":"rtmp://live.twitch.tv/app"}"#, "stream_key"),
                ]
                for (body, field) in cases {
                    let (status, reply) = try await call(client, .post, "/api/v1/admin/outputs", token: admin, body: body)
                    #expect(status == .badRequest, "\(body)")
                    #expect(reply.contains(#""field":"\#(field)""#), "\(reply)")
                    #expect(!reply.contains(platformKey), "the key came back in \(reply)")
                }
                for body in [#"{"name":"Twitch","url":"rtmp://h/app","stream_key":42,"x":"\#(platformKey)"}"#, #"{"stream_key":"\#(platformKey)""#, "[]"] {
                    let (status, reply) = try await call(client, .post, "/api/v1/admin/outputs", token: admin, body: body)
                    #expect(status == .badRequest)
                    #expect(reply.contains("invalid_body"))
                    #expect(!reply.contains(platformKey))
                }
                let huge = #"{"name":"Twitch","url":"rtmp://h/app","stream_key":"\#(String(repeating: "k", count: 5000))"}"#
                #expect(try await callStatus(client, .post, "/api/v1/admin/outputs", token: admin, body: huge) == .contentTooLarge)
                let (_, list) = try await call(client, .get, "/api/v1/admin/outputs", token: admin)
                #expect(try JSONCoding.decoder.decode(OutputsOverview.self, from: Data(list.utf8)).targets.isEmpty)
            }
        }
    }

    /// What an admin saved is there after HookGateway restarts, sealed in `DATA_DIR/outputs.json`.
    @Test func targetsSurviveARestartOfTheGatewaySealedOnDisk() async throws {
        try await OutputPeers.with { peers in
            let data = try temporaryDirectory("outputs-restart").path
            let admin = try await sessionToken(.admin)
            try await outputsGateway(peers, dataDirectory: data).test(.live) { client async throws in
                let body = #"{"name":"YouTube","url":"rtmp://a.rtmp.youtube.com/live2","stream_key":"\#(platformKey)","enabled":false}"#
                #expect(try await callStatus(client, .post, "/api/v1/admin/outputs", token: admin, body: body) == .created)
            }
            let file = try String(contentsOfFile: data + "/outputs.json", encoding: .utf8)
            #expect(!file.contains(platformKey))
            try await outputsGateway(peers, dataDirectory: data).test(.live) { client async throws in
                let (_, list) = try await call(client, .get, "/api/v1/admin/outputs", token: admin)
                let targets = try JSONCoding.decoder.decode(OutputsOverview.self, from: Data(list.utf8)).targets
                #expect(targets.map(\.name) == ["YouTube"])
                #expect(targets.map(\.keyHint) == ["••••tKey"])
                #expect(targets.map(\.enabled) == [false])
            }
        }
    }
}

/// OBS's programme as both ingests announce it: accepted on `OUTPUT_APP` with `PROGRAMME_KEY`
/// and never queued, refused with any other key, and its publish and unpublish are the broadcast
/// going live and ending, reported to QueueService.
@Suite(.serialized) struct ProgrammePublishTests {
    static let programmeKey = "programme-key-0123456789abcdef"
    let srsHooks = "/srs/hooks?secret=\(TestSecrets.hook)"
    let nginxHooks = "/nginx-rtmp/hooks?secret=\(TestSecrets.hook)"

    /// A recorded SRS hook body, as SRS sends it for a publish to the programme app.
    func srs(_ fixture: String, stream: String, clientId: String) throws -> String {
        try SRSFixture.body(fixture, streamKey: stream, clientId: clientId)
            .replacingOccurrences(of: #""app":"live""#, with: #""app":"programme""#)
            .replacingOccurrences(of: "/live", with: "/programme")
    }

    /// A fresh connection for every hook, as the ingests open them (the gateway closes nginx's after each reply).
    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, form: Bool) async throws -> (HTTPResponse.Status, String) {
        let port = try #require(client.port)
        let reply = try await TestHTTP().send(
            .POST, "http://127.0.0.1:\(port)\(uri)", body: body, contentType: form ? "application/x-www-form-urlencoded" : "application/json"
        )
        return (HTTPResponse.Status(code: reply.status), reply.body)
    }

    func postStatus(_ client: some TestClientProtocol, _ uri: String, _ body: String, form: Bool) async throws -> HTTPResponse.Status {
        try await post(client, uri, body, form: form).0
    }

    @Test func srsProgrammePublishIsAcceptedUnqueuedAndItsEndEndsTheBroadcast() async throws {
        try await OutputPeers.with { peers in
            try await outputsGateway(peers, ["PROGRAMME_KEY": Self.programmeKey]).test(.live) { client async throws in
                let (wrong, reason) = try await post(client, srsHooks, try srs("on_publish.json", stream: "programme-guess-0123456789", clientId: "p1"), form: false)
                #expect(wrong == .forbidden)
                #expect(reason.contains("wrong programme key"))
                #expect(!reason.contains(Self.programmeKey))

                #expect(try await post(client, srsHooks, try srs("on_publish.json", stream: Self.programmeKey, clientId: "p2"), form: false) == (.ok, #"{"code":0}"#))
                #expect(await peers.waitForBroadcasts(1) == [BroadcastChange(live: true, source: "programme")])
                #expect(try await postStatus(client, srsHooks, try srs("on_forward.json", stream: Self.programmeKey, clientId: "p2"), form: false) == .ok)

                #expect(try await postStatus(client, srsHooks, try srs("on_unpublish.json", stream: Self.programmeKey, clientId: "p1"), form: false) == .ok)
                #expect(try await postStatus(client, srsHooks, try srs("on_unpublish.json", stream: Self.programmeKey, clientId: "p2"), form: false) == .ok)
                #expect(try await postStatus(client, srsHooks, try srs("on_close.json", stream: Self.programmeKey, clientId: "p2"), form: false) == .ok)
                #expect(await peers.waitForBroadcasts(2) == [BroadcastChange(live: true, source: "programme"), BroadcastChange(live: false, source: "programme")])
            }
            let calls = peers.calls.withLockedValue { $0 }
            #expect(calls.publish == 0 && calls.verify == 0, "the programme was asked about as a DJ")
            #expect(calls.broadcast.count == 2, "the refused publish and the stranger's unpublish changed nothing")
        }
    }

    @Test func nginxProgrammePublishIsAcceptedUnqueuedAndItsEndEndsTheBroadcast() async throws {
        try await OutputPeers.with { peers in
            try await outputsGateway(peers, ["PROGRAMME_KEY": Self.programmeKey, "INGEST_SERVER": "nginx-rtmp"]).test(.live) { client async throws in
                let (wrong, _) = try await post(client, nginxHooks, NginxBodies.publish(key: "programme-guess-0123456789", clientId: "11", app: "programme"), form: true)
                #expect(wrong == .forbidden)
                let (accepted, _) = try await post(client, nginxHooks, NginxBodies.publish(key: Self.programmeKey, clientId: "12", app: "programme"), form: true)
                #expect(accepted == .ok)
                #expect(await peers.waitForBroadcasts(1) == [BroadcastChange(live: true, source: "programme")])
                #expect(try await postStatus(client, nginxHooks, NginxBodies.update(key: Self.programmeKey, clientId: "12", app: "programme"), form: true) == .ok)
                #expect(try await postStatus(client, nginxHooks, NginxBodies.done("publish_done", key: Self.programmeKey, clientId: "12", app: "programme"), form: true) == .ok)
                #expect(try await postStatus(client, nginxHooks, NginxBodies.done("done", key: Self.programmeKey, clientId: "12", app: "programme"), form: true) == .ok)
                #expect(await peers.waitForBroadcasts(2) == [BroadcastChange(live: true, source: "programme"), BroadcastChange(live: false, source: "programme")])
            }
            let calls = peers.calls.withLockedValue { $0 }
            #expect(calls.publish == 0 && calls.verify == 0)
        }
    }

    @Test func withoutAProgrammeKeyNothingPublishesToTheProgrammeApp() async throws {
        try await OutputPeers.with { peers in
            try await outputsGateway(peers).test(.live) { client async throws in
                let (status, reason) = try await post(client, srsHooks, try srs("on_publish.json", stream: Self.programmeKey, clientId: "p3"), form: false)
                #expect(status == .forbidden)
                #expect(reason.contains("PROGRAMME_KEY"))
            }
            #expect(peers.calls.withLockedValue { $0.publish + $0.verify + $0.broadcast.count } == 0)
        }
    }

    /// In lead mode the programme may still be published (for recording), but it is not what goes out.
    @Test func inLeadModeTheProgrammeIsNotTheBroadcast() async throws {
        try await OutputPeers.with { peers in
            try await outputsGateway(peers, ["PROGRAMME_KEY": Self.programmeKey, "OUTPUT_SOURCE": "lead"]).test(.live) { client async throws in
                #expect(try await postStatus(client, srsHooks, try srs("on_publish.json", stream: Self.programmeKey, clientId: "p4"), form: false) == .ok)
                let admin = try await sessionToken(.admin)
                try await client.execute(uri: "/api/v1/admin/outputs", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                    let overview = try JSONCoding.decoder.decode(OutputsOverview.self, from: Data(response.body.readableBytesView))
                    #expect(overview.source == "lead" && overview.sourceLive == false)
                }
            }
            #expect(peers.calls.withLockedValue { $0.broadcast }.isEmpty)
        }
    }

    @Test func theProgrammeSourceTracksItsOwnPublisherOnly() async throws {
        let tracker = ProgrammeTracker(broadcast: nil)
        var changes = tracker.programmeChanges().makeAsyncIterator()
        #expect(await changes.next() == .some(nil), "a subscriber first hears the state it joined in")
        let feed = ProgrammeFeed(app: "programme", stream: Self.programmeKey)
        await tracker.published(clientId: "a", feed: feed)
        #expect(await changes.next() == .some(feed))
        await tracker.ended(clientId: "b")
        #expect(tracker.programme() == feed, "another client's end is not the programme's")
        await tracker.ended(clientId: "a")
        #expect(await changes.next() == .some(nil))
        #expect(tracker.programme() == nil)
        var late = tracker.programmeChanges().makeAsyncIterator()
        #expect(await late.next() == .some(nil))
    }
}
