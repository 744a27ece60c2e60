import Foundation

/// An Execute Webhook body (reference/protocols.md §4.1), kept within Discord's limits and never
/// able to ping: DJ names are user-supplied, so `allowed_mentions` parses nothing.
struct DiscordMessage: Sendable, Equatable {
    struct Embed: Sendable, Equatable {
        struct Field: Sendable, Equatable {
            var name: String
            var value: String
            var inline: Bool
        }

        var title: String?
        var description: String?
        var timestamp: Date?
        var color: Int?
        var fields: [Field] = []
        /// The small picture at the embed's top right: the DJ's profile picture. Discord fetches it
        /// itself, so it must be an absolute http(s) URL it can reach.
        var thumbnailURL: String?
    }

    var content: String?
    var embeds: [Embed] = []

    static let contentLimit = 2000

    /// The JSON Discord receives. Text is trimmed to the limits: content 2000; embed title 256,
    /// description 4096, 25 fields of 256/1024; 6000 characters across the embed.
    func body(username: String?) -> [String: Any] {
        var body: [String: Any] = ["allowed_mentions": ["parse": [String]()]]
        if let username { body["username"] = username }
        if let content { body["content"] = Self.clip(content, Self.contentLimit) }
        if !embeds.isEmpty {
            body["embeds"] = embeds.prefix(10).map { embed -> [String: Any] in
                var budget = 6000
                func take(_ text: String, _ limit: Int) -> String {
                    let clipped = Self.clip(text, min(limit, budget))
                    budget -= clipped.count
                    return clipped
                }
                var object: [String: Any] = ["type": "rich"]
                if let title = embed.title { object["title"] = take(title, 256) }
                if let description = embed.description { object["description"] = take(description, 4096) }
                if let color = embed.color { object["color"] = color }
                if let timestamp = embed.timestamp { object["timestamp"] = ISO8601DateFormatter().string(from: timestamp) }
                if let thumbnail = embed.thumbnailURL { object["thumbnail"] = ["url": thumbnail] }
                object["fields"] = embed.fields.prefix(25).compactMap { field -> [String: Any]? in
                    guard budget > 2 else { return nil }
                    return ["name": take(field.name, 256), "value": take(field.value, 1024), "inline": field.inline]
                }
                return object
            }
        }
        return body
    }

    private static func clip(_ text: String, _ limit: Int) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count > limit else { return trimmed }
        return String(trimmed.prefix(max(0, limit - 1))) + "…"
    }
}
