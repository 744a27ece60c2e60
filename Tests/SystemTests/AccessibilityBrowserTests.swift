import Foundation
import Testing
import TestSupport

/// axe-core (the checker browsers' accessibility tools use) run in a real Chromium on every page
/// a DJ or an admin uses: no serious or critical violation. The counts go to
/// artifacts/accessibility.txt. `make test` fetches axe-core into .build (MOTHERSTREAM_AXE_JS).
@Suite(.serialized) struct AccessibilityBrowserTests {
    @Test func everyPageHasNoSeriousAccessibilityViolation() async throws {
        guard let path = ProcessInfo.processInfo.environment["MOTHERSTREAM_AXE_JS"], let axe = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ServiceProcessError("MOTHERSTREAM_AXE_JS names no readable axe.min.js: run the tests with `make test`, which fetches it")
        }
        let system = try await RunningSystem.start()
        let browser = try await Browser.start(width: 1280, height: 900)
        do {
            try await system.run { system in
                let site = system.accounts.baseURL
                var found: [String: [String]] = [:]
                var lesser: [String] = []
                var byImpact: [String: Int] = [:]
                var checked = 0
                func check(_ url: String) async throws {
                    try await browser.open(url)
                    try await Task.sleep(for: .milliseconds(400))
                    _ = try await browser.evaluate(axe + "\nreturn true;")
                    let violations = try await browser.evaluate("""
                        return axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations
                            .map(v => v.impact + ' ' + v.id + ' (' + v.nodes.length + '): ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', ')))
                        """) as? [String] ?? ["critical axe did not answer"]
                    checked += 1
                    for violation in violations {
                        let impact = String(violation.prefix { $0 != " " })
                        byImpact[impact, default: 0] += 1
                        if impact == "serious" || impact == "critical" { found[url.replacingOccurrences(of: site, with: ""), default: []].append(violation) }
                        else { lesser.append("\(url.replacingOccurrences(of: site, with: "")): \(violation)") }
                    }
                }
                for path in ["/", "/login", "/signup", "/forgot-password", "/no-such-page"] { try await check(site + path) }
                let key = try await system.signUp("Lead Lion")
                #expect(try await system.publish(key: key, client: "a1").status == 200)
                let waiting = try await system.signUp("Second Seal")
                #expect(try await system.publish(key: waiting, client: "a2").status == 200)
                try await browser.logInAsNewAdmin(system, site: site)
                for path in ["/dashboard", "/settings", "/admin/queue", "/admin/users", "/admin/status", "/admin/recordings"] { try await check(site + path) }
                try await browser.open("\(site)/admin/status")
                try await browser.waitForText("the status panel", within: .seconds(10)) { $0.contains("everything it needs answers") }
                print("status page: \(try await browser.screenshot("web-admin-status.png").path)")
                for path in ["/queue-list", "/overlays/queue", "/overlays/now-playing", "/overlays/timer"] { try await check(system.queue.baseURL + path) }
                let report = "axe-core 4.4.3 in Chromium, \(checked) pages; violations by impact: \(byImpact.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))\n"
                    + found.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.joined(separator: "; "))" }.joined(separator: "\n")
                    + lesser.joined(separator: "\n") + "\n"
                print(report)
                try Artifacts.write("accessibility.txt", report)
                #expect(found.isEmpty, "\(found)")
            }
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
    }
}
