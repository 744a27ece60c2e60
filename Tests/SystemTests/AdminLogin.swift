import Foundation
import Testing
import TestSupport

extension Browser {
    /// Makes an admin with AccountService's own command line, as an operator would, and logs
    /// this browser in as them on the web app at `site`.
    func logInAsNewAdmin(_ system: RunningSystem, site: String) async throws {
        let made = try await runCommand("AccountService", ["admin", "create", "--email", "host@example.org", "--dj-name", "Host"], environment: system.accounts.environment, input: "host password 1")
        #expect(made.status == 0, "\(made.output)")
        try await logIn(site, email: "host@example.org", password: "host password 1")
        try await waitForText("the dashboard", within: .seconds(10)) { $0.contains("Hi, Host") }
    }

    /// Logs this browser in on the web app's login form, as a DJ would, and waits for the dashboard.
    func logIn(_ site: String, email: String, password: String = "correct horse battery") async throws {
        try await open("\(site)/login")
        try await fill("#email", email)
        try await fill("#password", password)
        try await click("form[action='/login'] button")
        try await waitForText("the dashboard", within: .seconds(10)) { $0.contains("Hi, ") }
    }
}
