import Foundation
import Testing
import TestSupport

/// A waiting DJ's dashboard, on a phone and on a desktop, in a real Chromium: their place, who
/// plays, and when their turn should start, in their own time zone.
@Suite(.serialized) struct DashboardWaitingBrowserTests {
    @Test func aWaitingDJSeesTheirPlaceWhoPlaysAndWhenTheirTurnShouldStart() async throws {
        let system = try await RunningSystem.start(extra: ["SWAP_INTERVAL": "1800"])
        let phone = try await Browser.start(width: 600, height: 900, phone: (390, 844))
        let desktop = try await Browser.start(width: 1280, height: 900)
        do {
            try await system.run { system in
                let owl = try await system.signUp("On Air Owl")
                let wren = try await system.signUp("Waiting Wren")
                #expect(try await system.publish(key: owl, client: "owl1").status == 200)
                #expect(try await system.publish(key: wren, client: "wren1").status == 200)
                for (browser, name) in [(phone, "web-phone-dashboard-waiting.png"), (desktop, "web-dashboard-waiting.png")] {
                    try await browser.logIn(system.accounts.baseURL, email: "waiting.wren@example.org")
                    try await browser.waitForText("the waiting DJ's outlook", within: .seconds(10)) {
                        $0.contains("Position 1 in the queue") && $0.contains("Playing now: On Air Owl.") && $0.contains("Your turn should start around")
                    }
                    // Signed up in Europe/Berlin: the estimate is the lead's deadline, 30 minutes on, there.
                    let expected = try #require(try await browser.evaluate("""
                        return new Date(Date.now() + 1800 * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' })
                        """) as? String)
                    let shown = try await browser.text()
                    #expect(shown.contains(expected) || shown.contains("in about 29 min") || shown.contains("in about 30 min"), "\(shown)")
                    print("dashboard, waiting: \(try await browser.screenshot(name).path)")
                }
            }
        } catch {
            await phone.quit()
            await desktop.quit()
            throw error
        }
        await phone.quit()
        await desktop.quit()
    }
}
