import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import AccountService

@Suite struct AccountRoutesTests {
    func app() async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = try temporaryDirectory("account-routes").path
        return try await buildApplication(try AccountServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
    }

    static let internalAuth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)"]

    static func signup(_ client: some TestClientProtocol, email: String = "dj@example.org", djName: String = "Night Owl", password: String = "correct horse") async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
        let body = #"{"email":"\#(email)","password":"\#(password)","dj_name":"\#(djName)","timezone":"Europe/Berlin"}"#
        return try await client.execute(uri: "/api/v1/users/signup", method: .post, body: ByteBuffer(string: body)) { response in
            (response.status, try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any])
        }
    }

    static func login(_ client: some TestClientProtocol, email: String = "dj@example.org", password: String = "correct horse") async throws -> String? {
        try await client.execute(
            uri: "/api/v1/login/access-token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "username=\(email)&password=\(password.replacingOccurrences(of: " ", with: "+"))")
        ) { response in
            guard response.status == .ok else { return nil }
            let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
            #expect(body["token_type"] as? String == "bearer")
            return body["access_token"] as? String
        }
    }

    @Test func signupReturnsTheUserAndKeyButNoSecrets() async throws {
        try await app().test(.router) { client in
            let (status, body) = try await Self.signup(client)
            #expect(status == .created)
            let user = try #require(body["user"] as? [String: Any])
            #expect(user["dj_name"] as? String == "Night Owl")
            #expect(user["role"] as? String == "dj")
            #expect(user["password"] == nil && user["password_hash"] == nil && user["stream_key"] == nil)
            let key = try #require(body["stream_key"] as? String)
            #expect(StreamKeyVault.isWellFormed(key) && key.count == 32)
        }
    }

    @Test func duplicatesAndBadInputGetClearErrors() async throws {
        try await app().test(.router) { client in
            _ = try await Self.signup(client)
            let (duplicateEmail, emailBody) = try await Self.signup(client, email: "DJ@example.ORG", djName: "Someone Else")
            #expect(duplicateEmail == .conflict)
            #expect((emailBody["error"] as? [String: Any])?["field"] as? String == "email")
            let (duplicateName, nameBody) = try await Self.signup(client, email: "other@example.org", djName: "night owl")
            #expect(duplicateName == .conflict)
            #expect((nameBody["error"] as? [String: Any])?["field"] as? String == "dj_name")
            let (weak, weakBody) = try await Self.signup(client, email: "third@example.org", djName: "Third", password: "short")
            #expect(weak == .unprocessableContent)
            #expect((weakBody["error"] as? [String: Any])?["field"] as? String == "password")
            try await client.execute(uri: "/api/v1/users/signup", method: .post, body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func loginGivesAJWTWithTheUserAndRole() async throws {
        try await app().test(.router) { client in
            let (_, body) = try await Self.signup(client)
            let token = try #require(try await Self.login(client))
            let claims = try #require(await SessionTokens(secret: Secret(TestSecrets.jwt)).verify(token))
            #expect(claims.sub.value == ((body["user"] as? [String: Any])?["id"] as? String)?.lowercased())
            #expect(claims.role == .dj)
            let lifetime = claims.exp.value.timeIntervalSince(claims.iat.value)
            #expect(abs(lifetime - 12 * 3600) < 2)
        }
    }

    @Test func wrongPasswordsAndUnknownEmailsLookTheSame() async throws {
        try await app().test(.router) { client in
            _ = try await Self.signup(client)
            for form in ["username=dj@example.org&password=wrong+horse", "username=nobody@example.org&password=correct+horse"] {
                try await client.execute(
                    uri: "/api/v1/login/access-token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
                ) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    #expect(String(buffer: response.body).contains("Incorrect email or password"))
                }
            }
        }
    }

    @Test func aDJSeesAndRotatesTheirOwnKey() async throws {
        try await app().test(.router) { client in
            let (_, body) = try await Self.signup(client)
            let original = try #require(body["stream_key"] as? String)
            let token = try #require(try await Self.login(client))
            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]

            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: bearer) { response in
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains(original))
            }
            try await client.execute(uri: "/api/v1/users/me/stream-key", method: .get, headers: bearer) { response in
                #expect(String(buffer: response.body) == #"{"stream_key":"\#(original)"}"#)
            }
            let rotated = try await client.execute(uri: "/api/v1/users/me/stream-key", method: .post, headers: bearer) { response in
                try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: String]
            }["stream_key"]
            #expect(rotated != nil && rotated != original)

            for (key, expected) in [(original, HTTPResponse.Status.notFound), (rotated!, .ok)] {
                try await client.execute(
                    uri: "/internal/v1/stream-keys/verify", method: .post, headers: Self.internalAuth,
                    body: ByteBuffer(string: #"{"stream_key":"\#(key)"}"#)
                ) { response in
                    #expect(response.status == expected)
                }
            }
        }
    }

    @Test func accountRoutesNeedAValidToken() async throws {
        try await app().test(.router) { client in
            for headers: HTTPFields in [[:], [.authorization: "Bearer not-a-jwt"], [.authorization: "Basic abc"]] {
                try await client.execute(uri: "/api/v1/users/me/stream-key", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }

    @Test func verifyNeedsTheInternalTokenAndNamesTheOwner() async throws {
        try await app().test(.router) { client in
            let (_, body) = try await Self.signup(client)
            let key = try #require(body["stream_key"] as? String)
            let verify = ByteBuffer(string: #"{"stream_key":"\#(key)"}"#)
            try await client.execute(uri: "/internal/v1/stream-keys/verify", method: .post, body: verify) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/internal/v1/stream-keys/verify", method: .post, headers: Self.internalAuth, body: verify) { response in
                #expect(response.status == .ok)
                let publisher = try JSONCoding.decoder.decode(VerifiedPublisher.self, from: response.body)
                #expect(publisher.djName == "Night Owl")
            }
            for bad in ["", "UNKNOWNKEY123", "with space", "a/b"] {
                try await client.execute(
                    uri: "/internal/v1/stream-keys/verify", method: .post, headers: Self.internalAuth, body: ByteBuffer(string: #"{"stream_key":"\#(bad)"}"#)
                ) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }
}
