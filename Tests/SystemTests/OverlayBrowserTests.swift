import Foundation
import Shared
import Testing
import TestSupport

/// The queue page and overlays in a real headless Chromium, live over Server-Sent Events.
@Suite(.serialized) struct OverlayBrowserTests {
    @Test func overlaysFollowTheQueueWithinASecond() async throws {
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"])
        let browser = try await Browser.start()
        do {
            try await system.run { system in
                let keyA = try await system.signUp("Alpha One")
                let keyB = try await system.signUp("Bravo Two")
                let queue = system.queue.baseURL
                var report = ""

                try await browser.open("\(queue)/overlays/queue?limit=3")
                try await browser.waitForText("an empty queue", within: .seconds(5)) { $0.contains("Nobody yet") }
                _ = try await system.publish(key: keyA, client: "alpha1")
                let queueDelay = try await browser.waitForText("Alpha One", within: .seconds(1)) { $0.contains("Alpha One") }
                _ = try await system.publish(key: keyB, client: "bravo1")
                try await browser.waitForText("Bravo Two up next", within: .seconds(1)) { $0.contains("Bravo Two") }
                report += "overlays/queue: \(try await browser.screenshot("overlay-queue.png").path) (updated after \(queueDelay))\n"

                try await browser.open("\(queue)/overlays/timer?theme=light")
                try await browser.waitForText("a running clock", within: .seconds(5)) { $0.contains("00:59:") || $0.contains("01:00:00") }
                report += "overlays/timer: \(try await browser.screenshot("overlay-timer.png").path)\n"

                try await browser.open("\(queue)/overlays/now-playing")
                try await browser.waitForText("Alpha One", within: .seconds(5)) { $0.contains("Alpha One") }
                _ = try await system.hook("on_unpublish.json", key: keyA, client: "alpha1")
                let handoverDelay = try await browser.waitForText("the handover to Bravo Two", within: .seconds(1)) { $0.contains("Bravo Two") }
                report += "overlays/now-playing: \(try await browser.screenshot("overlay-now-playing.png").path) (handover shown after \(handoverDelay))\n"

                try await browser.open("\(queue)/queue-list")
                try await browser.waitForText("Bravo Two", within: .seconds(5)) { $0.localizedCaseInsensitiveContains("now playing") && $0.contains("Bravo Two") }
                report += "queue-list: \(try await browser.screenshot("queue-list.png").path)\n"
                print(report)
                try Artifacts.write("overlay-screenshots.txt", report)
            }
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
    }

    /// An overlay saved as a file and opened while QueueService is down says so, then recovers
    /// by itself when QueueService comes back.
    @Test func anOverlayOpenedBeforeQueueServiceRecoversOnItsOwn() async throws {
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0"])
        let browser = try await Browser.start()
        do {
            try await system.run { system in
                let key = try await system.signUp("Charlie Three")
                let page = try await TestHTTP().get("\(system.queue.baseURL)/overlays/queue").body
                let file = try temporaryDirectory("overlay").appendingPathComponent("queue.html")
                try page.write(to: file, atomically: true, encoding: .utf8)

                await system.queue.stop()
                try await browser.open("\(file.absoluteString)?api=\(system.queue.baseURL)")
                try await browser.waitForText("the waiting notice", within: .seconds(5)) { $0.contains("waiting for the queue") }
                try await browser.screenshot("overlay-waiting.png")

                try await system.queue.start()
                _ = try await system.publish(key: key, client: "charlie1")
                let recovered = try await browser.waitForText("Charlie Three", within: .seconds(20)) { $0.contains("Charlie Three") && !$0.contains("waiting for the queue") }
                print("overlay opened before QueueService recovered \(recovered) after it came back")
            }
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
    }
}
