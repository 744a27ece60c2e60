import Configuration
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import QueueService

@Suite struct QueueRoutesTests {
    func app() async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = try temporaryDirectory("queue-routes").path
        environment["STREAM_READER_TOKEN"] = StreamReaderRoutesTests.token
        let config = try QueueServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
        return try await buildApplication(config)
    }

    let auth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)"]

    func publishBody(client: String, name: String) -> ByteBuffer {
        ByteBuffer(string: #"{"client_id":"\#(client)","user_id":"\#(UUID().uuidString)","dj_name":"\#(name)","app":"live","stream":"KEY\#(client)"}"#)
    }

    @Test func internalRoutesRefuseCallersWithoutTheToken() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/internal/v1/publish", method: .post, body: publishBody(client: "c1", name: "A")) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: [.authorization: "Bearer wrong"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/queue-json", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"stream_queue":[]}"#)
            }
        }
    }

    @Test func publishAnswersTheDecisionAndThePublicViewsHideKeys() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: publishBody(client: "c1", name: "Alice")) { response in
                // A lead is given FORWARD_TARGETS (none here), for the on_forward SRS asks next.
                let reply = try? JSONCoding.decoder.decode(PublishReply.self, from: response.body)
                #expect(reply == PublishReply(decision: .lead, position: 0, forwardTargets: []))
            }
            try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: publishBody(client: "c2", name: "Bob")) { response in
                #expect(String(buffer: response.body) == #"{"decision":"queued","position":1}"#)
            }
            for uri in ["/queue-json", "/api/v1/queue"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let body = String(buffer: response.body)
                    #expect(body.contains("Alice") && body.contains("Bob"))
                    #expect(!body.contains("KEY"))
                    #expect(!body.contains("c1"))
                }
            }
            var streamReader = auth
            streamReader[StreamReaderGate.header] = StreamReaderRoutesTests.token
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: streamReader) { response in
                let state = try JSONCoding.decoder.decode(InternalQueueState.self, from: response.body)
                #expect(state.lead?.sessions.map(\.stream) == ["KEYc1"])
                #expect(state.waiting.map(\.djName) == ["Bob"])
            }
        }
    }

    @Test func malformedCommandsAreRefusedWithAReason() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: publishBody(client: "../x", name: "A")) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("client_id"))
            }
            try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: ByteBuffer(string: #"{"client_id":"c1"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/internal/v1/events?after=abc", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/internal/v1/events?after=0&wait=600", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/internal/v1/forward", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/queue-json", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"stream_queue":[]}"#)
            }
        }
    }

    @Test func operationalRoutesAnswer() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            }
        }
    }
}

