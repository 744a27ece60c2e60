import Foundation
import Shared

/// Every service's `/ready`, OBSBridge's connection, Notifier's backlog and HookGateway's
/// recorder and relays, for the status panel.
struct ServiceStatusBoard: Sendable {
    struct Reading: Sendable {
        var name: String
        /// `ready`, `not ready` or `not reachable`.
        var state: String
        var ok: Bool
        var detail: String
    }

    let services: [(name: String, client: PeerClient)]
    let obsBridge: PeerClient
    let notifier: PeerClient
    let gateway: PeerClient

    /// Every read at once: a service that is down costs its deadline (a refused connection is
    /// retried until then), and read one after another the panel took the sum of them — seconds
    /// for each service down, just when an operator opens it to see why.
    func read() async -> (services: [Reading], obs: String, obsOK: Bool, notifier: String, ingest: String, ingestOK: Bool, recording: String, outputs: String) {
        async let obsRead = status(of: obsBridge, as: OBSBridgeStatus.self)
        async let notifierRead = status(of: self.notifier, as: NotifierStatus.self)
        async let gatewayRead = status(of: self.gateway, as: HookGatewayStatus.self)
        let readings = await withTaskGroup(of: (Int, Reading).self) { group in
            for (index, service) in services.enumerated() {
                group.addTask { (index, await reading(service.name, service.client)) }
            }
            var inOrder = [Reading?](repeating: nil, count: services.count)
            for await (index, reading) in group { inOrder[index] = reading }
            return inOrder.compactMap { $0 }
        }
        let obs = await obsRead
        let notifier = await notifierRead.map(Self.describe) ?? Self.unreachable
        let gateway = await gatewayRead
        return (
            readings, obs.map(Self.describe) ?? Self.unreachable, obs?.obs.state == .connected, notifier,
            gateway?.ingest.map(Self.describe) ?? Self.unreachable, gateway?.ingest?.reachable == true,
            gateway.map { Self.describe($0.recording) } ?? Self.unreachable, gateway.map { Self.describe($0.outputs) } ?? Self.unreachable
        )
    }

    /// One service in words: up how long, which release, and what it waits for when not ready.
    private func reading(_ name: String, _ client: PeerClient) async -> Reading {
        guard let health = try? await client.get("/health", timeout: .seconds(2)), health.status == 200, let report = try? health.decode(HealthReport.self) else {
            return Reading(name: name, state: "not reachable", ok: false, detail: "Nothing answers at \(client.baseURL): the service is down or not at this address.")
        }
        let up = "up \(Self.duration(report.uptimeSeconds))" + (report.version.map { " · release \($0)" } ?? "")
        guard let ready = try? await client.get("/ready", timeout: .seconds(3)), let checks = try? ready.decode(ReadinessReport.self) else {
            return Reading(name: name, state: "not ready", ok: false, detail: up + " · its readiness could not be read")
        }
        let waiting = checks.checks.filter { $0.value != "ok" }.sorted { $0.key < $1.key }
        if waiting.isEmpty { return Reading(name: name, state: "ready", ok: true, detail: up + " · everything it needs answers") }
        let problems = waiting.map { "\($0.key) \(Self.plain($0.value))" }.joined(separator: "; ")
        return Reading(name: name, state: "not ready", ok: false, detail: up + " · waiting for " + problems)
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min" }
        if total < 86_400 { return "\(total / 3600) h \(total % 3600 / 60) min" }
        return "\(total / 86_400) days \(total % 86_400 / 3600) h"
    }

    /// A peer's problem as an operator reads it, not as the networking library says it.
    static func plain(_ problem: String) -> String {
        if problem.contains("did not answer within") { return "(it does not answer in time)" }
        if problem.contains("is unreachable") || problem.contains("onnection refused") { return "(nothing answers at its address)" }
        if let status = problem.firstMatch(of: /answered HTTP (\d+)/)?.1 { return "(it answers HTTP \(status))" }
        return "(\(problem.prefix(120)))"
    }

    static let unreachable = "Unknown: the service that would say does not answer (see Services above)."

    static func describe(_ status: OBSBridgeStatus) -> String {
        let obs = status.obs
        let problem = obs.lastError.map { ": \($0)" } ?? ""
        return switch obs.state {
        case .connected: "Connected to OBS\(obs.obsVersion.map { " \($0)" } ?? "") at \(obs.url); it shows whoever is on air."
        case .connecting: "Connecting to OBS at \(obs.url)…\(problem.isEmpty ? "" : " The last try failed\(problem).")"
        case .disconnected: "Not connected to OBS at \(obs.url)\(problem). OBSBridge keeps trying; check that OBS runs with its websocket server on."
        case .configurationError: "OBS refuses OBSBridge\(problem). Check OBS_PASSWORD and that OBS has obs-websocket 5; it is retried slowly until fixed."
        case .kicked: "Someone disconnected OBSBridge in OBS's websocket session list. It waits: reconnect it with POST /internal/v1/reconnect on OBSBridge."
        }
    }

    static func describe(_ status: NotifierStatus) -> String {
        let backlog = status.backlog == 0 ? "Every announcement is sent." : "\(status.backlog) announcement\(status.backlog == 1 ? "" : "s") waiting to go out."
        let webhooks = status.webhooks.map { "webhook \($0.webhook): \($0.state.rawValue.replacingOccurrences(of: "_", with: " "))" }
        return backlog + " " + (webhooks.isEmpty ? (status.note ?? "No Discord webhook is set (DISCORD_WEBHOOK_URL).") : webhooks.joined(separator: ", ") + ".")
    }

    static func describe(_ status: IngestStatus) -> String {
        let name = status.server == "nginx-rtmp" ? "nginx-rtmp" : "SRS"
        guard status.reachable else { return "\(name) cannot be read by HookGateway: \(plain(status.lastError ?? "unknown"))." }
        let count = status.publishers ?? 0
        return "\(name) answers; \(count) stream\(count == 1 ? "" : "s") published now."
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
