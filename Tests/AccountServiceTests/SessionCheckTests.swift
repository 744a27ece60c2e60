import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import AccountService

/// `POST /internal/v1/sessions/check`: what QueueService's and Notifier's admin routes ask, so a
/// session AccountService ended stops working there too (before issue #10 they trusted any
/// well-signed token for its 12 hours).
@Suite struct SessionCheckTests {
    static func check(_ client: some TestClientProtocol, _ token: String, auth: HTTPFields = AccountRoutesTests.internalAuth) async throws -> (status: HTTPResponse.Status, reply: SessionCheckReply?) {
        let body = ByteBuffer(bytes: try JSONCoding.encode(SessionCheckRequest(token: token)))
        return try await client.execute(uri: "/internal/v1/sessions/check", method: .post, headers: auth, body: body) { response in
            (response.status, try? JSONCoding.decoder.decode(SessionCheckReply.self, from: response.body))
        }
    }

    static func me(_ client: some TestClientProtocol, _ token: String) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/api/v1/users/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { $0.status }
    }

    static func userId(_ signup: [String: Any]) -> UUID? {
        ((signup["user"] as? [String: Any])?["id"] as? String).flatMap { UUID(uuidString: $0) }
    }

    @Test func aLiveSessionIsValidWithTheAccountsRoleAsItIsNow() async throws {
        let directory = try temporaryDirectory("sessions")
        try await TestApp.build(directory).test(.router) { client in
            let (_, body) = try await AccountRoutesTests.signup(client)
            let id = try #require(Self.userId(body))
            let token = try #require(try await AccountRoutesTests.login(client))
            #expect(try await Self.check(client, token) == (.ok, SessionCheckReply(valid: true, userId: id, role: .dj)))

            try await TestApp.makeAdmin(directory, email: "dj@example.org")
            #expect(try await Self.check(client, token).reply?.role == .admin, "the role now, not the one in the token")
            try await TestApp.withStore(directory) { try await $0.setRole(userId: id, role: .dj) }
            #expect(try await Self.check(client, token).reply == SessionCheckReply(valid: true, userId: id, role: .dj), "a demoted admin is a DJ at once")
        }
    }

    @Test func forgedExpiredAndMalformedTokensAreNotValid() async throws {
        try await TestApp.build(try temporaryDirectory("sessions")).test(.router) { client in
            let (_, body) = try await AccountRoutesTests.signup(client)
            let id = try #require(Self.userId(body))
            let now = Date()
            let expired = try await SessionTokens(secret: Secret(TestSecrets.jwt)).sign(SessionClaims(
                userId: id, role: .admin, issuedAt: now.addingTimeInterval(-7200), expiresAt: now.addingTimeInterval(-3600), epoch: 0
            ))
            let foreign = try await SessionTokens(secret: Secret("another-secret-0123456789-abcdefghijklmnopqrstuvwxyz")).sign(SessionClaims(
                userId: id, role: .admin, issuedAt: now, expiresAt: now.addingTimeInterval(3600), epoch: 0
            ))
            let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
            let payload = Data(#"{"sub":"\#(id.uuidString.lowercased())","role":"admin","iat":1,"exp":99999999999,"ver":0}"#.utf8).base64EncodedString()
            for token in [expired, foreign, "\(header).\(payload).", "not a token", "", String(repeating: "a.", count: 1000)] {
                #expect(try await Self.check(client, token) == (.ok, SessionCheckReply(valid: false)), "\(token.prefix(40))")
            }
            #expect(try await Self.check(client, expired, auth: [:]).status == .unauthorized, "only for services holding INTERNAL_TOKEN")
        }
    }

    /// Before: logging out only dropped the browser's cookie; the token itself went on working.
    @Test func logoutEndsThatSessionAndNoOther() async throws {
        try await TestApp.build(try temporaryDirectory("sessions")).test(.router) { client in
            let browser = Visitor(client: client)
            try await browser.signUp("dj@example.org", djName: "Night Owl")
            let browserToken = try #require(browser.jar["motherstream_session"])
            // Tokens carry their second of issue: a second later, the API's login is another session.
            try await Task.sleep(for: .milliseconds(1100))
            let apiToken = try #require(try await AccountRoutesTests.login(client, password: "a long password"))
            #expect(apiToken != browserToken)

            try await browser.post("/logout", [:])
            #expect(try await Self.check(client, browserToken).reply == SessionCheckReply(valid: false))
            #expect(try await Self.me(client, browserToken) == .unauthorized, "AccountService's own API refuses it too")
            #expect(try await Self.check(client, apiToken).reply?.valid == true, "the other session goes on")
            #expect(try await Self.me(client, apiToken) == .ok)
        }
    }

    @Test func aPasswordChangeDeactivationOrDeletionEndsTheAccountsSessions() async throws {
        let directory = try temporaryDirectory("sessions")
        try await TestApp.build(directory).test(.router) { client in
            let admin = Visitor(client: client)
            try await admin.signUp("admin@example.org", djName: "Host")
            try await TestApp.makeAdmin(directory, email: "admin@example.org")

            let changer = Visitor(client: client)
            try await changer.signUp("changer@example.org", djName: "Changer")
            let before = try #require(changer.jar["motherstream_session"])
            try await changer.post("/settings/password", ["current_password": "a long password", "new_password": "new password 1", "new_password_again": "new password 1"])
            #expect(try await Self.check(client, before).reply?.valid == false)
            #expect(try await Self.check(client, try #require(changer.jar["motherstream_session"])).reply?.valid == true)

            let dj = Visitor(client: client)
            try await dj.signUp("dj@example.org", djName: "Night Owl")
            let djToken = try #require(dj.jar["motherstream_session"])
            let id = try #require(try await Self.check(client, djToken).reply?.userId)
            try await admin.post("/admin/users/\(id.uuidString.lowercased())/active", ["active": "false"])
            #expect(try await Self.check(client, djToken).reply?.valid == false)
            try await admin.post("/admin/users/\(id.uuidString.lowercased())/active", ["active": "true"])
            #expect(try await Self.check(client, djToken).reply?.valid == false, "reactivation revives no old session")
            #expect(try await dj.get("/dashboard").status == .seeOther, "AccountService's own pages refuse it too")

            let leaver = Visitor(client: client)
            try await leaver.signUp("leaver@example.org", djName: "Leaver")
            let leaverToken = try #require(leaver.jar["motherstream_session"])
            try await leaver.post("/settings/delete", ["password": "a long password"])
            #expect(try await Self.check(client, leaverToken).reply?.valid == false)
        }
    }
}

