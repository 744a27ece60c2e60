import Foundation
import Testing
import TestSupport

/// The signup form in a real Chromium: an empty form is answered with every field's problem at
/// once, and an email that has an account offers real links to log in or reset the password.
@Suite(.serialized) struct SignupFormBrowserTests {
    @Test func anEmptySignupShowsEveryProblemAndATakenEmailLinksToLogInAndReset() async throws {
        let system = try await RunningSystem.start()
        let browser = try await Browser.start(width: 1280, height: 900)
        do {
            try await system.run { system in
                let site = system.accounts.baseURL
                try await browser.open("\(site)/signup")
                try await browser.click("form[action='/signup'] button")
                try await browser.waitForText("the form's problems", within: .seconds(10)) { $0.contains("Enter an email address") }
                let flagged = try await browser.evaluate("return Array.from(document.querySelectorAll('[aria-invalid=true]')).map(e => e.id).sort()") as? [String]
                #expect(flagged == ["dj_name", "email", "password"], "every empty field at once: \(String(describing: flagged))")
                print("signup with nothing filled in: \(try await browser.screenshot("web-signup-errors.png").path)")

                _ = try await system.signUp("Taken", email: "taken@example.org")
                try await browser.open("\(site)/signup")
                try await browser.fill("#email", "taken@example.org")
                try await browser.fill("#dj_name", "Someone Else")
                try await browser.fill("#password", "correct horse battery")
                try await browser.fill("#password_again", "correct horse battery")
                try await browser.click("form[action='/signup'] button")
                try await browser.waitForText("the taken email", within: .seconds(10)) { $0.contains("already exists") }
                let links = try await browser.evaluate("return Array.from(document.querySelectorAll('#email-error a')).map(a => a.getAttribute('href'))") as? [String]
                #expect(links == ["/login", "/forgot-password"])
            }
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
    }
}
