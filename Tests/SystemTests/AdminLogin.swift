import Foundation
import Testing
import TestSupport

extension Browser {
    /// Makes an admin with AccountService's own command line, as an operator would, and logs
    /// this browser in as them on the web app at `site`.
    func logInAsNewAdmin(_ system: RunningSystem, site: String) async throws {
        let made = try await runCommand("AccountService", ["admin", "create", "--email", "host@example.org", "--dj-name", "Host"], environment: system.accounts.environment, input: "host password 1")
        #expect(made.status == 0, "\(made.output)")
        try await open("\(site)/login")
        try await fill("#email", "host@example.org")
        try await fill("#password", "host password 1")
        try await click("form[action='/login'] button")
        try await waitForText("the dashboard", within: .seconds(10)) { $0.contains("Hi, Host") }
    }
}
