import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import QueueService

/// A QueueService application on its own data directory, with `extra` laid over the test secrets.
func queueApp(_ label: String, _ extra: [String: String] = [:]) async throws -> some ApplicationProtocol {
    var environment = TestSecrets.environment
    environment["DATA_DIR"] = try temporaryDirectory(label).path
    environment.merge(extra) { _, new in new }
    return try await buildApplication(QueueServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
}

let internalAuth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)"]

func publishBody(client: String, name: String, user: UUID = UUID()) -> ByteBuffer {
    ByteBuffer(string: #"{"client_id":"\#(client)","user_id":"\#(user.uuidString)","dj_name":"\#(name)","app":"live","stream":"KEY\#(client)"}"#)
}

func publish(_ client: some TestClientProtocol, _ id: String, _ name: String, user: UUID = UUID()) async throws {
    try await client.execute(uri: "/internal/v1/publish", method: .post, headers: internalAuth, body: publishBody(client: id, name: name, user: user)) {
        #expect($0.status == .ok)
    }
}

/// Stream names (stream keys) go only to a caller holding the second secret as well.
@Suite struct StreamReaderRoutesTests {
    static let token = "test-stream-reader-token-0123456789"

    /// Before the fix the internal token alone read every waiting DJ's stream key here.
    @Test func theInternalTokenAloneReadsNoStreamName() async throws {
        try await queueApp("stream-reader", ["STREAM_READER_TOKEN": Self.token]).test(.router) { client in
            try await publish(client, "c1", "Alice")
            try await publish(client, "c2", "Bob")
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: internalAuth) { response in
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains("KEY"))
                let state = try JSONCoding.decoder.decode(InternalQueueState.self, from: response.body)
                #expect(state.lead?.djName == "Alice" && state.waiting.map(\.djName) == ["Bob"])
                // Still who is connected, by client id: only the keys are left out.
                #expect(state.lead?.sessions.map(\.clientId) == ["c1"] && state.waiting.first?.sessions.map(\.clientId) == ["c2"])
                #expect(state.lead?.sessions.map(\.stream) == [""])
            }
            var reader = internalAuth
            reader[StreamReaderGate.header] = Self.token
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: reader) { response in
                let state = try JSONCoding.decoder.decode(InternalQueueState.self, from: response.body)
                #expect(state.lead?.sessions.map(\.stream) == ["KEYc1"] && state.waiting.first?.sessions.map(\.stream) == ["KEYc2"])
            }
            reader[StreamReaderGate.header] = "guessed-stream-reader-token"
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: reader) { response in
                #expect(response.status == .forbidden)
                #expect(!String(buffer: response.body).contains("KEY"))
            }
            // The reader token is a second secret, not a replacement for the first.
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: [.authorization: "Bearer \(Self.token)", StreamReaderGate.header: Self.token]) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test func withoutAStreamReaderTokenNobodyReadsStreamNames() async throws {
        try await queueApp("stream-reader", ["STREAM_READER_TOKEN": ""]).test(.router) { client in
            try await publish(client, "c1", "Alice")
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: internalAuth) { response in
                #expect(response.status == .ok && !String(buffer: response.body).contains("KEY"))
            }
            var reader = internalAuth
            reader[StreamReaderGate.header] = Self.token
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: reader) { #expect($0.status == .forbidden) }
        }
    }

    @Test func theStreamReaderTokenMustBeItsOwnSecret() async throws {
        await #expect(throws: ConfigurationError.self) { _ = try await queueApp("stream-reader", ["STREAM_READER_TOKEN": TestSecrets.internalToken]) }
        await #expect(throws: ConfigurationError.self) { _ = try await queueApp("stream-reader", ["STREAM_READER_TOKEN": "short"]) }
    }
}

/// State-changing admin routes take a bearer token only, and check it before reading the body.
@Suite struct AdminBearerOnlyTests {
    static let posts = [
        "/api/v1/admin/queue/skip", "/api/v1/admin/queue/pause", "/api/v1/admin/queue/resume", "/api/v1/admin/queue/clear",
        "/api/v1/admin/queue/remove", "/api/v1/admin/queue/move", "/api/v1/turn/extend", "/update-timer/60", "/block-toggle",
    ]

