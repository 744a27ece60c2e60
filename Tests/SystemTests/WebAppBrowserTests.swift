import Foundation
import Shared
import Testing
import TestSupport

/// The web app in a real headless Chromium: a DJ signs up and goes live; an admin skips them.
@Suite(.serialized) struct WebAppBrowserTests {
    @Test func aDJGoesFromSignupToOnAirAndAnAdminSkipsThem() async throws {
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"])
        let dj = try await Browser.start(width: 430, height: 932)
        let admin = try await Browser.start(width: 1280, height: 900)
        do {
            try await system.run { system in
                let site = system.accounts.baseURL
                var report = ""

                // Sign up in the browser, as a DJ would, on a phone-sized window.
                try await dj.open("\(site)/signup")
                try await dj.fill("#email", "nightowl@example.org")
                try await dj.fill("#dj_name", "Night Owl")
                try await dj.fill("#password", "correct horse battery")
                try await dj.fill("#password_again", "correct horse battery")
                let zone = try await dj.evaluate("return document.getElementById('timezone').value") as? String
                #expect(zone?.isEmpty == false, "the browser's zone is preselected")
                try await dj.click("form[action='/signup'] button")
                try await dj.waitForText("the dashboard", within: .seconds(10)) { $0.contains("Hi, Night Owl") }
                #expect(try await dj.currentURL().hasSuffix("/dashboard?welcome=1"))

                // The key is hidden until "Show"; "Copy" copies it.
                #expect(try await dj.evaluate("return document.getElementById('key').type") as? String == "password")
                try await dj.click("[data-reveal='key']")
                #expect(try await dj.evaluate("return document.getElementById('key').type") as? String == "text")
                let key = try #require(try await dj.evaluate("return document.getElementById('key').value") as? String)
                #expect(StreamKeyFormat.looksRight(key))
                try await dj.click("[data-copy='key']")
                try await dj.waitForText("the copy confirmation", within: .seconds(3)) { $0.contains("Copied") }
                try await dj.waitForText("the live state", within: .seconds(5)) { $0.contains("Not connected") }
                report += "dashboard (not connected): \(try await dj.screenshot("web-dashboard.png").path)\n"

                // The DJ's encoder connects through the gateway: the page says "On air" by itself.
                let started = ContinuousClock.now
                #expect(try await system.publish(key: key, client: "owl1").status == 200)
                let onAir = try await dj.waitForText("On air", within: .seconds(5)) { $0.contains("On air") }
                try await dj.waitForText("the time left", within: .seconds(5)) { $0.contains("Time left in your turn") && $0.contains("Nobody is waiting after you") }
                report += "dashboard (on air, \(onAir) after the publish): \(try await dj.screenshot("web-dashboard-on-air.png").path)\n"
                _ = started

                // An admin, made on the command line, skips the lead from the night page.
                try await admin.logInAsNewAdmin(system, site: site)
                try await admin.open("\(site)/admin/queue")
                try await admin.waitForText("Night Owl on air", within: .seconds(5)) { $0.contains("Night Owl") }
                report += "admin night page: \(try await admin.screenshot("web-admin-queue.png").path)\n"
                try await admin.click("form[action='/admin/queue/skip'] button")
                try await admin.acceptDialog()
                try await admin.waitForText("nobody on air", within: .seconds(5)) { $0.contains("Nobody on air") }
                report += "admin night page after the skip: \(try await admin.screenshot("web-admin-queue-skipped.png").path)\n"
                try await dj.waitForText("the DJ's page following the skip", within: .seconds(5)) { !$0.contains("On air") }
                try await dj.waitForText("why the DJ went off air", within: .seconds(5)) { $0.contains("An admin skipped you") }
                report += "dashboard after the skip: \(try await dj.screenshot("web-dashboard-skipped.png").path)\n"
                #expect(system.srs.kicks == ["owl1"], "the skipped DJ's encoder was kicked")

                try await admin.open("\(site)/admin/users")
                try await admin.waitForText("the user list", within: .seconds(5)) { $0.contains("nightowl@example.org") }
                #expect(!(try await admin.text()).contains(key), "no page shows a key to an admin")
                report += "admin users: \(try await admin.screenshot("web-admin-users.png").path)\n"
                print(report)
                try Artifacts.write("web-screenshots.txt", report)
            }
        } catch {
            await dj.quit()
            await admin.quit()
            throw error
        }
        await dj.quit()
        await admin.quit()
    }
}

enum StreamKeyFormat {
    static func looksRight(_ key: String) -> Bool {
        key.count == 32 && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
