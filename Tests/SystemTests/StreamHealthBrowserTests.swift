import Foundation
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport

/// Stream health in a real headless Chromium against the real services: the health reports
/// HookGateway sends go to QueueService, a DJ's dashboard shows their own bitrate and then the
/// silence when their counter stops, and the night page shows every connected DJ's.
@Suite(.serialized) struct StreamHealthBrowserTests {
    @Test func theDashboardAndTheNightPageShowTheBitrateQueueServiceReceives() async throws {
        let system = try await RunningSystem.start()
        let dj = try await Browser.start(width: 430, height: 932)
        let admin = try await Browser.start(width: 1280, height: 900)
        let reports = HealthFeed(queue: system.queue.baseURL)
        do {
            try await system.run { system in
                let site = system.accounts.baseURL
                var report = ""
                let owlKey = try await system.signUp("Night Owl")
                let larkKey = try await system.signUp("Early Lark")
                #expect(try await system.publish(key: owlKey, client: "owl1").status == 200)
                #expect(try await system.publish(key: larkKey, client: "lark1").status == 200)

                try await dj.open("\(site)/login")
                try await dj.fill("#email", "night.owl@example.org")
                try await dj.fill("#password", "correct horse battery")
                try await dj.click("form[action='/login'] button")
                try await dj.waitForText("the dashboard", within: .seconds(10)) { $0.contains("Hi, Night Owl") }
                try await dj.waitForText("the panel before any reading", within: .seconds(5)) { $0.contains("Connected — waiting for the first reading") }

                // As HookGateway reports the ingest's counters: Owl's grow, Lark's stand still.
                reports.start()
                let shown = try await dj.waitForText("Owl's bitrate", within: .seconds(10)) { $0.contains("Receiving 4\u{202F}520 kbps") }
                // Who plays is public (the dashboard says it to a waiting DJ); whose stream is how is not.
                let health = try await dj.evaluate("return document.getElementById('health').innerText") as? String ?? ""
                #expect(!health.contains("Early Lark") && health.contains("4\u{202F}520"), "a DJ's health panel is about them alone: \(health)")
                report += "dashboard, receiving (\(shown) after the first report): \(try await dj.screenshot("web-dashboard-stream-health.png").path)\n"

                try await admin.logInAsNewAdmin(system, site: site)
                try await admin.open("\(site)/admin/queue")
                try await admin.waitForText("both DJs' streams", within: .seconds(15)) { page in
                    page.contains("Night Owl (On air)") && page.contains("4\u{202F}520 kbps") && page.contains("Early Lark (#1)") && page.contains("No data for")
                }
                _ = try await admin.evaluate("document.getElementById('streams').scrollIntoView(); return true")
                report += "night page with every DJ's bitrate: \(try await admin.screenshot("web-admin-queue-streams.png").path)\n"

                // Owl's encoder freezes: the panel says so once nothing arrived for STALL_SECONDS (5).
                let frozeAt = ContinuousClock.now
                reports.freezeOwl()
                try await dj.waitForText("the silence", within: .seconds(12)) { $0.contains("check your encoder") }
                let noticed = ContinuousClock.now - frozeAt
                report += "dashboard, stalled (\(noticed) after the counter stopped; STALL_SECONDS 5, reports every 1 s, polls every 2 s): \(try await dj.screenshot("web-dashboard-stream-stalled.png").path)\n"
                reports.stop()
                print(report)
                try Artifacts.write("stream-health-panel.txt", report)
            }
        } catch {
            reports.stop()
            await dj.quit()
            await admin.quit()
            throw error
        }
        await dj.quit()
        await admin.quit()
    }
}

/// Posts a health report to QueueService every second, the way HookGateway's monitor does:
/// `owl1` at 4 520 kbps with a growing byte counter (until frozen), `lark1` with a still one.
final class HealthFeed: Sendable {
    private let queue: String
    private let state = NIOLockedValueBox((task: Task<Void, Never>?.none, owlFrozen: false))

    init(queue: String) {
        self.queue = queue
    }

    func start() {
        let queue = queue, state = state
        let task = Task {
            let http = TestHTTP()
            var owlBytes: UInt64 = 0
            while !Task.isCancelled {
                if !state.withLockedValue({ $0.owlFrozen }) { owlBytes += 565_000 }
                let body = """
                {"read_at":"\(JSONCoding.timestamp(Date()))","publishers":[{"client_id":"owl1","bytes_received":\(owlBytes),"kbps":4520},\
                {"client_id":"lark1","bytes_received":7700,"kbps":0}]}
                """
                _ = try? await http.post("\(queue)/internal/v1/stream-health", json: body, headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        state.withLockedValue { $0.task = task }
    }

    func freezeOwl() { state.withLockedValue { $0.owlFrozen = true } }

    func stop() { state.withLockedValue { $0.task?.cancel() } }
}
