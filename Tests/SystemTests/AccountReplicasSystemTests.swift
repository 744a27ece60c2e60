import Foundation
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport

/// Two AccountService processes on one PostgreSQL, behind the real gateway and queue, as a
/// Deployment with two replicas runs them: either one answers for the other, and one dying
/// under load refuses no valid publish.
@Suite(.serialized) struct AccountReplicasSystemTests {
    @Test func eitherReplicaAnswersForTheOther() async throws {
        try await AttemptWindows.awayFromABoundary()
        let system = try await RunningSystem.start(databaseURL: try await TestPostgres.freshDatabaseURL(), accountReplicas: 1)
        try await system.run { system in
            let (a, b) = (system.accounts, system.accountReplicas[0])
            let http = TestHTTP()

            // Signed up on A; logged in and its key verified on B.
            let key = try await system.signUp("Alpha")
            let login = try await http.postForm("\(b.baseURL)/api/v1/login/access-token", form: "username=alpha%40example.org&password=correct+horse+battery")
            #expect(login.status == 200, "login on B: \(login.status) \(login.body)")
            let verified = try await http.post(
                "\(b.baseURL)/internal/v1/stream-keys/verify", json: #"{"stream_key":"\#(key)"}"#,
                headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"]
            )
            #expect(verified.status == 200 && verified.body.contains("Alpha"), "verify on B: \(verified.status) \(verified.body)")

            // The login limit counts attempts made on both.
            _ = try await system.signUp("Bravo")
            for attempt in 0..<8 {
                let base = attempt.isMultiple(of: 2) ? a.baseURL : b.baseURL
                #expect(try await http.postForm("\(base)/api/v1/login/access-token", form: "username=bravo%40example.org&password=wrong+guess").status == 401)
            }
            for base in [a.baseURL, b.baseURL] {
                let refused = try await http.postForm("\(base)/api/v1/login/access-token", form: "username=bravo%40example.org&password=correct+horse+battery")
                #expect(refused.status == 429, "\(base) after 8 wrong guesses across both: \(refused.status)")
            }

            // A password changed on B ends the session A handed out.
            _ = try await system.signUp("Charlie")
            let onA = WebClient(base: a.baseURL)
            try await onA.logIn("charlie@example.org", "correct horse battery")
            let token = try #require(onA.sessionToken)
            let me = { try await http.get("\(a.baseURL)/api/v1/users/me", headers: ["Authorization": "Bearer \(token)"]).status }
            #expect(try await me() == 200)
            let onB = WebClient(base: b.baseURL)
            try await onB.logIn("charlie@example.org", "correct horse battery")
            let changed = try await onB.post("/settings/password", [
                "current_password": "correct horse battery", "new_password": "a new horse battery", "new_password_again": "a new horse battery",
            ])
            #expect(changed.status == 303, "password change on B: \(changed.status) \(changed.body.prefix(200))")
            #expect(try await me() == 401, "the session from A ended with the password change on B")
        }
    }

