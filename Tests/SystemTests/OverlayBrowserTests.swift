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
                // An empty queue draws nothing on the broadcast: no "Nobody yet", no connection notice.
                try await browser.waitUntil("the empty overlay is not drawn", within: .seconds(5)) {
                    try await browser.evaluate("return document.documentElement.dataset.connected === 'yes' && document.querySelector('.overlay').classList.contains('gone')") as? Bool == true
                }
                let shown = try await browser.text()
                #expect(!shown.contains("Nobody") && !shown.contains("waiting for the queue"), "nothing internal reaches viewers: \(shown)")
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

    /// A DJ's picture, uploaded to AccountService, travels with their name through the gateway
    /// and the queue to the overlays: round beside the name, and nothing for a DJ without one.
    @Test func overlaysShowTheDJsPictureBesideTheirName() async throws {
        let system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"])
        let browser = try await Browser.start()
        do {
            try await system.run { system in
                let http = TestHTTP()
                let keyA = try await system.signUp("Delta Four")
                let keyB = try await system.signUp("Echo Five")
                let login = try await http.postForm("\(system.accounts.baseURL)/api/v1/login/access-token", form: "username=delta.four@example.org&password=correct+horse+battery")
                let token = try #require(try login.json()["access_token"] as? String)
                let upload = try await http.send(
                    .PUT, "\(system.accounts.baseURL)/api/v1/users/me/picture", bytes: try Self.testPattern(), contentType: "image/png",
                    headers: ["Authorization": "Bearer \(token)"]
                )
                let pictureURL = try #require(try upload.json()["picture_url"] as? String, "\(upload.status) \(upload.body)")
                let served = try await http.get(pictureURL)
                #expect(served.status == 200 && served.headers.first(name: "Content-Type") == "image/jpeg")

                _ = try await system.publish(key: keyA, client: "delta1")
                _ = try await system.publish(key: keyB, client: "echo1")
                let lead = try await system.internalState().lead
                #expect(lead?.djName == "Delta Four")

                let queue = system.queue.baseURL
                var report = "picture \(pictureURL)\n"
                try await browser.open("\(queue)/overlays/queue?limit=3")
                try await browser.waitForText("Echo Five up next", within: .seconds(5)) { $0.contains("Delta Four") && $0.contains("Echo Five") }
                let shown = try await Self.waitForPicture(browser, within: .seconds(10))
                #expect(try await browser.evaluate("return document.getElementById('lead-picture').src") as? String == pictureURL)
                #expect(try await browser.evaluate("return document.querySelectorAll('#next img.avatar:not([hidden])').length") as? Int == 0, "Echo Five has no picture: none is shown")
                report += "overlays/queue: \(try await browser.screenshot("overlay-queue-picture.png").path) (picture shown after \(shown))\n"

                try await browser.open("\(queue)/overlays/now-playing")
                try await browser.waitForText("Delta Four", within: .seconds(5)) { $0.contains("Delta Four") }
                _ = try await Self.waitForPicture(browser, within: .seconds(10))
                report += "overlays/now-playing: \(try await browser.screenshot("overlay-now-playing-picture.png").path)\n"
                _ = try await system.hook("on_unpublish.json", key: keyA, client: "delta1")
                try await browser.waitForText("the handover to Echo Five", within: .seconds(5)) { $0.contains("Echo Five") }
                let hidden = try await Self.until(within: .seconds(5)) {
                    try await browser.evaluate("return document.getElementById('lead-picture').hidden") as? Bool == true
                }
                #expect(hidden, "the next DJ has no picture: the last one's is gone")
                print(report)
                try Artifacts.write("overlay-pictures.txt", report)
            }
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
    }

    /// A 640×360 PNG of ffmpeg's test pattern.
    static func testPattern() throws -> Data {
        let file = try temporaryDirectory("picture").appendingPathComponent("pattern.png")
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x360", "-frames:v", "1", file.path]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        return try Data(contentsOf: file)
    }

    /// Waits until the lead's picture has loaded at the size AccountService serves; how long it took.
    static func waitForPicture(_ browser: Browser, within timeout: Duration) async throws -> Duration {
        let started = ContinuousClock.now
        let loaded = try await until(within: timeout) {
            try await browser.evaluate("var i = document.getElementById('lead-picture'); return !i.hidden && i.complete && i.naturalWidth === 256 && i.naturalHeight === 256") as? Bool == true
        }
        guard loaded else { throw ServiceProcessError("the lead's picture was not shown within \(timeout)") }
        return ContinuousClock.now - started
    }

    static func until(within timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < timeout {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
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
                try await browser.open("\(file.absoluteString)?api=\(system.queue.baseURL)&status=show")
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