/// Admin control and the timer/block routes, with real session tokens.
@Suite struct AdminRoutesTests {
    /// - Parameter accounts: where admin sessions are checked (a `FakeSessionCheck`).
    func app(accounts: String = "http://127.0.0.1:9") async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = try temporaryDirectory("admin-routes").path
        environment["LEAD_GRACE_SECONDS"] = "0"
        environment["ACCOUNT_SERVICE_URL"] = accounts
        let config = try QueueServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
        return try await buildApplication(config)
    }

    static func token(_ role: Role, user: UUID = UUID()) async throws -> String {
        try await SessionTokens(secret: Secret(TestSecrets.jwt)).sign(
            SessionClaims(userId: user, role: role, issuedAt: Date(), expiresAt: Date().addingTimeInterval(600))
        )
    }

    let internalAuth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)"]

    func publish(_ client: some TestClientProtocol, _ id: String, _ name: String, user: UUID = UUID()) async throws {
        try await client.execute(
            uri: "/internal/v1/publish", method: .post, headers: internalAuth,
            body: ByteBuffer(string: #"{"client_id":"\#(id)","user_id":"\#(user.uuidString)","dj_name":"\#(name)","app":"live","stream":"KEY\#(id)"}"#)
        ) { #expect($0.status == .ok) }
    }

    @Test func adminRoutesRefuseAnyoneButAnAdmin() async throws {
        let dj = try await Self.token(.dj)
        try await FakeSessionCheck.with { sessions in
            try await app(accounts: sessions.baseURL).test(.router) { client in
                try await publish(client, "a1", "Alpha")
                for (headers, status) in [
                    ([:] as HTTPFields, HTTPResponse.Status.unauthorized), ([.authorization: "Bearer forged.token.value"], .unauthorized),
                    ([.authorization: "Bearer \(dj)"], .forbidden),
                    // State changes take a bearer token only: the cookie is not even looked at.
                    ([.cookie: "motherstream_session=\(dj)"], .unauthorized),
                ] {
                    for uri in ["/api/v1/admin/queue/skip", "/update-timer/60", "/block-toggle", "/api/v1/admin/queue/clear"] {
                        try await client.execute(uri: uri, method: .post, headers: headers) { #expect($0.status == status, "\(uri)") }
                    }
                }
                try await client.execute(uri: "/queue-json", method: .get) { response in
                    #expect(String(buffer: response.body) == #"{"stream_queue":["Alpha"]}"#)
                }
            }
        }
    }

    @Test func anAdminRunsTheNightAndEveryActionIsAudited() async throws {
        let adminId = UUID()
        let admin = try await Self.token(.admin, user: adminId)
        let bravo = UUID()
        try await FakeSessionCheck.with { sessions in
            try await app(accounts: sessions.baseURL).test(.router) { client in
                try await publish(client, "a1", "Alpha")
                try await publish(client, "b1", "Bravo", user: bravo)
                try await publish(client, "c1", "Charlie")
                let bearer: HTTPFields = [.authorization: "Bearer \(admin)", .contentType: "application/json"]
                try await client.execute(uri: "/api/v1/admin/queue/move", method: .post, headers: bearer, body: ByteBuffer(string: #"{"user_id":"\#(bravo.uuidString)","position":2}"#)) { response in
                    let queue = try JSONCoding.decoder.decode(PublicQueue.self, from: response.body)
                    #expect(queue.waiting.map(\.djName) == ["Charlie", "Bravo"])
                }
                // The admin's session cookie alone changes nothing: any site's form would carry it.
                try await client.execute(uri: "/api/v1/admin/queue/skip", method: .post, headers: [.cookie: "motherstream_session=\(admin)"]) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/api/v1/admin/queue/skip", method: .post, headers: bearer) { response in
                    let queue = try JSONCoding.decoder.decode(PublicQueue.self, from: response.body)
                    #expect(queue.lead?.djName == "Charlie")
                }
                try await client.execute(uri: "/update-timer/120?reset_time=true", method: .post, headers: bearer) { response in
                    #expect(String(buffer: response.body) == #"{"reset_time":true,"status":"success","time":120}"#)
                }
                try await client.execute(uri: "/update-timer/0", method: .post, headers: bearer) { #expect($0.status == .badRequest) }
                try await client.execute(uri: "/time-settings", method: .get) { response in
                    let settings = try JSONCoding.decoder.decode(TimeSettings.self, from: response.body)
                    #expect(settings.swapInterval == 120)
                    #expect(settings.remainingTime > 115 && settings.remainingTime <= 120)
                }
                try await client.execute(uri: "/api/v1/turn/extend", method: .post, headers: bearer, body: ByteBuffer(string: #"{"seconds":60}"#)) { response in
                    let queue = try JSONCoding.decoder.decode(PublicQueue.self, from: response.body)
                    #expect((queue.lead?.remainingSeconds ?? 0) > 175)
                }
                try await client.execute(uri: "/block-toggle", method: .post, headers: bearer) { response in
                    #expect(String(buffer: response.body) == #"{"blocking":true,"status":"success"}"#)
                }
                try await client.execute(uri: "/block-toggle", method: .get) { response in
                    #expect(String(buffer: response.body) == #"{"is_blocked":true,"last_dj_name":null}"#)
                }
                try await client.execute(uri: "/api/v1/admin/queue/remove", method: .post, headers: bearer, body: ByteBuffer(string: #"{"user_id":"\#(UUID().uuidString)"}"#)) {
                    #expect($0.status == .notFound)
                }
                try await client.execute(uri: "/internal/v1/events?after=0&limit=100", method: .get, headers: internalAuth) { response in
                    let events = try JSONCoding.decoder.decode(EventPage.self, from: response.body).events
                    let audited = events.filter { $0.payload.actorId != nil }
                    #expect(audited.map(\.type) == [.djMoved, .turnEnded, .timerChanged, .turnExtended, .blockChanged])
                    #expect(audited.allSatisfy { $0.payload.actorId == adminId })
                }
            }
        }
    }

    @Test func theTimerReadsZeroWithNobodyOnAir() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/timer-data", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"remaining_time":0}"#)
            }
            try await client.execute(uri: "/time-settings", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"remaining_time":0,"swap_interval":3600}"#)
            }
        }
    }

    @Test func pagesAndOverlaysAreServed() async throws {
        try await app().test(.router) { client in
            for uri in ["/queue-list", "/overlays/queue", "/overlays/timer", "/overlays/now-playing"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    let html = String(buffer: response.body)
                    #expect(html.contains("EventSource") && html.contains("waiting for the queue"))
                }
            }
        }
    }

    /// SHA-256 of each page as it was served when it was still Swift string literals: the move to
    /// resource files (`Pages/Resources`) changed no byte. A deliberate change to a page changes its digest here:
    /// the last one, overlays that show nothing internal and fade their changes, /queue-list with
    /// its timer and fitting a phone (issue #13).
    @Test func pagesAreServedByteForByteAsBeforeTheyBecameResourceFiles() async throws {
        let digests = [
            "/queue-list": "a69652590ddb0df12586f5e9f313b95b21ca8e0079d056aa2ebc2f9f1a98f848",
            "/overlays/queue": "a0dc6b470e3bba2bcf56bfa75850cd7b65f0a0a2ceec46a0a69a33a2299d0bf2",
            "/overlays/timer": "c8d8623757ef3a76540772c7492960f817a88a54d342e8949f34d576fabb4a14",
            "/overlays/now-playing": "bedb165a02f98c657b797972208318c0b6ca2570d7ae210a52400c85aabb737c",
        ]
        try await app().test(.router) { client in
            for (uri, digest) in digests {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(SHA256.hash(data: Data(response.body.readableBytesView)).hexString == digest, "\(uri)")
                }
            }
        }
    }
}
