import Foundation
import Testing
import TestSupport

/// What a DJ's dashboard says about the live state, in a real Chromium: followed through the web
/// app's own host by default, and "unavailable" — never a wrong "Not connected" — when the queue
/// cannot be reached.
@Suite(.serialized) struct LiveStatusBrowserTests {
    @Test func anUnreachableQueueReadsAsUnavailableAndTheDefaultFollowsThroughTheWebApp() async throws {
        let closed = try freePort()
        let system = try await RunningSystem.start(extra: ["QUEUE_PUBLIC_URL": "http://127.0.0.1:\(closed)", "LEAD_GRACE_SECONDS": "0"])
        let browser = try await Browser.start(width: 1280, height: 900)
        do {
            try await system.run { system in
                let key = try await system.signUp("Far Away")
                #expect(try await system.publish(key: key, client: "far1").status == 200)
                try await browser.logIn(system.accounts.baseURL, email: "far.away@example.org")
                try await browser.waitForText("the unavailable live state", within: .seconds(10)) { $0.contains("Live status unavailable") }
                #expect(try await browser.text().contains("Not connected") == false, "on air, so never “Not connected”")
                print("dashboard, queue unreachable: \(try await browser.screenshot("web-dashboard-live-unavailable.png").path)")
            }
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()

        // Without QUEUE_PUBLIC_URL the page follows the queue through AccountService itself.
        let relayed = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0"])
        let second = try await Browser.start(width: 1280, height: 900)
        do {
            try await relayed.run { system in
                let key = try await system.signUp("Near By")
                try await second.logIn(system.accounts.baseURL, email: "near.by@example.org")
                try await second.waitForText("the live state", within: .seconds(10)) { $0.contains("Not connected") }
                #expect(try await system.publish(key: key, client: "near1").status == 200)
                try await second.waitForText("on air", within: .seconds(10)) { $0.contains("On air") }
                let nextKey = try await system.signUp("Next Up")
                #expect(try await system.publish(key: nextKey, client: "next1").status == 200)
                try await second.waitForText("who is up next", within: .seconds(10)) { $0.contains("Up next: Next Up") }
                print("dashboard on air with someone waiting: \(try await second.screenshot("web-dashboard-on-air-next.png").path)")
                let api = try await second.evaluate("return document.querySelector('[data-live]').dataset.api") as? String
                #expect(api == "", "the page's live events come from its own host")
            }
        } catch {
            await second.quit()
            throw error
        }
        await second.quit()
    }
}