    /// Encoders-as-hooks keep publishing through the gateway, which has both replicas in
    /// `ACCOUNT_SERVICE_URL`; one replica is SIGKILLed in the middle. Every valid publish is
    /// accepted, every unknown key refused, and every answer comes back.
    @Test func killingAReplicaRefusesNoValidPublish() async throws {
        let system = try await RunningSystem.start(databaseURL: try await TestPostgres.freshDatabaseURL(), accountReplicas: 1)
        try await system.run { system in
            var keys: [String] = []
            for index in 0..<4 { keys.append(try await system.signUp("Replica DJ \(index)")) }
            let tally = NIOLockedValueBox(PublishTally())
            let stop = NIOLockedValueBox(false)
            let answerBound = Duration.seconds(4)

            func encoder(key: String?, name: String) async {
                var round = 0
                while !stop.withLockedValue({ $0 }) {
                    round += 1
                    let client = "\(name)x\(round)"
                    let sent = ContinuousClock.now
                    let reply = try? await system.publish(key: key ?? "unknown\(name)x\(round)", client: client)
                    let took = ContinuousClock.now - sent
                    tally.withLockedValue { $0.record(valid: key != nil, reply: reply, took: took, bound: answerBound) }
                    if key != nil, reply?.status == 200 {
                        _ = try? await system.hook("on_unpublish.json", key: key, client: client)
                        _ = try? await system.hook("on_close.json", client: client)
                    }
                }
            }

            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, key) in keys.enumerated() { group.addTask { await encoder(key: key, name: "valid\(index)") } }
                for index in 0..<2 { group.addTask { await encoder(key: nil, name: "stranger\(index)") } }
                group.addTask {
                    try await system.waitUntil("publishes before the kill", timeout: .seconds(30)) { tally.withLockedValue { $0.valid } >= 40 }
                    // The replica whose directory the gateway follows (the first it is given).
                    let answeredBeforeKill = try await Self.callsAnswered(by: system.accounts, asSeenBy: system.gateway)
                    tally.withLockedValue { $0.replicaAnsweredBeforeKill = answeredBeforeKill }
                    await system.accounts.kill()
                    let atKill = tally.withLockedValue { $0.valid }
                    tally.withLockedValue { $0.validAtKill = atKill }
                    try await system.waitUntil("publishes after the kill", timeout: .seconds(30)) { tally.withLockedValue { $0.valid } >= atKill + 80 }
                    stop.withLockedValue { $0 = true }
                }
                try await group.waitForAll()
            }

            let result = tally.withLockedValue { $0 }
            let report = """
                two AccountService replicas on one PostgreSQL behind the gateway; replica 1, whose publisher directory the gateway followed, SIGKILLed after \(result.validAtKill) valid publishes, having answered \(result.replicaAnsweredBeforeKill) of the gateway's calls
                valid publishes: \(result.valid) (accepted \(result.validAccepted), refused \(result.validRefused))
                unknown keys: \(result.unknown) (refused \(result.unknownRefused), accepted \(result.unknownAccepted))
                unanswered or over \(answerBound): \(result.unanswered)
                slowest answer: \(result.slowest)
                """
            try Artifacts.write("account-replicas-kill.txt", report + "\n")
            print(report)
            #expect(result.validRefused == 0, "\(report)")
            #expect(result.unknownAccepted == 0, "\(report)")
            #expect(result.unanswered == 0, "\(report)")
            #expect(result.unknown > 0)
            #expect(result.replicaAnsweredBeforeKill > 0, "the gateway followed the killed replica before the kill")
        }
    }

    /// The gateway's own count of calls `replica` answered (`peer_request_duration_seconds`).
    static func callsAnswered(by replica: ServiceProcess, asSeenBy gateway: ServiceProcess) async throws -> Int {
        let metrics = try await TestHTTP().get("\(gateway.baseURL)/metrics").body
        let peer = #"peer="127.0.0.1:\#(replica.port)""#
        return metrics.split(separator: "\n")
            .filter { $0.hasPrefix("peer_request_duration_seconds_count{") && $0.contains(peer) && $0.contains(#"outcome="answered""#) }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            .reduce(0, +)
    }
}

private struct PublishTally {
    var valid = 0, validAccepted = 0, validRefused = 0
    var unknown = 0, unknownAccepted = 0, unknownRefused = 0
    var unanswered = 0
    var validAtKill = 0
    var replicaAnsweredBeforeKill = 0
    var slowest = Duration.zero

    mutating func record(valid isValid: Bool, reply: TestHTTP.Reply?, took: Duration, bound: Duration) {
        slowest = max(slowest, took)
        guard let reply, took <= bound else {
            unanswered += 1
            return
        }
        let accepted = reply.status == 200 && reply.body == #"{"code":0}"#
        if isValid {
            valid += 1
            if accepted { validAccepted += 1 } else { validRefused += 1 }
        } else {
            unknown += 1
            if accepted { unknownAccepted += 1 } else { unknownRefused += 1 }
        }
    }
}