/// Ended sessions and the session epoch, on both stores.
@Suite struct SessionEndingStoreTests {
    @Test(arguments: StoreBackend.allCases) func anEndedTokenIsRememberedUntilItExpiresAndThenSweptAway(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<6 { try await store.endSession(tokenDigest: "old-\(index)", expiresAt: now.addingTimeInterval(-10), now: now.addingTimeInterval(-3600)) }
            try await store.endSession(tokenDigest: "live", expiresAt: now.addingTimeInterval(3600), now: now)
            #expect(try await store.isSessionEnded(tokenDigest: "live"))
            #expect(try await !store.isSessionEnded(tokenDigest: "never-ended"))
            let left = try await (0..<6).asyncMap { try await store.isSessionEnded(tokenDigest: "old-\($0)") }.filter { $0 }.count
            #expect(left == 2, "each ending sweeps up to 4 expired tokens")
            try await store.endSession(tokenDigest: "live", expiresAt: now.addingTimeInterval(3600), now: now)
            #expect(try await store.isSessionEnded(tokenDigest: "live"), "ending it twice is fine")
        }
    }

    @Test(arguments: StoreBackend.allCases) func endingAnAccountsSessionsMovesItsEpochOn(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let vault = StreamKeyVault(secret: Secret(TestSecrets.jwt))
            let id = UUID()
            try await store.create(UserRecord(
                id: id, email: "dj@example.org", djName: "DJ", timezone: "UTC", role: .dj, isActive: true, createdAt: Date(),
                passwordHash: "x", streamKey: try vault.store(vault.generate(), for: id)
            ))
            try await store.endSessions(userId: id)
            #expect(try await store.user(id: id)?.sessionEpoch == 1)
            try await store.endSessions(userId: id)
            #expect(try await store.user(id: id)?.sessionEpoch == 2)
        }
    }
}
