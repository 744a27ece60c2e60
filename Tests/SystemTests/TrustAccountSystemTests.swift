import Foundation
import Shared
import Testing
import TestSupport

/// AccountService under a stranger's hand, with real processes (issue #10): query values that
/// used to kill it, deactivation that used to leave a DJ on air, limits that must hold across
/// replicas, and the stream-key check while signups flood the hasher.
@Suite(.serialized) struct TrustAccountSystemTests {
    static func createAdmin(_ system: RunningSystem, _ email: String = "host@example.org") async throws -> WebClient {
        let created = try await runCommand(
            "AccountService", ["admin", "create", "--email", email, "--dj-name", "Host"], environment: system.accounts.environment, input: "host password 1"
        )
        #expect(created.status == 0, "\(created.output)")
        let admin = WebClient(base: system.accounts.baseURL)
        try await admin.logIn(email, "host password 1")
        return admin
    }

    /// Before: `page=9223372036854775807` trapped on `(page - 1) * 25` (SIGILL) and the process died.
    @Test func anAbsurdPageNumberDoesNotKillAccountService() async throws {
        let system = try await RunningSystem.start()
        try await system.run { system in
            let admin = try await Self.createAdmin(system)
            for page in ["9223372036854775807", "368934881474191034", "-9223372036854775808", "99999999999999999999"] {
                let reply = try await TestHTTP().get("\(system.accounts.baseURL)/admin/users?page=\(page)", headers: ["Cookie": "motherstream_session=\(admin.sessionToken ?? "")"])
                #expect(reply.status == 200, "page=\(page)")
            }
            #expect(try await TestHTTP().get("\(system.accounts.baseURL)/health").status == 200, "still alive")
        }
    }

    /// Before: the account was marked inactive, but the DJ stayed on air (or in line) with their
    /// encoder connected, and their sessions went on working.
    @Test func aDeactivatedDJLeavesTheQueueTheirEncoderIsKickedAndTheirSessionEnds() async throws {
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0"])
        try await system.run { system in
            let admin = try await Self.createAdmin(system)
            let keys = ["Alpha": try await system.signUp("Alpha"), "Bravo": try await system.signUp("Bravo"), "Charlie": try await system.signUp("Charlie")]
            for name in ["Alpha", "Bravo", "Charlie"] {
                #expect(try await system.publish(key: keys[name]!, client: "\(name.lowercased())1").status == 200)
            }
            #expect(try await system.queueJSON() == ["Alpha", "Bravo", "Charlie"])
            let alpha = try #require(try await TestHTTP().postForm(
                "\(system.accounts.baseURL)/api/v1/login/access-token", form: "username=alpha%40example.org&password=correct+horse+battery"
            ).json()["access_token"] as? String)

            func deactivate(_ name: String) async throws {
                let users = try await admin.get("/admin/users?q=\(name.lowercased())")
                let id = try #require(users.firstMatch(of: /action="\/admin\/users\/([0-9a-f-]{36})\/active"/)?.1)
                #expect(try await admin.post("/admin/users/\(id)/active", ["active": "false"]).status == 303)
            }
            try await deactivate("Alpha")
            #expect(try await system.queueJSON() == ["Bravo", "Charlie"], "the lead is gone and the next DJ is on air")
            try await deactivate("Charlie")
            #expect(try await system.queueJSON() == ["Bravo"], "a waiting DJ leaves the line too")
            try await system.waitUntil("both encoders are kicked") { Set(system.srs.kicks).isSuperset(of: ["alpha1", "charlie1"]) }
            #expect(!system.srs.kicks.contains("bravo1"))

