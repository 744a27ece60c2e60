import Foundation
import Shared

/// Turns queue events into what Discord should say. The default texts are the original's.
struct Announcer: Sendable, Equatable {
    var started = "{dj_name} has now started streaming!"
    var ended = "{dj_name} has stopped streaming."
    var joined = "{dj_name} joined the queue (number {position})."
    /// A turn ended because nothing arrived from the DJ's encoder; `{next}` is who took over.
    var stalled = "⚠️ {dj_name}'s stream stalled — moving on to {next}."
    /// The broadcast went out to the platforms; `{source}` is `programme` or `lead`, `{on_air}` who is on air.
    var broadcastStarted = "🔴 The broadcast is live!"
    /// The broadcast stopped going out; `{duration}` is how long it was live.
    var broadcastEnded = "The broadcast has ended after {duration}."
    /// Plain `content`, or an embed with DJ name, time on air and who is up next.
    var embeds = false

    struct Context: Sendable, Equatable {
        /// The first waiting DJ when the event was processed, for "up next".
        var upNext: String?
        /// The DJ on air when the event was processed: after a skip, the one who took over.
        var onAir: String?
    }

    func kind(of event: QueueEvent) -> AnnouncementKind? {
        switch event.type {
        case .turnStarted: .started
        case .turnEnded: .ended
        case .djJoined: .joined
        case .broadcastStarted, .broadcastEnded: .broadcast
        default: nil
        }
    }

    func message(for event: QueueEvent, context: Context) -> DiscordMessage? {
        guard let kind = kind(of: event) else { return nil }
        if kind == .broadcast { return broadcastMessage(for: event, context: context) }
        guard let dj = event.payload.djName else { return nil }
        let skippedStall = kind == .ended && event.payload.reason == .stalled
        let template = switch kind {
        case .started: started
        case .ended: skippedStall ? stalled : ended
        case .joined: joined
        case .broadcast: broadcastStarted
        }
        let takeover = context.onAir.flatMap { $0 == dj ? nil : $0 } ?? context.upNext
        let onAir = event.payload.startedAt.map { Self.duration(event.time.timeIntervalSince($0)) }
        let values = [
            "dj_name": dj, "reason": event.payload.reason.map(Self.reason) ?? "", "position": event.payload.position.map(String.init) ?? "",
            "duration": onAir ?? "", "next": (skippedStall ? takeover : context.upNext) ?? "nobody yet",
        ]
        let text = values.reduce(template) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        guard embeds, kind != .joined else { return DiscordMessage(content: text) }
        var fields = [DiscordMessage.Embed.Field(name: "DJ", value: dj, inline: true)]
        if kind == .ended, let onAir {
            fields.append(.init(name: "Time on air", value: onAir, inline: true))
            fields.append(.init(name: "Why", value: Self.reason(event.payload.reason ?? .left), inline: true))
        }
        fields.append(.init(name: "Up next", value: context.upNext ?? "nobody yet", inline: true))
        return DiscordMessage(content: nil, embeds: [
            DiscordMessage.Embed(
                title: text, description: nil, timestamp: event.time, color: kind == .started ? 0x2ECC71 : 0x95A5A6, fields: fields,
                thumbnailURL: event.payload.pictureUrl.flatMap(Self.absoluteWebURL)
            ),
        ])
    }

    /// The broadcast's start and end name no DJ: the programme may carry anyone, or no one yet.
    private func broadcastMessage(for event: QueueEvent, context: Context) -> DiscordMessage {
        let live = event.type == .broadcastStarted
        let values = [
            "source": event.payload.source ?? "", "on_air": context.onAir ?? "nobody yet",
            "duration": Self.duration(event.payload.seconds ?? event.payload.startedAt.map { event.time.timeIntervalSince($0) } ?? 0),
        ]
        let text = values.reduce(live ? broadcastStarted : broadcastEnded) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        guard embeds else { return DiscordMessage(content: text) }
        return DiscordMessage(content: nil, embeds: [
            DiscordMessage.Embed(title: text, description: nil, timestamp: event.time, color: live ? 0xE74C3C : 0x95A5A6, fields: [], thumbnailURL: nil),
        ])
    }

    /// Only an absolute http(s) address can be a thumbnail; anything else is left out rather than
    /// have Discord refuse the whole message.
    static func absoluteWebURL(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host?.isEmpty == false else {
            return nil
        }
        return text
    }

    static func reason(_ reason: DepartureReason) -> String {
        switch reason {
        case .left: "left"
        case .timeLimit: "their time was up"
        case .skipped: "skipped by an admin"
        case .dropped: "dropped and did not come back"
        case .removed: "removed by an admin"
        case .cleared: "the queue was cleared"
        case .stalled: "their stream stalled"
        }
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds.rounded()))
        return total >= 3600 ? String(format: "%dh %02dm", total / 3600, total % 3600 / 60) : String(format: "%dm %02ds", total / 60, total % 60)
    }
}
