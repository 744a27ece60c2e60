import Foundation
import Shared

/// What the night page's Outputs panel says about each target, from HookGateway's overview:
/// words and figures an admin reads at a glance, the stream key only as its masked tail.
struct OutputsPanel: Codable, Sendable, Equatable {
    struct Target: Codable, Sendable, Equatable {
        var id: UUID
        var name: String
        var url: String
        var keyHint: String
        var enabled: Bool
        var state: OutputState
        /// "Live", "Connecting…", "Failing", "Off" (or "Disabled").
        var status: String
        var bitrate: String
        var uptime: String
        /// The relay's last error and when it is tried again; nil when nothing is wrong.
        var problem: String?
    }

    /// "The programme (OBS's output): live", or which lead is relayed.
    var source: String
    var sourceLive: Bool
    var targets: [Target]

    init(_ overview: OutputsOverview) {
        let origin = overview.source == "lead" ? "The lead's own stream" : "The programme (OBS's output)"
        source = origin + (overview.sourceLive ? ": live" : ": not live")
        sourceLive = overview.sourceLive
        targets = overview.targets.map(Self.target)
    }

    static func target(_ view: OutputTargetView) -> Target {
        let status: String = switch view.state {
        case .live: "Live"
        case .connecting: "Connecting…"
        case .failing: "Failing"
        case .off: view.enabled ? "Off" : "Disabled"
        }
        // An error from before the relay came back is history, not a problem.
        var problem = view.state == .live ? nil : view.lastError
        if view.state == .failing, let retry = view.retryInSeconds {
            problem = (problem ?? "The relay stopped") + " — retry in \(Int(retry.rounded(.up))) s"
        }
        return Target(
            id: view.id, name: view.name, url: view.url, keyHint: view.keyHint, enabled: view.enabled, state: view.state, status: status,
            bitrate: view.state == .live ? StreamHealthPanel.bitrate(view.kbps.map { Int($0.rounded()) }) : "—",
            uptime: view.state == .live ? view.uptimeSeconds.map(FigureText.clock) ?? "—" : "—",
            problem: problem
        )
    }
}
