import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport

/// The original system's users move over with their passwords and keys; admins manage accounts.
@Suite(.serialized) struct ImportAndAdminTests {
    /// Made by argon2-cffi `PasswordHasher().hash("original-dj-password")`, as the original stored it.
    static let originalHash = "$argon2id$v=19$m=65536,t=3,p=4$8ruEnskL6PZMe5rasK4H5g$/PQK3It5Hqhke+emeNqYzwWtJnqlSh0ku1h0LA3mmKs"

    /// A database in the original's schema (original-system.md §4.1) with two users.
    static func originalDatabase() async throws -> String {
        let url = try await TestPostgres.freshDatabaseURL()
        let components = URLComponents(string: url)!
        let logger = Logger(label: "original-db")
        let client = PostgresClient(
            configuration: .init(host: components.host!, port: components.port!, username: components.user ?? "postgres", password: nil, database: String(components.path.dropFirst()), tls: .disable),
            backgroundLogger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query("""
                CREATE TABLE users (
                    id SERIAL PRIMARY KEY, stream_key VARCHAR UNIQUE, email VARCHAR UNIQUE, timezone VARCHAR DEFAULT '',
                    profile_picture VARCHAR NULL, dj_name VARCHAR UNIQUE, password VARCHAR, is_active BOOLEAN DEFAULT TRUE,
                    is_superuser BOOLEAN DEFAULT FALSE, is_superduper_user BOOLEAN DEFAULT FALSE
                )
                """, logger: logger)
            try await client.query("""
                INSERT INTO users (stream_key, email, timezone, dj_name, password, is_active, is_superuser) VALUES
                ('AB12CD34EF', 'Old.DJ@example.org', 'America/Chicago', 'Old Timer', \(originalHash), TRUE, FALSE),
                ('ZZ98YY76XX', 'boss@example.org', '', 'The Boss', \(originalHash), TRUE, TRUE)
                """, logger: logger)
            group.cancelAll()
        }
        return url
    }

    @Test func anImportedDJLogsInWithTheOldPasswordAndPublishesWithTheOldKey() async throws {
        let original = try await Self.originalDatabase()
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0"])
        try await system.run { system in
            let first = try await runCommand("AccountService", ["import-original", "--database-url", original], environment: system.accounts.environment)
            #expect(first.status == 0, "\(first.output)")
            #expect(first.output.contains("2 accounts in the original: imported 2, skipped 0"), "\(first.output)")
            let again = try await runCommand("AccountService", ["import-original", "--database-url", original], environment: system.accounts.environment)
            #expect(again.output.contains("imported 0, skipped 2"), "idempotent: \(again.output)")

            let login = try await TestHTTP().postForm("\(system.accounts.baseURL)/api/v1/login/access-token", form: "username=old.dj%40example.org&password=original-dj-password")
            #expect(login.status == 200)
            let token = try #require(try login.json()["access_token"] as? String)
            let me = try await TestHTTP().get("\(system.accounts.baseURL)/api/v1/users/me", headers: ["Authorization": "Bearer \(token)"]).json()
            #expect(me["legacy_key"] as? Bool == true && me["role"] as? String == "dj" && me["timezone"] as? String == "America/Chicago")

            // Written by another process, the import reaches the gateway's copy of the key
            // directory when AccountService next reads its store: within the copy's 2 s poll.
            var attempt = 0
            var publish = try await system.publish(key: "AB12CD34EF", client: "oldtimer0")
            if publish.status != 200 {
                try await system.waitUntil("the gateway takes the imported key", timeout: .seconds(10)) {
                    attempt += 1
                    publish = try await system.publish(key: "AB12CD34EF", client: "oldtimer\(attempt)")
                    return publish.status == 200
                }
            }
            #expect(publish.status == 200 && publish.body == #"{"code":0}"#)
            #expect(try await system.queueJSON() == ["Old Timer"])

            let boss = try await TestHTTP().postForm("\(system.accounts.baseURL)/api/v1/login/access-token", form: "username=boss%40example.org&password=original-dj-password")
            let bossToken = try #require(try boss.json()["access_token"] as? String)
            let claims = try #require(await SessionTokens(secret: Secret(TestSecrets.jwt)).verify(bossToken))
            #expect(claims.role == .admin)
        }
    }

    @Test func anAdminFromTheCommandLineDeactivatesADJ() async throws {
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0"])
        try await system.run { system in
            let created = try await runCommand(
                "AccountService", ["admin", "create", "--email", "host@example.org", "--dj-name", "Host"], environment: system.accounts.environment,
                input: "host password 1"
            )
            #expect(created.status == 0 && created.output.contains("Admin host@example.org (Host) created"), "\(created.output)")
            let key = try await system.signUp("Wallflower")

            let admin = WebClient(base: system.accounts.baseURL)
            try await admin.logIn("host@example.org", "host password 1")
            let users = try await admin.get("/admin/users?q=wall")
            #expect(users.contains("Wallflower") && !users.contains("Host</td>"))
            let id = try #require(users.firstMatch(of: /action="\/admin\/users\/([0-9a-f-]{36})\/active"/)?.1)
            try await admin.post("/admin/users/\(id)/active", ["active": "false"])
            #expect(try await system.publish(key: key, client: "wall1").status == 403, "a deactivated DJ's publish is refused")
            #expect(try await admin.get("/admin/users?q=wall").contains("deactivated"))
            #expect(try await admin.get("/admin/status").contains("QueueService"))
        }
    }
}

/// A logged-in browser without the browser: cookies and CSRF tokens over real HTTP.
final class WebClient: @unchecked Sendable {
    let base: String
    private var cookies: [String: String] = [:]

    init(base: String) {
        self.base = base
    }

    /// The session token the login cookie holds (the same JWT the API hands out).
    var sessionToken: String? { cookies["motherstream_session"] }

    private var cookieHeader: [String: String] {
        ["Cookie": cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    private func remember(_ reply: TestHTTP.Reply) {
        for value in reply.headers["Set-Cookie"] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
        }
    }

    func get(_ path: String) async throws -> String {
        let reply = try await TestHTTP().get(base + path, headers: cookieHeader)
        remember(reply)
        return reply.body
    }

    @discardableResult
    func post(_ path: String, _ fields: [String: String]) async throws -> TestHTTP.Reply {
        var fields = fields
        fields["csrf"] = cookies["motherstream_csrf"] ?? ""
        let form = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let reply = try await TestHTTP().send(.POST, base + path, body: form, contentType: "application/x-www-form-urlencoded", headers: cookieHeader)
        remember(reply)
        return reply
    }

    func logIn(_ email: String, _ password: String) async throws {
        _ = try await get("/login")
        let reply = try await post("/login", ["email": email, "password": password, "next": "/dashboard"])
        guard reply.status == 303 else { throw ServiceProcessError("login failed: \(reply.status) \(reply.body.prefix(300))") }
    }
}
