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
/// what the gateway does to SRS when its peers misbehave. Real HTTP, real sockets, and like the
/// real services it answers `/internal/v1` only to `Authorization: Bearer <INTERNAL_TOKEN>`.
final class MisbehavingPeers: Sendable {
    struct Calls {
        var verify: [String] = []
        var publish: [PublishRequest] = []
        var unpublish: [SessionCloseRequest] = []
        var failUnpublishes = 0
        var failPublishes = 0
        /// The client ids `GET /internal/v1/sessions` lists as open.
        var openSessions: [String] = []
        /// Every `POST /internal/v1/stream-health`, with its `X-Request-Id`.
        var healthReports: [(report: StreamHealthReport, requestID: String?)] = []
        var verifyDelay: Duration = .zero
        /// How many times `GET /internal/v1/forward` was asked.
        var forwards = 0
        /// The delays verifies are waiting out, cut short on `stop()` so a slow peer never holds a test.
        var delays: [Task<Void, any Error>] = []
    }

    let calls: NIOLockedValueBox<Calls>
    let knownKey = "KNOWNKEY_0123456789"
    let owner: VerifiedPublisher
    let server: LiveServer
    /// Signalled on every unpublish received.
    let unpublished: Wakeup

    static func start() async throws -> MisbehavingPeers {
        let calls = NIOLockedValueBox(Calls())
        let owner = VerifiedPublisher(userId: UUID(), djName: "Night Owl")
        let unpublished = Wakeup()
        let server = try await LiveServer.start(
            router(calls: calls, owner: owner, knownKey: "KNOWNKEY_0123456789", unpublished: unpublished), label: "peers"
        )
        return MisbehavingPeers(calls: calls, owner: owner, server: server, unpublished: unpublished)
    }

    private init(calls: NIOLockedValueBox<Calls>, owner: VerifiedPublisher, server: LiveServer, unpublished: Wakeup) {
        self.calls = calls
        self.owner = owner
        self.server = server
        self.unpublished = unpublished
    }

    /// Waits (at most `limit`) until `count` unpublishes have come in.
    func waitForUnpublishes(_ count: Int, upTo limit: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while calls.withLockedValue({ $0.unpublish.count }) < count {
            guard ContinuousClock.now < deadline, await unpublished.wait(upTo: deadline - ContinuousClock.now) else { return false }
        }
        return true
    }

    func stop() async {
        calls.withLockedValue { $0.delays }.forEach { $0.cancel() }
        await server.stop()
    }

    private static func router(
        calls: NIOLockedValueBox<Calls>, owner: VerifiedPublisher, knownKey: String, unpublished: Wakeup
    ) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.get("health") { _, _ in HTTPResponse.Status.ok }
        let internalRoutes = router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: Secret(TestSecrets.internalToken)))
        internalRoutes.post("stream-keys/verify") { request, context -> Response in
            let body = try await request.decode(as: StreamKeyVerificationRequest.self, context: context)
            let delay = calls.withLockedValue { calls in
                calls.verify.append(body.streamKey)
                let delay = Task { [duration = calls.verifyDelay] in try await Task.sleep(for: duration) }
                calls.delays.append(delay)
                return delay
            }
            try await delay.value
            guard body.streamKey == knownKey else { return Response(status: .notFound) }
            return try context.responseEncoder.encode(owner, from: request, context: context)
        }
        internalRoutes.post("publish") { request, context -> PublishReply in
            let body = try await request.decode(as: PublishRequest.self, context: context)
            let fail = calls.withLockedValue { calls in
                calls.publish.append(body)
                if calls.failPublishes > 0 { calls.failPublishes -= 1; return true }
                return false
            }
            if fail { throw HTTPError(.internalServerError) }
            // Like QueueService: a publish that leads carries FORWARD_TARGETS.
            return PublishReply(decision: .lead, position: 0, forwardTargets: ["rtmp://127.0.0.1:1935/rec/x?relay_secret=r"])
        }
        internalRoutes.post("unpublish") { request, context -> Response in
            let body = try await request.decode(as: SessionCloseRequest.self, context: context)
            let fail = calls.withLockedValue { calls in
                calls.unpublish.append(body)
                if calls.failUnpublishes > 0 { calls.failUnpublishes -= 1; return true }
                return false
            }
            unpublished.signal()
            return Response(status: fail ? .internalServerError : .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"changed":true}"#)))
        }
        internalRoutes.post("stream-health") { request, context -> Response in
            let report = try await request.decode(as: StreamHealthReport.self, context: context)
            calls.withLockedValue { $0.healthReports.append((report, request.headers[.requestID])) }
            return try context.responseEncoder.encode(StreamHealthReply(known: 0), from: request, context: context)
        }
        internalRoutes.get("forward") { _, _ in
            calls.withLockedValue { $0.forwards += 1 }
            return ForwardReply(urls: ["rtmp://127.0.0.1:1935/rec/x?relay_secret=r"])
        }
        internalRoutes.get("sessions") { _, _ -> Response in
            let open = calls.withLockedValue { $0.openSessions }
            let sessions = open.map { #"{"client_id":"\#($0)","user_id":"\#(owner.userId)","opened_at":"2026-01-01T20:00:00.000Z"}"# }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"sessions":[\#(sessions.joined(separator: ","))]}"#)))
        }
        return router
    }
}

