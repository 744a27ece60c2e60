import Foundation
import Testing
import TestSupport

let fiveServicesOBSPassword = "obs-password-1"

/// All five services as real processes — the three of `RunningSystem`, then OBSBridge against a
/// fake OBS and Notifier against a fake Discord with one webhook (`1001`) — with `extra` set for
/// every one of them. The consumers come second in `body`: OBSBridge, then Notifier.
func withFiveServices<T>(extra: [String: String] = [:], _ body: (RunningSystem, [ServiceProcess]) async throws -> T) async throws -> T {
    let discord = try await FakeDiscord.start()
    let obs: FakeOBS
    do { obs = try await FakeOBS.start(password: fiveServicesOBSPassword) } catch {
        await discord.stop()
        throw error
    }
    let system: RunningSystem
    do {
        system = try await RunningSystem.start(extra: ["LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"].merging(extra) { $1 })
    } catch {
        await discord.stop()
        await obs.shutDown()
        throw error
    }
    var environment = TestSecrets.environment.merging(extra) { $1 }
    environment["ACCOUNT_SERVICE_URL"] = system.accounts.baseURL
    environment["QUEUE_SERVICE_URL"] = system.queue.baseURL
    environment["HOOK_GATEWAY_URL"] = system.gateway.baseURL
    func consumer(_ name: String, _ extra: [String: String]) throws -> ServiceProcess {
        var settings = environment.merging(extra) { $1 }
        settings["DATA_DIR"] = system.directory.appendingPathComponent(name.lowercased()).path
        return ServiceProcess(name, port: try freePort(), environment: settings, logDirectory: system.directory)
    }
    let consumers = [
        try consumer("OBSBridge", ["OBS_PORT": "\(obs.port)", "OBS_PASSWORD": fiveServicesOBSPassword, "OBS_RECONNECT_DELAY_SECONDS": "1"]),
        try consumer("Notifier", ["DISCORD_WEBHOOK_URLS": discord.url(webhook: "1001")]),
    ]
    func stopConsumers() async {
        for process in consumers { await process.stop() }
        await discord.stop()
        await obs.shutDown()
    }
    var result: T?
    do {
        try await system.run { system in
            do {
                for process in consumers { try await process.start() }
                result = try await body(system, consumers)
            } catch {
                throw ServiceProcessError("\(error)\n" + consumers.map { "--- \($0.name) ---\n\($0.tail(3000))" }.joined(separator: "\n"))
            }
            await stopConsumers()
        }
    } catch {
        await stopConsumers()
        throw error
    }
    return try #require(result)
}