            let check = try await TestHTTP().post(
                "\(system.accounts.baseURL)/internal/v1/sessions/check", json: #"{"token":"\#(alpha)"}"#, headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"]
            )
            #expect(try check.json()["valid"] as? Bool == false)
            #expect(try await system.publish(key: keys["Alpha"]!, client: "alpha2").status == 403)
        }
    }

    /// Two AccountService replicas on one PostgreSQL count one login limit and end one session.
    /// Before: the API login had no limit at all, and each replica would have counted alone.
    @Test func twoReplicasShareTheLoginLimitAndTheEndedSessions() async throws {
        try await AttemptWindows.awayFromABoundary()
        let system = try await RunningSystem.start(databaseURL: try await TestPostgres.freshDatabaseURL())
        let replicaLogs = system.directory.appendingPathComponent("replica")
        try FileManager.default.createDirectory(at: replicaLogs, withIntermediateDirectories: true)
        let replica = ServiceProcess("AccountService", port: try freePort(), environment: system.accounts.environment, logDirectory: replicaLogs)
        try await system.run { system in
            try await replica.start()
            _ = try await system.signUp("Alpha")
            let http = TestHTTP()
            func logIn(_ base: String, _ password: String) async throws -> TestHTTP.Reply {
                try await http.postForm("\(base)/api/v1/login/access-token", form: "username=alpha%40example.org&password=\(password)")
            }
            for attempt in 0..<8 {
                let base = attempt.isMultiple(of: 2) ? system.accounts.baseURL : replica.baseURL
                #expect(try await logIn(base, "wrong+guess").status == 401)
            }
            for base in [system.accounts.baseURL, replica.baseURL] {
                let refused = try await logIn(base, "correct+horse+battery")
                #expect(refused.status == 429 && Int(refused.headers.first(name: "Retry-After") ?? "") ?? 0 > 0, "\(base): \(refused.status)")
            }

            _ = try await system.signUp("Bravo")
            let browser = WebClient(base: replica.baseURL)
            try await browser.logIn("bravo@example.org", "correct horse battery")
            let token = try #require(browser.sessionToken)
            #expect(try await http.get("\(system.accounts.baseURL)/api/v1/users/me", headers: ["Authorization": "Bearer \(token)"]).status == 200)
            #expect(try await browser.post("/logout", [:]).status == 303)
            #expect(try await http.get("\(system.accounts.baseURL)/api/v1/users/me", headers: ["Authorization": "Bearer \(token)"]).status == 401, "ended on the other replica too")
        }
        await replica.stop()
    }

    /// Before: Argon2 shared NIO's blocking pool with SQLite, and during a signup flood a valid
    /// DJ's publish took 1.35–1.97 s (the gateway gives up at 2 s). Now hashing has its own pool
    /// (here one thread, one waiting, ~0.5 s a hash) and the excess is refused at once.
    @Test func aValidPublishStaysFastWhileSignupsFloodTheHasher() async throws {
        let slow = ["ARGON2_MEMORY_KIB": "65536", "ARGON2_ITERATIONS": "8", "ARGON2_PARALLELISM": "1", "ARGON2_THREADS": "1", "ARGON2_WAITING": "1"]
        let system = try await RunningSystem.start(extra: slow.merging(["LEAD_GRACE_SECONDS": "0"]) { _, new in new })
        try await system.run { system in
            let key = try await system.signUp("Steady")
            let http = TestHTTP()
            let flood = Task {
                try await withThrowingTaskGroup(of: (Int, String?, Duration).self) { group in
                    for index in 0..<16 {
                        group.addTask {
                            try await Task.sleep(for: .milliseconds(150 * (index / 8)))
                            let sent = ContinuousClock.now
                            let reply = try await http.post(
                                "\(system.accounts.baseURL)/api/v1/users/signup",
                                json: #"{"email":"flood\#(index)@example.org","password":"correct horse","dj_name":"Flood \#(index)","timezone":"UTC"}"#
                            )
                            return (reply.status, reply.headers.first(name: "Retry-After"), ContinuousClock.now - sent)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            var latencies: [Duration] = []
            for round in 0..<6 {
                let sent = ContinuousClock.now
                let reply = try await system.publish(key: key, client: "steady\(round)")
                latencies.append(ContinuousClock.now - sent)
                #expect(reply.status == 200 && reply.body == #"{"code":0}"#)
                _ = try await system.hook("on_unpublish.json", key: key, client: "steady\(round)")
                _ = try await system.hook("on_close.json", client: "steady\(round)")
            }
            let replies = try await flood.value
            let refused = replies.filter { $0.0 == 503 }
            #expect(refused.count >= 8, "\(replies.map(\.0))")
            #expect(refused.allSatisfy { Int($0.1 ?? "") ?? 0 >= 1 && $0.2 < .milliseconds(1500) }, "refused at once, with Retry-After")
            latencies.sort()
            // Well inside the gateway's 2 s fail-closed timeout (before: 1.35–1.97 s, and some refused).
            #expect(latencies.last! < .milliseconds(1500), "publish latencies during the flood: \(latencies)")
            try Artifacts.write("publish-during-signup-flood.txt", "publish latencies through the gateway during a signup flood: \(latencies)\nsignups: \(replies.map(\.0))\n")
        }
    }
}
