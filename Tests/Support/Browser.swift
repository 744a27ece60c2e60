import AsyncHTTPClient
import Foundation
import NIOCore

/// A real headless Chromium, driven through chromedriver's W3C WebDriver HTTP API.
public final class Browser: @unchecked Sendable {
    private let driver: Process
    private let base: String
    private let session: String
    private let http = TestHTTP()

    /// - Parameter phone: a phone's screen in CSS pixels, emulated by Chromium (a headless window
    ///   is never narrower than 500 px).
    public static func start(width: Int = 1920, height: Int = 1080, phone: (width: Int, height: Int)? = nil) async throws -> Browser {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile(atPath:)),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        else {
            throw ServiceProcessError("Chromium and chromedriver are needed for the browser tests: apt-get install chromium chromium-driver (make test does)")
        }
        let port = try freePort()
        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        let base = "http://127.0.0.1:\(port)"
        let http = TestHTTP()
        for _ in 0..<200 {
            if let status = try? await http.get("\(base)/status"), status.status == 200 { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        let emulation = phone.map { #","mobileEmulation":{"deviceMetrics":{"width":\#($0.width),"height":\#($0.height),"pixelRatio":2,"touch":true}}"# } ?? ""
        let capabilities = """
        {"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":"\(chromium)",
        "args":["--headless=new","--no-sandbox","--disable-gpu","--disable-dev-shm-usage","--hide-scrollbars","--window-size=\(width),\(height)"]\(emulation)}}}}
        """
        let created = try await http.post("\(base)/session", json: capabilities)
        guard let value = try created.json()["value"] as? [String: Any], let session = value["sessionId"] as? String else {
            driver.terminate()
            throw ServiceProcessError("chromedriver did not start a session: \(created.body)")
        }
        return Browser(driver: driver, base: base, session: session)
    }

    private init(driver: Process, base: String, session: String) {
        self.driver = driver
        self.base = base
        self.session = session
    }

    private var sessionURL: String { "\(base)/session/\(session)" }

    public func open(_ url: String) async throws {
        let reply = try await http.post("\(sessionURL)/url", json: try Self.json(["url": url]))
        guard reply.status == 200 else { throw ServiceProcessError("navigation to \(url) failed: \(reply.body)") }
    }

    /// Runs JavaScript in the page and returns its result.
    public func evaluate(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        let reply = try await http.post("\(sessionURL)/execute/sync", json: try Self.json(["script": script, "args": arguments]))
        guard reply.status == 200 else { throw ServiceProcessError("script failed: \(reply.body)") }
        return try reply.json()["value"]
    }

    /// Types into the element matching a CSS selector, as a user would.
    public func fill(_ selector: String, _ text: String) async throws {
        let element = try await find(selector)
        let reply = try await http.post("\(sessionURL)/element/\(element)/value", json: try Self.json(["text": text]))
        guard reply.status == 200 else { throw ServiceProcessError("typing into \(selector) failed: \(reply.body)") }
    }

    public func click(_ selector: String) async throws {
        let element = try await find(selector)
        let reply = try await http.post("\(sessionURL)/element/\(element)/click", json: "{}")
        guard reply.status == 200 else { throw ServiceProcessError("clicking \(selector) failed: \(reply.body)") }
    }

    /// Answers "OK" to a `confirm()` dialog.
    public func acceptDialog() async throws {
        for _ in 0..<50 {
            let reply = try await http.post("\(sessionURL)/alert/accept", json: "{}")
            if reply.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServiceProcessError("no dialog to accept")
    }

    public func currentURL() async throws -> String {
        (try await http.get("\(sessionURL)/url").json()["value"] as? String) ?? ""
    }

    private func find(_ selector: String) async throws -> String {
        let reply = try await http.post("\(sessionURL)/element", json: try Self.json(["using": "css selector", "value": selector]))
        guard let value = try reply.json()["value"] as? [String: Any], let id = value.values.first as? String else {
            throw ServiceProcessError("no element \(selector): \(reply.body.prefix(200))")
        }
        return id
    }

    public func text() async throws -> String {
        (try await evaluate("return document.body ? document.body.innerText : ''") as? String) ?? ""
    }

    /// Waits until the page text satisfies `condition`; returns how long that took.
    @discardableResult
    public func waitForText(_ what: String, within timeout: Duration, _ condition: (String) -> Bool) async throws -> Duration {
        let started = ContinuousClock.now
        var last = ""
        while ContinuousClock.now - started < timeout {
            last = try await text()
            if condition(last) { return ContinuousClock.now - started }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServiceProcessError("page never showed \(what) within \(timeout); it shows: \(last)")
    }

    /// Waits until `condition` holds (e.g. a script's answer); returns how long that took.
    @discardableResult
    public func waitUntil(_ what: String, within timeout: Duration, _ condition: () async throws -> Bool) async throws -> Duration {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < timeout {
            if try await condition() { return ContinuousClock.now - started }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServiceProcessError("\(what): not within \(timeout); the page shows: \(try await text())")
    }

    /// A PNG of the viewport, kept as a test artifact.
    @discardableResult
    public func screenshot(_ name: String) async throws -> URL {
        let reply = try await http.get("\(sessionURL)/screenshot")
        guard let encoded = try reply.json()["value"] as? String, let png = Data(base64Encoded: encoded) else {
            throw ServiceProcessError("no screenshot: \(reply.body.prefix(200))")
        }
        return try Artifacts.write(name, png)
    }

    public func quit() async {
        _ = try? await http.send(.DELETE, sessionURL, timeout: .seconds(5))
        driver.terminate()
        for _ in 0..<100 where driver.isRunning {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
    }

    private static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
}