@Suite(.serialized) struct GatewayRoutesTests {
    /// Starts the fake peers and SRS API for one test, and always stops them.
    func withFakes(
        srsUsername: String? = nil, srsPassword: String? = nil, _ body: (MisbehavingPeers, FakeSRSAPI) async throws -> Void
    ) async throws {
        let peers = try await MisbehavingPeers.start()
        let srs: FakeSRSAPI
        do {
            srs = try await FakeSRSAPI.start(username: srsUsername, password: srsPassword)
        } catch {
            await peers.stop()
            throw error
        }
        do {
            try await body(peers, srs)
        } catch {
            await peers.stop()
            await srs.stop()
            throw error
        }
        await peers.stop()
        await srs.stop()
    }

    func app(
        peers: MisbehavingPeers, srs: FakeSRSAPI, srsUser: String? = nil, internalToken: String = TestSecrets.internalToken
    ) async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["INTERNAL_TOKEN"] = internalToken
        environment["ACCOUNT_SERVICE_URL"] = peers.server.baseURL
        environment["QUEUE_SERVICE_URL"] = peers.server.baseURL
        environment["SRS_API_URL"] = srs.server.baseURL
        environment["PEER_TIMEOUT_SECONDS"] = "2"
        if let srsUser {
            environment["SRS_API_USERNAME"] = srsUser
            environment["SRS_API_PASSWORD"] = "pw"
        }
        return try await buildApplication(try HookGatewayConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
    }

