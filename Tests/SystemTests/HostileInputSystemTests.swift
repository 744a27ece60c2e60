import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Shared
import Testing
import TestSupport

/// All five services as real processes, attacked with a seeded, bounded storm of hostile
/// requests: mutated recorded SRS bodies, forged secrets and sessions, random routes and
/// methods, oversized and mislabelled bodies, absurd query values. Nothing may answer 5xx, exit,
/// change the queue, show a stream key, or grow its memory much.
@Suite("Hostile input", .serialized)
struct HostileInputSystemTests {
    static let requestCount = 5_400
    static let seed: UInt64 = 0x5EED_0F_B1A5

    @Test func aStormOfHostileRequestsChangesNothingAndCrashesNothing() async throws {
        let system = try await RunningSystem.start(extra: ["SWAP_INTERVAL": "3600", "LEAD_GRACE_SECONDS": "0"])
        try await system.run { system in
            let consumers = try await Consumers.start(beside: system)
            do {
                try await storm(system, consumers)
                await consumers.stop()
            } catch {
                await consumers.stop()
                throw error
            }
        }
    }

    private func storm(_ system: RunningSystem, _ consumers: Consumers) async throws {
        let http = TestHTTP()
        let keys = [try await system.signUp("Lead Hostile"), try await system.signUp("Waiting Hostile")]
        #expect(try await system.publish(key: keys[0], client: "hostilelead1").status == 200)
        #expect(try await system.publish(key: keys[1], client: "hostilewait1").status == 200)
        let created = try await runCommand(
            "AccountService", ["admin", "create", "--email", "storm@example.org", "--dj-name", "Storm Admin"],
            environment: system.accounts.environment, input: "storm admin password"
        )
        #expect(created.status == 0, "\(created.output)")
        let login = try await http.send(
            .POST, "\(system.accounts.baseURL)/api/v1/login/access-token", body: "username=storm%40example.org&password=storm+admin+password",
            contentType: "application/x-www-form-urlencoded"
        )
        let adminToken = try #require(try login.json()["access_token"] as? String, "\(login.status) \(login.body)")

        let processes = system.processes + consumers.processes
        let queueBefore = try await system.queueJSON()
        let stateBefore = try await system.internalState()
        let memoryBefore = processes.map { ($0.name, residentKiB($0.pid)) }

        let targets = Targets(
            accounts: system.accounts.baseURL, queue: system.queue.baseURL, gateway: system.gateway.baseURL,
            bridge: consumers.bridge.baseURL, notifier: consumers.notifier.baseURL, adminToken: adminToken
        )
        let requests = try HostileRequests.make(count: Self.requestCount, seed: Self.seed, targets: targets)
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    for request in requests[lane...].striding(by: 8) {
                        await tally.record(request, try await send(request), keys: keys)
                    }
                }
            }
            try await group.waitForAll()
        }

        let report = await tally.report()
        let memoryAfter = processes.map { ($0.name, residentKiB($0.pid)) }
        let stillRunning = await processes.asyncMap { process in (process.name, await Self.answersHealth(process)) }
        var lines = ["hostile-input storm, seed \(Self.seed): \(report.sent) requests, \(report.serverErrors.count) 5xx, \(report.keyLeaks.count) key leaks, \(report.failures.count) transport failures"]
        lines += report.byCategory.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value) requests" }
        lines += report.byStatus.sorted { $0.key < $1.key }.map { "  HTTP \($0.key): \($0.value)" }
        lines += zip(memoryBefore, memoryAfter).map { "  \($0.0) RSS \($0.1) KiB → \($1.1) KiB" }
        lines += stillRunning.map { "  \($0.0) \($0.1 ? "still answering" : "GONE")" }
        lines += report.failures.prefix(20).map { "  no answer: \($0)" }
        try Artifacts.write("hostile-input.txt", lines.joined(separator: "\n") + "\n")

        #expect(report.sent >= 5_000)
        #expect(report.serverErrors.isEmpty, "5xx answers: \(report.serverErrors.prefix(10))")
        #expect(report.keyLeaks.isEmpty, "a stream key in an answer: \(report.keyLeaks.prefix(5))")
        // A server may close the connection on a megabyte body it refused before reading it all.
        let unanswered = report.failures.filter { !$0.contains("oversized") && !$0.contains("1 MB") }
        #expect(unanswered.isEmpty, "requests that got no answer at all: \(unanswered.prefix(10))")
        #expect(stillRunning.allSatisfy { $0.1 }, "a service stopped answering: \(stillRunning)")
        #expect(try await system.queueJSON() == queueBefore, "the queue changed")
        let stateAfter = try await system.internalState()
        #expect(stateAfter.lead?.djName == stateBefore.lead?.djName && stateAfter.waiting.map(\.djName) == stateBefore.waiting.map(\.djName))
        for ((name, before), (_, after)) in zip(memoryBefore, memoryAfter) {
            #expect(after <= 3 * before + 65_536, "\(name) grew from \(before) KiB to \(after) KiB")
        }
    }

    private func send(_ request: HostileRequest) async throws -> Result<Answer, any Error> {
        var http = HTTPClientRequest(url: request.url)
        http.method = request.method
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if let body = request.body { http.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await HTTPClient.shared.execute(http, timeout: .seconds(15))
            let bytes = try await response.body.collect(upTo: 32 << 20)
            return .success(Answer(status: Int(response.status.code), body: String(buffer: bytes)))
        } catch {
            return .failure(error)
        }
    }

    static func answersHealth(_ process: ServiceProcess) async -> Bool {
        guard let pid = process.pid, kill(pid, 0) == 0 else { return false }
        return (try? await TestHTTP().get("\(process.baseURL)/health").status) == 200
    }
}

