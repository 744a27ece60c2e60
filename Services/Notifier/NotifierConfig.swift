import Configuration
import Foundation
import Shared

/// Notifier's settings, read once at start (names of the original where it had them).
struct NotifierConfig: Sendable {
    var settings: ServiceSettings
    var internalToken: Secret
    var jwtSecret: Secret
    var webhooks: [WebhookTarget]
    /// `TOGGLE_DISCORD_NOTIFICATIONS=false` consumes and counts events without sending, as the original.
    var sending: Bool
    var announcer: Announcer
    var username: String?

    init(reader: ConfigReader) throws {
        settings = try ServiceSettings(service: .notifier, reader: reader)
        internalToken = try reader.internalToken()
        jwtSecret = try reader.jwtSecret()
        var entries: [String] = []
        if let single = reader.string(forKey: "discord.webhook.url", isSecret: true), !single.isEmpty { entries.append(single) }
        if let list = reader.string(forKey: "discord.webhook.urls", isSecret: true) {
            entries += list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        do {
            webhooks = try WebhookTarget.parse(entries)
        } catch {
            throw ConfigurationError("DISCORD_WEBHOOK_URL(S): \(error)")
        }
        sending = reader.string(forKey: "toggle.discord.notifications").map { $0.lowercased() != "false" } ?? true
        var announcer = Announcer()
        announcer.started = reader.string(forKey: "discord.template.started", default: announcer.started)
        announcer.ended = reader.string(forKey: "discord.template.ended", default: announcer.ended)
        announcer.joined = reader.string(forKey: "discord.template.joined", default: announcer.joined)
        announcer.stalled = reader.string(forKey: "discord.template.stalled", default: announcer.stalled)
        announcer.broadcastStarted = reader.string(forKey: "discord.template.broadcast.started", default: announcer.broadcastStarted)
        announcer.broadcastEnded = reader.string(forKey: "discord.template.broadcast.ended", default: announcer.broadcastEnded)
        announcer.embeds = reader.string(forKey: "discord.style") == "embed"
        self.announcer = announcer
        username = reader.string(forKey: "discord.username").flatMap { $0.isEmpty ? nil : $0 }
        if let username, username.lowercased().contains("discord") || username.contains("@") || username.contains("#") || username.contains(":") {
            throw ConfigurationError("DISCORD_USERNAME may not contain @, #, : or \"discord\" (Discord refuses such names).")
        }
    }
}