    let hooks = "/srs/hooks?secret=\(TestSecrets.hook)"
    let internalAuth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)", .contentType: "application/json"]

    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, headers: HTTPFields = [.contentType: "application/json"]) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, String(buffer: response.body))
        }
    }

    @Test func aWrongSecretChangesNothing() async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.router) { client in
                for uri in ["/srs/hooks", "/srs/hooks?secret=guess", "/srs/forward?secret="] {
                    let (status, body) = try await post(client, uri, try SRSFixture.body("on_publish.json", streamKey: peers.knownKey))
                    #expect(status == .forbidden)
                    #expect(body.hasPrefix(#"{"code":403"#))
                }
            }
            #expect(peers.calls.withLockedValue { $0.verify.isEmpty && $0.publish.isEmpty })
        }
    }

    @Test func aKnownKeyIsQueuedWithItsSRSClientAndAnUnknownOneRefused() async throws {
        try await withFakes { peers, srs in
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
    }

    /// The fake peers hold the gateway to the internal token as the real services do, so a
    /// gateway that sent none (or the wrong one) fails closed here rather than in production.
    @Test func thePeersAnswerOnlyToTheInternalToken() async throws {
        try await withFakes { peers, srs in
            let verify = "\(peers.server.baseURL)/internal/v1/stream-keys/verify"
            let body = #"{"stream_key":"\#(peers.knownKey)"}"#
            #expect(try await TestHTTP().post(verify, json: body).status == 401)
            #expect(try await TestHTTP().post(verify, json: body, headers: ["Authorization": "Bearer wrong-token-0123456789"]).status == 401)
            #expect(try await TestHTTP().post(verify, json: body, headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"]).status == 200)

            try await app(peers: peers, srs: srs, internalToken: "another-internal-token-0123456789").test(.router) { client in
                let (status, reply) = try await post(client, hooks, SRSFixture.body("on_publish.json", streamKey: peers.knownKey))
                #expect(status == .serviceUnavailable)
                #expect(reply.hasPrefix(#"{"code":503,"#))
            }
            // Only the request that carried the token got through.
            #expect(peers.calls.withLockedValue { $0.verify } == [peers.knownKey])
            #expect(peers.calls.withLockedValue { $0.publish.isEmpty })
        }
    }

    @Test func malformedBodiesAreRefusedWithAReason() async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.router) { client in
                let (missing, missingBody) = try await post(client, hooks, #"{"action":"on_publish","app":"live","stream":"x"}"#)
                #expect(missing == .badRequest)
                #expect(missingBody == #"{"code":400,"reason":"missing field client_id"}"#)
                #expect(try await post(client, hooks, "{").0 == .badRequest)
                #expect(try await post(client, hooks, #"{"action":"on_publish","client_id":"../../x","app":"live"}"#).0 == .badRequest)
            }
        }
    }

    @Test func aSlowAccountServiceRefusesThePublishInsteadOfHangingSRS() async throws {
        try await withFakes { peers, srs in
            peers.calls.withLockedValue { $0.verifyDelay = .seconds(30) }
            try await app(peers: peers, srs: srs).test(.router) { client in
                let started = ContinuousClock.now
                let (status, body) = try await post(client, hooks, SRSFixture.body("on_publish.json", streamKey: peers.knownKey))
                #expect(status == .serviceUnavailable)
                #expect(body.hasPrefix(#"{"code":503,"#))
                #expect(ContinuousClock.now - started < .seconds(15), "refused at PEER_TIMEOUT_SECONDS (2 s), long before the peer (30 s) or SRS (30 s) would give up")
            }
            #expect(peers.calls.withLockedValue { $0.publish.isEmpty })
        }
    }

    @Test func aCloseTheQueueMissedIsDeliveredLater() async throws {
        try await withFakes { peers, srs in
            peers.calls.withLockedValue { $0.failUnpublishes = 2 }
            let app = try await app(peers: peers, srs: srs)
            try await app.test(.live) { client in
                let reply = try await client.execute(
                    uri: hooks, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: try SRSFixture.text("on_unpublish.json"))
                )
                #expect(reply.status == .ok)
                #expect(String(buffer: reply.body) == #"{"code":0}"#)
                #expect(await peers.waitForUnpublishes(3))
            }
            #expect(peers.calls.withLockedValue { $0.unpublish.map(\.clientId) } == ["a45n3q74", "a45n3q74", "a45n3q74"])
        }
    }

    /// QueueService may still take a publish the gateway refused for want of an answer (it gave up
    /// at its deadline); the close the ingest will never send for it is owed, so no DJ is seated
    /// without an encoder.
    @Test func aPublishTheQueueDidNotAnswerIsClosedThere() async throws {
        try await withFakes { peers, srs in
            peers.calls.withLockedValue { $0.failPublishes = 1 }
            try await app(peers: peers, srs: srs).test(.live) { client in
                let (status, _) = try await post(client, hooks, SRSFixture.body("on_publish.json", streamKey: peers.knownKey))
                #expect(status == .serviceUnavailable)
                #expect(await peers.waitForUnpublishes(1))
            }
            let published = try #require(peers.calls.withLockedValue { $0.publish.first })
            #expect(peers.calls.withLockedValue { $0.unpublish.map(\.clientId) } == [published.clientId])
            #expect(peers.calls.withLockedValue { $0.unpublish.map(\.action) } == ["publish_unanswered"])
        }
    }

    /// The reconciliation runs at start: a session QueueService holds for a client SRS no longer
    /// has is closed as SRS's own close would be, and the one SRS still holds is kept.
    @Test func aSessionTheIngestNoLongerHasIsClosedAtStart() async throws {
        try await withFakes { peers, srs in
            peers.calls.withLockedValue { $0.openSessions = ["ghost1", "z26773g6"] }
            srs.connect("z26773g6")
            try await app(peers: peers, srs: srs).test(.router) { _ in
                #expect(await peers.waitForUnpublishes(1))
            }
            #expect(peers.calls.withLockedValue { $0.unpublish } == [SessionCloseRequest(clientId: "ghost1", action: "ingest_reconcile")])
            #expect(srs.listings.count == 2, "a missing client is confirmed by a second read")
            #expect(srs.kicks.isEmpty)
        }
    }

    @Test func forwardTargetsComeFromTheQueueAndRelaysAreNeverForwarded() async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.router) { client in
                let forward = "/srs/forward?secret=\(TestSecrets.hook)"
                let lead = try SRSFixture.text("on_forward.json"), copy = try SRSFixture.text("forwarded-copy.on_forward.json")
                #expect(try await post(client, forward, lead) == (.ok, #"{"code":0,"data":{"urls":["rtmp://127.0.0.1:1935/rec/x?relay_secret=r"]}}"#))
                #expect(try await post(client, forward, copy) == (.ok, #"{"code":0,"data":{"urls":[]}}"#))
            }
        }
    }

    /// SRS asks `on_forward` right after a publish it was allowed: for the publish the queue just
    /// made lead, the targets came with that answer and the queue is not asked again — until that
    /// session ends, when it is.
    @Test func theLeadsForwardIsAnsweredFromItsPublishReply() async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.router) { client in
                let hooks = "/srs/hooks?secret=\(TestSecrets.hook)"
                let forward = "/srs/forward?secret=\(TestSecrets.hook)"
                let targets = #"{"code":0,"data":{"urls":["rtmp://127.0.0.1:1935/rec/x?relay_secret=r"]}}"#
                func body(_ fixture: String, _ client: String) throws -> String { try SRSFixture.body(fixture, streamKey: peers.knownKey, clientId: client) }
                let (publish, leadForward) = (try body("on_publish.json", "lead1"), try body("on_forward.json", "lead1"))
                let (otherForward, unpublish) = (try body("on_forward.json", "other1"), try body("on_unpublish.json", "lead1"))
                #expect(try await post(client, hooks, publish).0 == .ok)
                #expect(try await post(client, forward, leadForward) == (.ok, targets))
                #expect(peers.calls.withLockedValue { $0.forwards } == 0, "answered from the publish's reply")

                #expect(try await post(client, forward, otherForward) == (.ok, targets))
                #expect(peers.calls.withLockedValue { $0.forwards } == 1, "another client's is asked of the queue")

                #expect(try await post(client, hooks, unpublish).0 == .ok)
                #expect(try await post(client, forward, leadForward) == (.ok, targets))
                #expect(peers.calls.withLockedValue { $0.forwards } == 2, "once its session ended, the queue is asked")
            }
        }
    }

    @Test func otherHooksAreAcknowledged() async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.router) { client in
                for name in ["on_play.json", "on_stop.json", "on_connect.json"] {
                    let body = try SRSFixture.text(name)
                    #expect(try await post(client, hooks, body) == (.ok, #"{"code":0}"#))
                }
            }
        }
    }

    @Test func kicksReachSRSAndAGoneClientCountsAsKicked() async throws {
        try await withFakes(srsUsername: "admin", srsPassword: "pw") { peers, srs in
            srs.connect("z26773g6")
            try await app(peers: peers, srs: srs, srsUser: "admin").test(.router) { client in
                try await client.execute(uri: "/internal/v1/kick", method: .post, headers: internalAuth, body: ByteBuffer(string: #"{"client_id":"z26773g6"}"#)) { response in
                    #expect(String(buffer: response.body) == #"{"outcome":"kicked"}"#)
                }
                try await client.execute(uri: "/internal/v1/kick", method: .post, headers: internalAuth, body: ByteBuffer(string: #"{"client_id":"z26773g6"}"#)) { response in
                    #expect(String(buffer: response.body) == #"{"outcome":"already_gone"}"#)
                }
                try await client.execute(uri: "/internal/v1/kick", method: .post, body: ByteBuffer(string: #"{"client_id":"z26773g6"}"#)) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            #expect(srs.kicks == ["z26773g6", "z26773g6"])
        }
    }

    /// SRS answers a kick of a client it does not know with HTTP 200 and code 2049 (the recorded
    /// fixture); the client is gone, which is what the kick wanted.
    @Test func aKickSRSAnswersWithCode2049IsAlreadyGone() async throws {
        try await withFakes { peers, srs in
            let raw = try await TestHTTP().send(.DELETE, "\(srs.server.baseURL)/api/v1/clients/n0tknown")
            #expect(raw.status == 200)
            #expect(try raw.json()["code"] as? Int == 2049)
            try await app(peers: peers, srs: srs).test(.router) { client in
                let (status, body) = try await post(client, "/internal/v1/kick", #"{"client_id":"n0tknown"}"#, headers: internalAuth)
                #expect(status == .ok)
                #expect(body == #"{"outcome":"already_gone"}"#)
            }
        }
    }

    /// Any other non-zero code in SRS's HTTP 200 is a refusal, reported to the caller as a failed kick.
    @Test func anyOtherNonZeroCodeFromSRSIsAFailedKick() async throws {
        try await withFakes { peers, srs in
            srs.connect("z26773g6")
            srs.failNextKicks(1, code: 400)
            try await app(peers: peers, srs: srs).test(.router) { client in
                let (status, body) = try await post(client, "/internal/v1/kick", #"{"client_id":"z26773g6"}"#, headers: internalAuth)
                #expect(status == .badGateway)
                #expect(body.contains("srs_kick_failed"))
                #expect(body.contains("code 400"))
                #expect(srs.isConnected("z26773g6"))
                #expect(try await post(client, "/internal/v1/kick", #"{"client_id":"z26773g6"}"#, headers: internalAuth) == (.ok, #"{"outcome":"kicked"}"#))
            }
            #expect(srs.kicks == ["z26773g6", "z26773g6"])
        }
    }

    @Test func wrongSRSCredentialsAreReportedNotSwallowed() async throws {
        try await withFakes(srsUsername: "admin", srsPassword: "other") { peers, srs in
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
}