    static func token(_ role: Role, user: UUID = UUID()) async throws -> String {
        try await SessionTokens(secret: Secret(TestSecrets.jwt)).sign(SessionClaims(userId: user, role: role, issuedAt: Date(), expiresAt: Date().addingTimeInterval(600)))
    }

    /// Before the fix the admin's cookie alone — sent by the browser with any other site's form —
    /// skipped the lead, cleared the queue, removed DJs.
    @Test func anAdminsSessionCookieAloneChangesNothing() async throws {
        let admin = try await Self.token(.admin)
        try await FakeSessionCheck.with { sessions in
            try await queueApp("admin-bearer", ["ACCOUNT_SERVICE_URL": sessions.baseURL, "LEAD_GRACE_SECONDS": "0"]).test(.router) { client in
                let bravo = UUID()
                try await publish(client, "a1", "Alpha")
                try await publish(client, "b1", "Bravo", user: bravo)
                let cookie: HTTPFields = [.cookie: "motherstream_session=\(admin)", .contentType: "application/json", .origin: "https://evil.example"]
                let bodies = [
                    "/api/v1/admin/queue/remove": #"{"user_id":"\#(bravo.uuidString)"}"#,
                    "/api/v1/admin/queue/move": #"{"user_id":"\#(bravo.uuidString)","position":1}"#, "/api/v1/turn/extend": #"{"seconds":60}"#,
                ]
                for uri in Self.posts {
                    try await client.execute(uri: uri, method: .post, headers: cookie, body: bodies[uri].map { ByteBuffer(string: $0) }) {
                        #expect($0.status == .unauthorized, "\(uri)")
                    }
                }
                try await client.execute(uri: "/api/v1/queue", method: .get) { response in
                    let queue = try JSONCoding.decoder.decode(PublicQueue.self, from: response.body)
                    #expect(queue.lead?.djName == "Alpha" && queue.waiting.map(\.djName) == ["Bravo"] && !queue.paused && !queue.blocking.enabled)
                    #expect(queue.swapInterval == 3600 && queue.lead.map { $0.endsAt.timeIntervalSince($0.startedAt) } == 3600)
                }
                #expect(sessions.checks == 0, "a cookie is not even sent to AccountService")
                // The same admin with the bearer token the web app forwards.
                try await client.execute(uri: "/api/v1/admin/queue/skip", method: .post, headers: [.authorization: "Bearer \(admin)"]) { response in
                    let queue = try JSONCoding.decoder.decode(PublicQueue.self, from: response.body)
                    #expect(queue.lead?.djName == "Bravo")
                }
            }
        }
    }

    /// Before the fix the body was decoded first: a stranger's malformed body was answered 400
    /// and an oversized one read, before anyone asked who was sending it.
    @Test func theAdminIsCheckedBeforeTheBodyIsRead() async throws {
        let dj = try await Self.token(.dj)
        try await FakeSessionCheck.with { sessions in
            try await queueApp("admin-bearer", ["ACCOUNT_SERVICE_URL": sessions.baseURL]).test(.router) { client in
                let garbage = ByteBuffer(string: "{not json")
                let huge = ByteBuffer(repeating: UInt8(ascii: "x"), count: 200 * 1024)
                for uri in ["/api/v1/admin/queue/remove", "/api/v1/admin/queue/move", "/api/v1/turn/extend"] {
                    for body in [garbage, huge] {
                        try await client.execute(uri: uri, method: .post, body: body) { #expect($0.status == .unauthorized, "\(uri)") }
                        try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer \(dj)"], body: body) {
                            #expect($0.status == .forbidden, "\(uri)")
                        }
                    }
                }
            }
        }
    }
}

