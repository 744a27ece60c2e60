import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import AccountService

/// AccountService built as `make run` builds it, with test secrets, in its own data directory.
enum TestApp {
    static func build(_ directory: URL, _ extra: [String: String] = [:]) async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = directory.path
        environment["QUEUE_SERVICE_URL"] = "http://127.0.0.1:9"
        environment.merge(extra) { _, new in new }
        return try await buildApplication(try AccountServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
    }

    /// Changes an account behind the running app's back, as an operator's SQL would.
    static func withStore(_ directory: URL, _ body: (any UserStore) async throws -> Void) async throws {
        let store = try await SQLiteUserStore.open(path: directory.appendingPathComponent("accounts.sqlite").path, logger: .init(label: "test"))
        try await store.withRunningConnections { try await body(store) }
    }

    static func makeAdmin(_ directory: URL, email: String) async throws {
        try await withStore(directory) { store in
            let user = try #require(try await store.user(email: email))
            try await store.setRole(userId: user.id, role: .admin)
        }
    }
}

/// Every door that checks or sets a password is metered, API and forms alike. Before issue #10
/// only the login form and the reset-mail form were.
@Suite struct DoorLimitTests {
    static func apiLogin(_ client: some TestClientProtocol, _ email: String, _ password: String) async throws -> (status: HTTPResponse.Status, retryAfter: String?, code: String?) {
        try await client.execute(
            uri: "/api/v1/login/access-token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "username=\(email)&password=\(password)")
        ) { response in
            let body = try? JSONCoding.decode(APIError.Body.self, from: Data(buffer: response.body))
            return (response.status, response.headers[.retryAfter], body?.error.code)
        }
    }

    /// Before: 30 wrong passwords in a row all answered 401.
    @Test func theAPILoginIsLimitedPerAccountAndCountsWithTheForm() async throws {
        try await AttemptWindows.awayFromABoundary()
        try await TestApp.build(try temporaryDirectory("doors")).test(.router) { client in
            _ = try await AccountRoutesTests.signup(client)
            for _ in 0..<4 { #expect(try await Self.apiLogin(client, "dj@example.org", "wrong+horse").status == .unauthorized) }
            let browser = Visitor(client: client)
            try await browser.get("/login")
            for _ in 0..<4 {
                #expect(try await browser.post("/login", ["email": "DJ@example.org", "password": "wrong horse", "next": "/dashboard"]).status == .unauthorized)
            }
            let refused = try await Self.apiLogin(client, "dj@example.org", "correct+horse")
            #expect(refused.status == .tooManyRequests && refused.code == "too_many_attempts")
            #expect(Int(refused.retryAfter ?? "") ?? 0 > 0)
            #expect(try await Self.apiLogin(client, "other@example.org", "correct+horse").status == .unauthorized, "another account is not limited")
        }
    }

    @Test func theAPILoginIsLimitedPerAddress() async throws {
        try await AttemptWindows.awayFromABoundary()
        try await TestApp.build(try temporaryDirectory("doors")).test(.router) { client in
            for index in 0..<RateLimiter.Rule.loginPerIP.limit {
                let wrong = try await Self.apiLogin(client, "nobody\(index)@example.org", "a+password")
                #expect(wrong.status == .unauthorized)
            }
            let refused = try await Self.apiLogin(client, "nobody-else@example.org", "a+password")
            #expect(refused.status == .tooManyRequests)
        }
    }

    /// Before: every signup was hashed and answered, however many came.
    @Test func signupsAreLimitedPerEmailAndPerAddressByAPIAndForm() async throws {
        try await AttemptWindows.awayFromABoundary()
        try await TestApp.build(try temporaryDirectory("doors")).test(.router) { client in
            let statuses = try await (0..<6).asyncMap { _ in try await AccountRoutesTests.signup(client).status }
            #expect(statuses == [.created, .conflict, .conflict, .conflict, .conflict, .tooManyRequests])
            let (_, body) = try await AccountRoutesTests.signup(client)
            #expect((body["error"] as? [String: Any])?["code"] as? String == "too_many_attempts")

            for index in 0..<(RateLimiter.Rule.signupPerIP.limit - 7) {
                #expect(try await AccountRoutesTests.signup(client, email: "dj\(index)@example.org", djName: "DJ \(index)", password: "short").status == .unprocessableContent)
            }
            let browser = Visitor(client: client)
            try await browser.get("/signup")
            let form = try await browser.post("/signup", ["email": "late@example.org", "dj_name": "Late", "timezone": "UTC", "password": "long enough", "password_again": "long enough"])
            #expect(form.status == .tooManyRequests && form.body.contains("Too many attempts") && Int(form.retryAfter ?? "") ?? 0 > 0)
        }
    }

    /// Before: anyone holding a session could guess the current password without end.
    @Test func theSettingsThatAskForThePasswordAreLimitedTogether() async throws {
        try await AttemptWindows.awayFromABoundary()
        try await TestApp.build(try temporaryDirectory("doors")).test(.router) { client in
            let browser = Visitor(client: client)
            try await browser.signUp("dj@example.org", djName: "Night Owl")
            for _ in 0..<5 {
                let wrong = try await browser.post("/settings/password", ["current_password": "guess", "new_password": "new password 1", "new_password_again": "new password 1"])
                #expect(wrong.status == .unprocessableContent)
            }
            for _ in 0..<3 { #expect(try await browser.post("/settings/delete", ["password": "guess"]).status == .unprocessableContent) }
            let refused = try await browser.post("/settings/delete", ["password": "a long password"])
            #expect(refused.status == .tooManyRequests && refused.body.contains("Too many attempts") && Int(refused.retryAfter ?? "") ?? 0 > 0)
            #expect(try await browser.get("/dashboard").status == .ok, "the account is still there")
        }
    }

    @Test func newPasswordsByResetLinkAreLimitedPerAddress() async throws {
        try await AttemptWindows.awayFromABoundary()
        try await TestApp.build(try temporaryDirectory("doors")).test(.router) { client in
            let stranger = Visitor(client: client)
            try await stranger.get("/reset-password?token=guess")
            for index in 0..<RateLimiter.Rule.newPasswordPerIP.limit {
                let guess = try await stranger.post("/reset-password", ["token": "guess-\(index)", "password": "a brand new password", "password_again": "a brand new password"])
                #expect(guess.status == .unprocessableContent)
            }
            let refused = try await stranger.post("/reset-password", ["token": "guess", "password": "a brand new password", "password_again": "a brand new password"])
            #expect(refused.status == .tooManyRequests && refused.body.contains("Too many attempts") && refused.retryAfter != nil)
        }
    }
}

extension Sequence {
    /// `map` for an async transform, one element after the other.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
