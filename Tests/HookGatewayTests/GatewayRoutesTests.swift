import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// A stand-in for AccountService and QueueService that a test can make slow or failing, to see
/// what the gateway does to SRS when its peers misbehave. Real HTTP, real sockets.
final class MisbehavingPeers: Sendable {
    struct Calls {
        var verify: [String] = []
        var publish: [PublishRequest] = []
        var unpublish: [SessionCloseRequest] = []
        var failUnpublishes = 0
        var verifyDelay: Duration = .zero
    }

    let calls: NIOLockedValueBox<Calls>
    let knownKey = "KNOWNKEY_0123456789"
    let owner: VerifiedPublisher
    let server: LiveServer

    static func start() async throws -> MisbehavingPeers {
        let calls = NIOLockedValueBox(Calls())
        let owner = VerifiedPublisher(userId: UUID(), djName: "Night Owl")
        let server = try await LiveServer.start(router(calls: calls, owner: owner, knownKey: "KNOWNKEY_0123456789"), label: "peers")
        return MisbehavingPeers(calls: calls, owner: owner, server: server)
    }

    private init(calls: NIOLockedValueBox<Calls>, owner: VerifiedPublisher, server: LiveServer) {
        self.calls = calls
        self.owner = owner
        self.server = server
    }

    private static func router(calls: NIOLockedValueBox<Calls>, owner: VerifiedPublisher, knownKey: String) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.get("health") { _, _ in HTTPResponse.Status.ok }
        router.post("internal/v1/stream-keys/verify") { request, context -> Response in
            let body = try await request.decode(as: StreamKeyVerificationRequest.self, context: context)
            let delay = calls.withLockedValue { $0.verify.append(body.streamKey); return $0.verifyDelay }
            try await Task.sleep(for: delay)
            guard body.streamKey == knownKey else { return Response(status: .notFound) }
            return try context.responseEncoder.encode(owner, from: request, context: context)
        }
        router.post("internal/v1/publish") { request, context -> PublishReply in
            let body = try await request.decode(as: PublishRequest.self, context: context)
            calls.withLockedValue { $0.publish.append(body) }
            return PublishReply(decision: .lead, position: 0)
        }
        router.post("internal/v1/unpublish") { request, context -> Response in
            let body = try await request.decode(as: SessionCloseRequest.self, context: context)
            let fail = calls.withLockedValue { calls in
                calls.unpublish.append(body)
                if calls.failUnpublishes > 0 { calls.failUnpublishes -= 1; return true }
                return false
            }
            return Response(status: fail ? .internalServerError : .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"changed":true}"#)))
        }
        router.get("internal/v1/forward") { _, _ in ForwardReply(urls: ["rtmp://127.0.0.1:1935/rec/x?relay_secret=r"]) }
        return router
    }
}

@Suite(.serialized) struct GatewayRoutesTests {
    func app(peers: MisbehavingPeers, srs: FakeSRSAPI, srsUser: String? = nil) async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["ACCOUNT_SERVICE_URL"] = peers.server.baseURL
        environment["QUEUE_SERVICE_URL"] = peers.server.baseURL
        environment["SRS_API_URL"] = srs.server.baseURL
        environment["PEER_TIMEOUT_SECONDS"] = "0.5"
        if let srsUser {
            environment["SRS_API_USERNAME"] = srsUser
            environment["SRS_API_PASSWORD"] = "pw"
        }
        return try await buildApplication(try GatewayConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
    }