/// Bodies are bounded per route, and no body or query value, however absurd, takes the service down.
@Suite struct HostileValueRoutesTests {
    @Test func oversizedBodiesAreAnswered413WithTheErrorBody() async throws {
        let admin = try await AdminBearerOnlyTests.token(.admin)
        try await FakeSessionCheck.with { sessions in
            try await queueApp("body-limits", ["ACCOUNT_SERVICE_URL": sessions.baseURL]).test(.router) { client in
                let padding = String(repeating: "x", count: BodyLimit.publish)
                let oversized: [(String, HTTPFields, String)] = [
                    ("/internal/v1/publish", internalAuth, #"{"client_id":"c1","user_id":"\#(UUID().uuidString)","dj_name":"\#(padding)","app":"live","stream":"KEY"}"#),
                    ("/internal/v1/unpublish", internalAuth, #"{"client_id":"c1","action":"\#(padding)"}"#),
                    ("/internal/v1/users/forget", internalAuth, #"{"user_id":"\#(UUID().uuidString)","padding":"\#(padding)"}"#),
                    ("/api/v1/admin/queue/remove", [.authorization: "Bearer \(admin)"], #"{"user_id":"\#(UUID().uuidString)","padding":"\#(padding)"}"#),
                    ("/api/v1/turn/extend", [.authorization: "Bearer \(admin)"], #"{"seconds":60,"padding":"\#(padding)"}"#),
                ]
                for (uri, headers, body) in oversized {
                    try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                        #expect(response.status == .contentTooLarge, "\(uri)")
                        let error = try JSONCoding.decoder.decode(APIError.Body.self, from: response.body).error
                        #expect(error.code == "body_too_large", "\(uri)")
                    }
                }
                // Just under the limit is fine.
                let name = String(repeating: "x", count: 1000)
                try await client.execute(uri: "/internal/v1/publish", method: .post, headers: internalAuth, body: publishBody(client: "c1", name: name)) {
                    #expect($0.status == .ok)
                }
                try await client.execute(uri: "/queue-json", method: .get) { #expect(String(buffer: $0.body) == #"{"stream_queue":["\#(name)"]}"#) }
            }
        }
    }

    @Test func absurdQueryValuesAreRefusedOrClampedNeverATrap() async throws {
        let admin = try await AdminBearerOnlyTests.token(.admin)
        try await FakeSessionCheck.with { sessions in
            try await queueApp("hostile-values", ["ACCOUNT_SERVICE_URL": sessions.baseURL]).test(.router) { client in
                try await publish(client, "a1", "Alpha")
                let absurd = [
                    "-1", "-0", "0", "18446744073709551615", "18446744073709551616", "9223372036854775807", "-9223372036854775808",
                    "99999999999999999999999999", "1e308", "-1e308", "nan", "inf", "-inf", "0x10", "1.5", "", "%00", "%FF%FE", "abc",
                ]
                for value in absurd {
                    for query in ["after=\(value)", "after=0&wait=\(value)", "after=0&limit=\(value)", "after=\(value)&wait=\(value)&limit=\(value)"] {
                        try await client.execute(uri: "/internal/v1/events?\(query)", method: .get, headers: internalAuth) { response in
                            #expect([.ok, .badRequest].contains(response.status), "events?\(query): \(response.status)")
                        }
                    }
                    try await client.execute(uri: "/internal/v1/forward?client_id=\(value)", method: .get, headers: internalAuth) { response in
                        #expect([.ok, .badRequest].contains(response.status), "forward \(value)")
                    }
                    try await client.execute(uri: "/update-timer/\(value)?reset_time=\(value)", method: .post, headers: [.authorization: "Bearer \(admin)"]) { response in
                        #expect([.ok, .badRequest, .notFound].contains(response.status), "update-timer \(value): \(response.status)")
                    }
                }
                try await client.execute(uri: "/queue-json", method: .get) { #expect(String(buffer: $0.body) == #"{"stream_queue":["Alpha"]}"#) }
                try await client.execute(uri: "/time-settings", method: .get) { #expect(String(buffer: $0.body).contains(#""swap_interval":3600"#)) }
            }
        }
    }

    /// Every label of every series QueueService exports comes from a fixed set: none of the
    /// strings a stranger sends (paths, query values, SRS actions, methods' targets) becomes one.
    @Test func metricLabelsComeFromFixedSetsOnly() async throws {
        var random = SystemRandomNumberGenerator()
        let marker = "zq\(UInt32.random(in: 0...UInt32.max, using: &random))"
        try await queueApp("metric-labels").test(.router) { client in
            for index in 0..<200 {
                let tag = "\(marker)x\(index)"
                let uri = switch index % 5 {
                case 0: "/\(tag)"
                case 1: "/internal/v1/\(tag)?after=\(tag)"
                case 2: "/api/v1/\(tag)/\(tag)"
                case 3: "/internal/v1/events?after=\(tag)&wait=\(tag)"
                default: "/update-timer/\(tag)"
                }
                let method: HTTPRequest.Method = [.get, .post, .put, .delete, .patch][index % 5]
                try await client.execute(uri: uri, method: method, headers: index % 2 == 0 ? internalAuth : [:]) { _ in }
                try await client.execute(
                    uri: "/internal/v1/unpublish", method: .post, headers: internalAuth,
                    body: ByteBuffer(string: #"{"client_id":"c\#(index)","action":"\#(tag)"}"#)
                ) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(!String(buffer: response.body).contains(marker))
            }
        }
    }
}

/// HookGateway's reconciliation reads the open sessions; an account that goes leaves with them.
@Suite struct SessionRoutesTests {
    @Test func theOpenSessionsAreListedForTheInternalTokenOnly() async throws {
        let alpha = UUID()
        try await queueApp("sessions", ["LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"]).test(.router) { client in
            try await client.execute(uri: "/internal/v1/sessions", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/internal/v1/sessions", method: .get, headers: internalAuth) { response in
                #expect(String(buffer: response.body) == #"{"sessions":[]}"#)
            }
            try await publish(client, "a1", "Alpha", user: alpha)
            try await publish(client, "a2", "Alpha", user: alpha)
            try await publish(client, "b1", "Bravo")
            try await client.execute(uri: "/internal/v1/sessions", method: .get, headers: internalAuth) { response in
                let body = String(buffer: response.body)
                #expect(body.hasPrefix(#"{"sessions":[{"client_id":"a1","opened_at":""#))
                #expect(body.contains(#""user_id":"\#(alpha.uuidString)""#))
                #expect(!body.contains("KEY"))
                let reply = try JSONCoding.decoder.decode(OpenSessionsReply.self, from: response.body)
                #expect(reply.sessions.map(\.clientId) == ["a1", "a2", "b1"])
                #expect(reply.sessions.prefix(2).allSatisfy { $0.userId == alpha })
            }
            // A close for a missing session, through the route the gateway already uses.
            try await client.execute(
                uri: "/internal/v1/unpublish", method: .post, headers: internalAuth, body: ByteBuffer(string: #"{"client_id":"b1","action":"reconcile"}"#)
            ) { #expect(String(buffer: $0.body) == #"{"changed":true}"#) }
            try await client.execute(uri: "/internal/v1/sessions", method: .get, headers: internalAuth) { response in
                let reply = try JSONCoding.decoder.decode(OpenSessionsReply.self, from: response.body)
                #expect(reply.sessions.map(\.clientId) == ["a1", "a2"])
            }
        }
    }

    @Test func aForgottenAccountLeavesTheQueueWithItsSessions() async throws {
        let alpha = UUID()
        let bravo = UUID()
        try await queueApp("forget", ["HOOK_GATEWAY_URL": "http://127.0.0.1:9"]).test(.router) { client in
            try await publish(client, "a1", "Alpha", user: alpha)
            try await publish(client, "b1", "Bravo", user: bravo)
            try await publish(client, "c1", "Charlie")
            for user in [bravo, alpha] {
                try await client.execute(
                    uri: "/internal/v1/users/forget", method: .post, headers: internalAuth, body: ByteBuffer(string: #"{"user_id":"\#(user.uuidString)"}"#)
                ) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/queue-json", method: .get) { #expect(String(buffer: $0.body) == #"{"stream_queue":["Charlie"]}"#) }
            try await client.execute(uri: "/internal/v1/sessions", method: .get, headers: internalAuth) { response in
                let reply = try JSONCoding.decoder.decode(OpenSessionsReply.self, from: response.body)
                #expect(reply.sessions.map(\.clientId) == ["c1"])
            }
        }
    }
}
