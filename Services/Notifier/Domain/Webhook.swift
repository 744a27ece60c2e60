import Foundation

/// Which events a webhook wants.
enum AnnouncementKind: String, Sendable {
    /// A DJ went on air.
    case started
    /// A DJ's turn ended (with the reason).
    case ended
    /// A DJ joined the waiting line.
    case joined
    /// The broadcast went out to the platforms, or stopped (`broadcast.started` / `broadcast.ended`).
    case broadcast
}

/// One Discord webhook and its filter, from `DISCORD_WEBHOOK_URL(S)`: `URL` or `URL|started,ended,joined,broadcast`.
struct WebhookTarget: Sendable, Equatable {
    let index: Int
    let url: String
    let kinds: Set<AnnouncementKind>
    /// No filter was given: the broadcast's start and end are announced too.
    var unfiltered = false

    static let defaultKinds: Set<AnnouncementKind> = [.started, .ended]

    /// For logs and `/status`: the webhook id, never its token.
    var label: String {
        let parts = url.split(separator: "/")
        if let id = parts.dropLast().last, parts.count >= 2 { return "#\(index) webhook \(id)/***" }
        return "#\(index)"
    }

    /// What this webhook announces: its filter's kinds, or without one the turns and the broadcast.
    var announced: Set<AnnouncementKind> {
        unfiltered ? kinds.union([.broadcast]) : kinds
    }

    static func parse(_ entries: [String]) throws -> [WebhookTarget] {
        try entries.enumerated().map { offset, entry in
            let pieces = entry.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let url = pieces[0]
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""), components.host != nil else {
                throw WebhookConfigurationError(message: "webhook \(offset + 1) is not an http(s) URL")
            }
            var kinds = defaultKinds
            if pieces.count > 1 {
                kinds = []
                for name in pieces[1].split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    guard let kind = AnnouncementKind(rawValue: name) else {
                        throw WebhookConfigurationError(message: "webhook \(offset + 1): unknown event \"\(name)\" (use started, ended, joined, broadcast)")
                    }
                    kinds.insert(kind)
                }
            }
            return WebhookTarget(index: offset + 1, url: url, kinds: kinds, unfiltered: pieces.count == 1)
        }
    }
}

struct WebhookConfigurationError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