    let hooks = "/srs/hooks?secret=\(TestSecrets.hook)"

    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { response in
            (response.status, String(buffer: response.body))
        }
    }

    @Test func aWrongSecretChangesNothing() async throws {
        let (peers, srs) = (try await MisbehavingPeers.start(), try await FakeSRSAPI.start())
        try await app(peers: peers, srs: srs).test(.router) { client in
            for uri in ["/srs/hooks", "/srs/hooks?secret=guess", "/srs/forward?secret="] {
                let (status, body) = try await post(client, uri, try SRSFixture.body("on_publish.json", streamKey: peers.knownKey))
                #expect(status == .forbidden)
                #expect(body.hasPrefix(#"{"code":403"#))
            }
        }
        #expect(peers.calls.withLockedValue { $0.verify.isEmpty && $0.publish.isEmpty })
    }

    @Test func aKnownKeyIsQueuedWithItsSRSClientAndAnUnknownOneRefused() async throws {
        let (peers, srs) = (try await MisbehavingPeers.start(), try await FakeSRSAPI.start())
        try await app(peers: peers, srs: srs).test(.router) { client in
            let known = try SRSFixture.body("on_publish.json", streamKey: peers.knownKey)
            #expect(try await post(client, hooks, known) == (.ok, #"{"code":0}"#))
            let (status, body) = try await post(client, hooks, SRSFixture.body("on_publish.json", streamKey: "UNKNOWN_KEY"))
            #expect(status == .forbidden)
            #expect(body == #"{"code":403,"reason":"unknown stream key"}"#)
        }
        let publishes = peers.calls.withLockedValue { $0.publish }
        #expect(publishes == [PublishRequest(clientId: "a45n3q74", userId: peers.owner.userId, djName: "Night Owl", app: "live", stream: peers.knownKey)])
    }

    @Test func malformedBodiesAreRefusedWithAReason() async throws {
        let (peers, srs) = (try await MisbehavingPeers.start(), try await FakeSRSAPI.start())
        try await app(peers: peers, srs: srs).test(.router) { client in
            let (missing, missingBody) = try await post(client, hooks, #"{"action":"on_publish","app":"live","stream":"x"}"#)
            #expect(missing == .badRequest)
            #expect(missingBody == #"{"code":400,"reason":"missing field client_id"}"#)
            #expect(try await post(client, hooks, "{").0 == .badRequest)
            #expect(try await post(client, hooks, #"{"action":"on_publish","client_id":"../../x","app":"live"}"#).0 == .badRequest)
        }
    }

    @Test func aSlowAccountServiceRefusesThePublishInsteadOfHangingSRS() async throws {
        let (peers, srs) = (try await MisbehavingPeers.start(), try await FakeSRSAPI.start())
        peers.calls.withLockedValue { $0.verifyDelay = .seconds(5) }
        try await app(peers: peers, srs: srs).test(.router) { client in
            let started = ContinuousClock.now
            let (status, body) = try await post(client, hooks, SRSFixture.body("on_publish.json", streamKey: peers.knownKey))
            #expect(status == .serviceUnavailable)
            #expect(body.hasPrefix(#"{"code":503,"#))
            #expect(ContinuousClock.now - started < .seconds(3))
        }
        #expect(peers.calls.withLockedValue { $0.publish.isEmpty })
    }

    @Test func aCloseTheQueueMissedIsDeliveredLater() async throws {
        let (peers, srs) = (try await MisbehavingPeers.start(), try await FakeSRSAPI.start())
        peers.calls.withLockedValue { $0.failUnpublishes = 2 }
        let app = try await app(peers: peers, srs: srs)
        try await app.test(.live) { client in
            let reply = try await client.execute(
                uri: hooks, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: try SRSFixture.text("on_unpublish.json"))
            )
            #expect(reply.status == .ok)
            #expect(String(buffer: reply.body) == #"{"code":0}"#)
            for _ in 0..<100 where peers.calls.withLockedValue({ $0.unpublish.count }) < 3 {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(peers.calls.withLockedValue { $0.unpublish.map(\.clientId) } == ["a45n3q74", "a45n3q74", "a45n3q74"])
    }

    @Test func forwardTargetsComeFromTheQueueAndRelaysAreNeverForwarded() async throws {
        let (peers, srs) = (try await MisbehavingPeers.start(), try await FakeSRSAPI.start())
        try await app(peers: peers, srs: srs).test(.router) { client in
            let forward = "/srs/forward?secret=\(TestSecrets.hook)"
            let lead = try SRSFixture.text("on_forward.json"), copy = try SRSFixture.text("forwarded-copy.on_forward.json")
            #expect(try await post(client, forward, lead) == (.ok, #"{"code":0,"data":{"urls":["rtmp://127.0.0.1:1935/rec/x?relay_secret=r"]}}"#))
            #expect(try await post(client, forward, copy) == (.ok, #"{"code":0,"data":{"urls":[]}}"#))
        }
    }

    @Test func otherHooksAreAcknowledged() async throws {
        let (peers, srs) = (try await MisbehavingPeers.start(), try await FakeSRSAPI.start())
        try await app(peers: peers, srs: srs).test(.router) { client in
            for name in ["on_play.json", "on_stop.json", "on_connect.json"] {
                let body = try SRSFixture.text(name)
                #expect(try await post(client, hooks, body) == (.ok, #"{"code":0}"#))
            }
        }
    }

    @Test func kicksReachSRSAndAGoneClientCountsAsKicked() async throws {
        let (peers, srs) = (try await MisbehavingPeers.start(), try await FakeSRSAPI.start(username: "admin", password: "pw"))
        srs.connect("z26773g6")
        let auth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)", .contentType: "application/json"]
        try await app(peers: peers, srs: srs, srsUser: "admin").test(.router) { client in
            try await client.execute(uri: "/internal/v1/kick", method: .post, headers: auth, body: ByteBuffer(string: #"{"client_id":"z26773g6"}"#)) { response in
                #expect(String(buffer: response.body) == #"{"outcome":"kicked"}"#)
            }
            try await client.execute(uri: "/internal/v1/kick", method: .post, headers: auth, body: ByteBuffer(string: #"{"client_id":"z26773g6"}"#)) { response in
                #expect(String(buffer: response.body) == #"{"outcome":"already_gone"}"#)
            }
            try await client.execute(uri: "/internal/v1/kick", method: .post, body: ByteBuffer(string: #"{"client_id":"z26773g6"}"#)) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(srs.kicks == ["z26773g6", "z26773g6"])
    }

    @Test func wrongSRSCredentialsAreReportedNotSwallowed() async throws {
        let (peers, srs) = (try await MisbehavingPeers.start(), try await FakeSRSAPI.start(username: "admin", password: "other"))
        try await app(peers: peers, srs: srs, srsUser: "admin").test(.router) { client in
            try await client.execute(
                uri: "/internal/v1/kick", method: .post, headers: [.authorization: "Bearer \(TestSecrets.internalToken)"],
                body: ByteBuffer(string: #"{"client_id":"abc"}"#)
            ) { response in
                #expect(response.status == .badGateway)
                #expect(String(buffer: response.body).contains("401"))
            }
        }
    }
}
