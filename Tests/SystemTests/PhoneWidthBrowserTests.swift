import Foundation
import Testing
import TestSupport

/// Every page fits a 360 px phone without scrolling sideways, in a real Chromium, and on the night
/// page an admin can reach every waiting DJ's Move and Remove buttons.
@Suite(.serialized) struct PhoneWidthBrowserTests {
    static let width = 360

    @Test func everyPageFitsA360PixelPhoneAndTheNightPagesActionsAreOnScreen() async throws {
        let system = try await RunningSystem.start()
        let phone = try await Browser.start(width: 600, height: 900, phone: (Self.width, 780))
        do {
            try await system.run { system in
                let site = system.accounts.baseURL
                var overflowing: [String] = []
                func check(_ url: String) async throws {
                    try await phone.open(url)
                    try await Task.sleep(for: .milliseconds(300))
                    let viewport = try #require(try await phone.evaluate("return window.innerWidth") as? Int)
                    let wide = try #require(try await phone.evaluate("return document.documentElement.scrollWidth") as? Int)
                    if viewport != Self.width || wide > viewport { overflowing.append("\(url): \(wide) px in a \(viewport) px viewport") }
                }
                for path in ["/", "/login", "/signup", "/forgot"] { try await check(site + path) }

                // A night with a lead and two waiting, seen by an admin on a phone.
                for (name, client) in [("Lead Lion", "p1"), ("Second Seal", "p2"), ("Third Tern", "p3")] {
                    let key = try await system.signUp(name)
                    #expect(try await system.publish(key: key, client: client).status == 200)
                }
                try await phone.logInAsNewAdmin(system, site: site)
                for path in ["/dashboard", "/settings", "/admin/queue", "/admin/users", "/admin/status", "/admin/recordings"] { try await check(site + path) }
                try await check("\(system.queue.baseURL)/queue-list")
                #expect(overflowing.isEmpty, "pages wider than the phone: \(overflowing)")

                try await phone.open("\(site)/admin/queue")
                try await phone.waitForText("the waiting DJs", within: .seconds(10)) { $0.contains("Third Tern") }
                let offScreen = try await phone.evaluate("""
                    return Array.from(document.querySelectorAll('#waiting button')).filter(b => {
                        const r = b.getBoundingClientRect(); return r.width === 0 || r.left < 0 || r.right > window.innerWidth; }).length
                    """) as? Int
                let buttons = try await phone.evaluate("return document.querySelectorAll('#waiting button').length") as? Int
                #expect(buttons == 6, "Move up, Move down and Remove for each of the two waiting")
                #expect(offScreen == 0, "every waiting DJ's action is on screen")
                let disabled = try await phone.evaluate(
                    "return Array.from(document.querySelectorAll('#waiting tr')).map(r => Array.from(r.querySelectorAll('button')).map(b => b.disabled))"
                ) as? [[Bool]]
                #expect(disabled == [[true, false, false], [false, true, false]], "↑ off on the first row, ↓ on the last")
                print("night page on a 360 px phone: \(try await phone.screenshot("web-phone-admin-queue.png").path)")

                // Pause and Resume are one toggle that shows the state, and every action says it was done.
                try await phone.click("#pause-toggle button")
                try await phone.waitForText("the pause confirmed", within: .seconds(10)) { $0.contains("Paused: nobody is promoted when this turn ends.") }
                try await phone.waitForText("the toggle showing the pause", within: .seconds(5)) { $0.contains("Resume (paused now)") }
                try await phone.click("#pause-toggle button")
                try await phone.waitForText("the resume confirmed", within: .seconds(10)) { $0.contains("Resumed: turns hand over again.") }
                try await phone.waitForText("the toggle back", within: .seconds(5)) { !$0.contains("Resume (paused now)") }
                try await phone.open("\(site)/admin/users")
                let ownRow = try await phone.evaluate(
                    "return Array.from(document.querySelectorAll('tbody tr')).filter(r => r.textContent.includes('host@example.org')).map(r => Array.from(r.querySelectorAll('button')).map(b => b.textContent.trim()))"
                ) as? [[String]]
                #expect(ownRow == [["Reset key"]], "an admin cannot deactivate or demote themselves: \(String(describing: ownRow))")
                let confirmed = try await phone.evaluate("return document.querySelectorAll('form[action$=\"/active\"][data-confirm], form[action$=\"/role\"][data-confirm]').length") as? Int
                #expect(confirmed == 6, "activation and role changes ask first, for each of the three DJs")
                print("users on a 360 px phone: \(try await phone.screenshot("web-phone-admin-users.png").path)")
                try await phone.open("\(system.queue.baseURL)/queue-list")
                try await phone.waitForText("the public queue", within: .seconds(10)) { $0.contains("Second Seal") }
                print("/queue-list on a 360 px phone: \(try await phone.screenshot("web-phone-queue-list.png").path)")
            }
        } catch {
            await phone.quit()
            throw error
        }
        await phone.quit()
    }
}
