import Foundation
import Shared

/// Every service's `/ready`, OBSBridge's connection, Notifier's backlog and HookGateway's
/// recorder and relays, for the status panel.
struct ServiceStatusBoard: Sendable {
    struct Reading: Sendable {
        var name: String
        var ok: Bool
        var detail: String
    }

    let services: [(name: String, client: PeerClient)]
    let obsBridge: PeerClient
    let notifier: PeerClient
    let gateway: PeerClient

    func read() async -> (services: [Reading], obs: String, notifier: String, recording: String, outputs: String) {
        var readings: [Reading] = []
        for (name, client) in services {
            do {
                let reply = try await client.get("/ready", timeout: .seconds(2))
                readings.append(Reading(name: name, ok: reply.status == 200, detail: String(String(buffer: reply.body).prefix(300))))
            } catch {
                readings.append(Reading(name: name, ok: false, detail: "\(error)"))
            }
        }
        let obs = await status(of: obsBridge, as: OBSBridgeStatus.self).map(Self.describe) ?? Self.unreachable
        let notifier = await status(of: self.notifier, as: NotifierStatus.self).map(Self.describe) ?? Self.unreachable
        let gateway = await status(of: self.gateway, as: HookGatewayStatus.self)
        return (readings, obs, notifier, gateway.map { Self.describe($0.recording) } ?? Self.unreachable, gateway.map { Self.describe($0.outputs) } ?? Self.unreachable)
    }

    static let unreachable = "not reachable"

    static func describe(_ status: OBSBridgeStatus) -> String {
        let obs = status.obs
        return "\(obs.state.rawValue)\(obs.lastError.map { " — \($0)" } ?? "")\(obs.obsVersion.map { " · OBS \($0)" } ?? "")"
    }

    static func describe(_ status: NotifierStatus) -> String {
        let webhooks = status.webhooks.map { "\($0.webhook): \($0.state.rawValue)" }
        return "backlog \(status.backlog) events; " + (webhooks.isEmpty ? (status.note ?? "no webhooks") : webhooks.joined(separator: ", "))
    }

    static func describe(_ status: RecordingStatus) -> String {
        let state = switch status.state {
        case .off: "off (RECORD_STREAM)"
        case .idle: "on, nobody on air"
        case .recording: "recording \(status.djName ?? "")"
        case .stoppedForSpace: "stopped: less than \(status.minimumFreeMegabytes) MB free (the broadcast goes on)"
        }
        let free = status.freeMegabytes.map { " · \($0) MB free" } ?? ""
        return state + free + (status.lastError.map { " · last error: \($0)" } ?? "")
    }

    static func describe(_ status: OutputsStatus?) -> String {
        guard let status else { return "no relays" }
        let source = "\(status.source) \(status.sourceLive ? "live" : "not live")"
        let targets = status.targets.map { target in
            "\(target.name): \(target.enabled ? target.state.rawValue : "disabled")\(target.kbps.map { " \(Int($0)) kbps" } ?? "")\(target.lastError.map { " (\($0))" } ?? "")"
        }
        return ([source] + (targets.isEmpty ? ["no targets"] : targets)).joined(separator: " · ")
    }

    private func status<Status: Decodable>(of client: PeerClient, as type: Status.Type) async -> Status? {
        guard let reply = try? await client.get("/status", timeout: .seconds(2)), reply.status == 200 else { return nil }
        return try? reply.decode(type)
    }
}