/// OBSBridge (with no OBS to reach) and Notifier (with no webhook), beside a RunningSystem.
private struct Consumers {
    let bridge: ServiceProcess
    let notifier: ServiceProcess
    var processes: [ServiceProcess] { [bridge, notifier] }

    static func start(beside system: RunningSystem) async throws -> Consumers {
        var environment = TestSecrets.environment
        environment["ACCOUNT_SERVICE_URL"] = system.accounts.baseURL
        environment["QUEUE_SERVICE_URL"] = system.queue.baseURL
        environment["HOOK_GATEWAY_URL"] = system.gateway.baseURL
        environment["OBS_PORT"] = "9"
        var bridgeEnvironment = environment
        bridgeEnvironment["DATA_DIR"] = system.directory.appendingPathComponent("obsbridge").path
        var notifierEnvironment = environment
        notifierEnvironment["DATA_DIR"] = system.directory.appendingPathComponent("notifier").path
        let consumers = Consumers(
            bridge: ServiceProcess("OBSBridge", port: try freePort(), environment: bridgeEnvironment, logDirectory: system.directory),
            notifier: ServiceProcess("Notifier", port: try freePort(), environment: notifierEnvironment, logDirectory: system.directory)
        )
        try await consumers.bridge.start()
        try await consumers.notifier.start()
        return consumers
    }

    func stop() async {
        await notifier.stop()
        await bridge.stop()
    }
}

/// What a service answered, undecoded.
private struct Answer: Sendable {
    var status: Int
    var body: String
}

/// Counts what came back.
private actor Tally {
    struct Report {
        var sent = 0
        var byStatus: [Int: Int] = [:]
        var byCategory: [String: Int] = [:]
        var serverErrors: [String] = []
        var keyLeaks: [String] = []
        var failures: [String] = []
    }

    private var current = Report()

    func record(_ request: HostileRequest, _ result: Result<Answer, any Error>, keys: [String]) {
        current.sent += 1
        current.byCategory[request.category, default: 0] += 1
        switch result {
        case .success(let reply):
            current.byStatus[reply.status, default: 0] += 1
            if reply.status >= 500 { current.serverErrors.append("\(reply.status) \(request.summary): \(reply.body.prefix(200))") }
            if keys.contains(where: { reply.body.contains($0) }) { current.keyLeaks.append(request.summary) }
        case .failure(let error):
            current.failures.append("\(request.summary): \(error)")
        }
    }

    func report() -> Report { current }
}

private func residentKiB(_ pid: Int32?) -> Int {
    guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
}

extension ArraySlice {
    fileprivate func striding(by step: Int) -> [Element] {
        stride(from: startIndex, to: endIndex, by: step).map { self[$0] }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var results: [T] = []
        for element in self { results.append(await transform(element)) }
        return results
    }
}
