import Foundation
import Shared
import Testing
import TestSupport

/// A session AccountService ends stops working on QueueService's admin routes too, within
/// seconds (they ask AccountService, and cache the answer for 3 s), not when the token expires.
@Suite("Ended sessions, everywhere")
struct SessionEndSystemTests {
    @Test func logoutAndDemotionEndAdminRightsOnQueueServiceWithinFiveSeconds() async throws {
        let system = try await RunningSystem.start()
        try await system.run { system in
            for (email, name) in [("chief@example.org", "Chief"), ("deputy@example.org", "Deputy"), ("leaver@example.org", "Leaver")] {
                let created = try await runCommand(
                    "AccountService", ["admin", "create", "--email", email, "--dj-name", name], environment: system.accounts.environment,
                    input: "an admin password"
                )
                #expect(created.status == 0, "\(created.output)")
            }
            let chief = WebClient(base: system.accounts.baseURL)
            let deputy = WebClient(base: system.accounts.baseURL)
            let leaver = WebClient(base: system.accounts.baseURL)
            try await chief.logIn("chief@example.org", "an admin password")
            try await deputy.logIn("deputy@example.org", "an admin password")
            try await leaver.logIn("leaver@example.org", "an admin password")
            let deputyToken = try #require(deputy.sessionToken)
            let leaverToken = try #require(leaver.sessionToken)

            func pause(_ token: String) async throws -> Int {
                try await TestHTTP().send(.POST, "\(system.queue.baseURL)/api/v1/admin/queue/pause", headers: ["Authorization": "Bearer \(token)"]).status
            }
            #expect(try await pause(deputyToken) == 200)
            #expect(try await pause(leaverToken) == 200)

            let loggedOut = try await leaver.post("/logout", [:])
            #expect(loggedOut.status == 303)
            let users = try await chief.get("/admin/users?q=deputy")
            let deputyId = try #require(users.firstMatch(of: /action="\/admin\/users\/([0-9a-f-]{36})\/role"/)?.1)
            #expect(try await chief.post("/admin/users/\(deputyId)/role", ["role": "dj"]).status == 303)

            let ended = ContinuousClock.now
            try await system.waitUntil("the logged-out admin's token is refused", timeout: .seconds(5)) { try await pause(leaverToken) == 401 }
            try await system.waitUntil("the demoted admin's token is refused", timeout: .seconds(5)) { try await pause(deputyToken) == 403 }
            let took = ContinuousClock.now - ended
            try Artifacts.write("session-end.txt", "ended sessions refused by QueueService after \(took)\n")
        }
    }
}
