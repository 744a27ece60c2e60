import Foundation
import Shared
import Testing
import TestSupport

/// HookGateway answers a publish from its copy of AccountService's publisher directory (issue
/// #15): real processes, the gateway's own counters to tell a hop from none, and the guarantees
/// the copy must keep — a revoked key is refused by the time its revocation is answered, and a
/// copy AccountService no longer confirms answers nothing (the publish fails closed).
@Suite(.serialized) struct KeyDirectorySystemTests {
    @Test func publishesAreAnsweredFromTheCopyAndARevokedKeyIsRefusedOnceItsRevocationIsAnswered() async throws {
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0"])
        try await system.run { system in
            let admin = try await TrustAccountSystemTests.createAdmin(system)
            let first = try await system.signUp("Alpha")
            var key = first
            let bravo = try await system.signUp("Bravo")
            try await system.waitUntil("the gateway holds the directory", timeout: .seconds(15)) {
                try await Self.metric("gateway_key_directory_publishers", of: system.gateway) == 3
            }
            let before = try await Self.lookups(system)
            #expect(try await system.publish(key: key, client: "alpha1").status == 200)
            #expect(try await system.publish(key: "nobodyskey1", client: "stranger1").status == 403)
            #expect(try await system.publish(key: bravo, client: "bravo1").status == 200)
            let after = try await Self.lookups(system)
            #expect(after.directory - before.directory == 3, "three publishes answered from the copy")
            #expect(after.accountService == before.accountService, "none asked AccountService")

            // A rotation, answered, and the old key is refused at once — again and again, so a
            // copy that lagged the write even once would be caught.
            let token = try #require(try await TestHTTP().postForm(
                "\(system.accounts.baseURL)/api/v1/login/access-token", form: "username=alpha%40example.org&password=correct+horse+battery"
            ).json()["access_token"] as? String)
            for round in 1...20 {
                let rotated = try await TestHTTP().post("\(system.accounts.baseURL)/api/v1/users/me/stream-key", json: "{}", headers: ["Authorization": "Bearer \(token)"])
                #expect(rotated.status == 200)
                let old = key
                key = try #require(try rotated.json()["stream_key"] as? String)
                #expect(try await Self.refusedAsUnknown(system.publish(key: old, client: "old\(round)")), "round \(round): the rotated-away key is refused")
            }
            #expect(try await system.hook("on_unpublish.json", key: first, client: "alpha1").status == 200)
            #expect(try await system.hook("on_close.json", client: "alpha1").status == 200)
            #expect(try await system.publish(key: key, client: "alpha2").status == 200, "the newest key is taken")

