import Foundation
import Shared

/// Every service's `/ready`, OBSBridge's connection and Notifier's backlog, for the status panel.
struct ServiceStatusBoard: Sendable {
    struct Reading: Sendable {
        var name: String
        var ok: Bool
        var detail: String
    }

    let services: [(name: String, client: PeerClient)]
    let obsBridge: PeerClient
    let notifier: PeerClient

    func read() async -> (services: [Reading], obs: String, notifier: String) {
        var readings: [Reading] = []
        for (name, client) in services {
            do {
                let reply = try await client.get("/ready", timeout: .seconds(2))
                readings.append(Reading(name: name, ok: reply.status == 200, detail: String(String(buffer: reply.body).prefix(300))))
            } catch {
                readings.append(Reading(name: name, ok: false, detail: "\(error)"))
            }
        }
        let obs = await summary(obsBridge) { status in
            let obs = status["obs"] as? [String: Any] ?? [:]
            return "\(obs["state"] as? String ?? "?")\((obs["last_error"] as? String).map { " — \($0)" } ?? "")\((obs["obs_version"] as? String).map { " · OBS \($0)" } ?? "")"
        }
        let notifier = await summary(self.notifier) { status in
            let webhooks = (status["webhooks"] as? [[String: Any]] ?? []).map { "\($0["webhook"] as? String ?? "?"): \($0["state"] as? String ?? "?")" }
            return "backlog \(status["backlog"] as? Int ?? 0) events; " + (webhooks.isEmpty ? (status["note"] as? String ?? "no webhooks") : webhooks.joined(separator: ", "))
        }
        return (readings, obs, notifier)
    }

    private func summary(_ client: PeerClient, _ describe: ([String: Any]) -> String) async -> String {
        guard let reply = try? await client.get("/status", timeout: .seconds(2)), reply.status == 200,
              let status = try? JSONSerialization.jsonObject(with: Data(buffer: reply.body)) as? [String: Any]
        else { return "not reachable" }
        return describe(status)
    }
}