            let users = try await admin.get("/admin/users?q=bravo")
            let id = try #require(users.firstMatch(of: /action="\/admin\/users\/([0-9a-f-]{36})\/active"/)?.1)
            #expect(try await admin.post("/admin/users/\(id)/active", ["active": "false"]).status == 303)
            #expect(try await Self.refusedAsUnknown(system.publish(key: bravo, client: "bravo2")), "a deactivated DJ's key is refused once the deactivation is answered")
            #expect(try await Self.lookups(system).accountService == before.accountService, "and still nothing asked AccountService")
        }
    }

    /// AccountService frozen (SIGSTOP): the copy stops being confirmed and, within seconds, is not
    /// used — a publish is asked of AccountService, which does not answer, so it is refused with
    /// 503 like any publish whose peer is missing. Thawed, the copy is followed again.
    @Test func aCopyAccountServiceNoLongerConfirmsIsNotUsed() async throws {
        let system = try await RunningSystem.start(extra: ["PEER_TIMEOUT_SECONDS": "0.5"])
        try await system.run { system in
            let key = try await system.signUp("Alpha")
            try await system.waitUntil("the gateway holds the directory", timeout: .seconds(15)) {
                try await Self.metric("gateway_key_directory_publishers", of: system.gateway) == 1
            }
            let pid = try #require(system.accounts.pid)
            kill(pid, SIGSTOP)
            var thawed = false
            defer { if !thawed { kill(pid, SIGCONT) } }
            try await system.waitUntil("a publish fails closed", timeout: .seconds(20)) {
                try await system.publish(key: key, client: "frozen\(UUID().uuidString.prefix(8))").status == 503
            }
            kill(pid, SIGCONT)
            thawed = true
            try await system.waitUntil("the copy is followed again", timeout: .seconds(20)) {
                try await system.publish(key: "nobodyskey1", client: "strangerx").status == 403
            }
            try await system.waitUntil("a publish is answered from the copy again", timeout: .seconds(20)) {
                let settled = try await Self.lookups(system)
                #expect(try await system.publish(key: "nobodyskey2", client: "strangery").status == 403)
                return try await Self.lookups(system).directory == settled.directory + 1
            }
        }
    }

    /// A rotation on the AccountService replica the gateway does not follow reaches the copy when
    /// the followed replica's poll ends and it reads PostgreSQL again: within seconds.
    @Test func aKeyRotatedOnAnotherReplicaIsRefusedWithinSeconds() async throws {
        let system = try await RunningSystem.start(databaseURL: try await TestPostgres.freshDatabaseURL(), accountReplicas: 1)
        try await system.run { system in
            let key = try await system.signUp("Alpha")
            try await system.waitUntil("the gateway holds the directory", timeout: .seconds(15)) {
                try await Self.metric("gateway_key_directory_publishers", of: system.gateway) == 1
            }
            let other = system.accountReplicas[0]
            let token = try #require(try await TestHTTP().postForm(
                "\(other.baseURL)/api/v1/login/access-token", form: "username=alpha%40example.org&password=correct+horse+battery"
            ).json()["access_token"] as? String)
            let rotated = try await TestHTTP().post("\(other.baseURL)/api/v1/users/me/stream-key", json: "{}", headers: ["Authorization": "Bearer \(token)"])
            #expect(rotated.status == 200)
            let started = ContinuousClock.now
            var round = 0
            try await system.waitUntil("the rotated-away key is refused", timeout: .seconds(10)) {
                round += 1
                return try await Self.refusedAsUnknown(system.publish(key: key, client: "late\(round)"))
            }
            let took = ContinuousClock.now - started
            try Artifacts.write("key-directory-cross-replica.txt", "a key rotated on the replica the gateway does not follow was refused by the gateway \(took) after the rotation was answered (the gateway's poll waits 2 s)\n")
            #expect(took < .seconds(5), "within the followed replica's poll (2 s) and a little")
        }
    }

    /// A rolling restart of AccountService must not wait out the gateways' long polls: a SIGTERM
    /// answers an open poll at once (unchanged, 304) and the process exits, long before the
    /// poll's 10 s wait would have ended.
    @Test func aSigtermAnswersAnOpenDirectoryPollAtOnce() async throws {
        let system = try await RunningSystem.start()
        try await system.run { system in
            let auth = ["Authorization": "Bearer \(TestSecrets.internalToken)"]
            let directory = "\(system.accounts.baseURL)/internal/v1/stream-keys/directory"
            let current = try await TestHTTP().get("\(directory)?wait=0", headers: auth)
            let version = try #require(try current.json()["version"] as? String)
            let poll = Task {
                try await TestHTTP().send(.GET, "\(directory)?after=\(version)&wait=10&watcher=test", headers: auth, timeout: .seconds(30))
            }
            // Open: the gateway's own poll, this one, and the scrape asking.
            try await system.waitUntil("the poll is waiting", timeout: .seconds(10)) {
                try await Self.metric(#"http_server_active_requests{http_request_method="GET"}"#, of: system.accounts) ?? 0 >= 3
            }
            let started = ContinuousClock.now
            #expect(await system.accounts.stop(), "AccountService stopped gracefully")
            let answered = try await poll.value
            let took = ContinuousClock.now - started
            #expect(answered.status == 304, "the poll was answered, unchanged: \(answered.status)")
            #expect(took < .seconds(8), "and before its 10 s wait was out: \(took)")
        }
    }

    /// Refused for its key — not by the queue, which also answers 403 (e.g. a DJ already publishing).
    static func refusedAsUnknown(_ reply: TestHTTP.Reply) -> Bool {
        reply.status == 403 && reply.body.contains("unknown stream key")
    }

    static func lookups(_ system: RunningSystem) async throws -> (directory: Double, accountService: Double) {
        (
            try await metric(#"gateway_key_lookups_total{answered_by="directory"}"#, of: system.gateway) ?? 0,
            try await metric(#"gateway_key_lookups_total{answered_by="account_service"}"#, of: system.gateway) ?? 0
        )
    }

    /// One sample of the process's `/metrics`, by its exact name and labels.
    static func metric(_ series: String, of process: ServiceProcess) async throws -> Double? {
        let text = try await TestHTTP().get("\(process.baseURL)/metrics").body
        return text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}
