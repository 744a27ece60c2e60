import Foundation
import Shared
import Testing
@testable import Notifier

@Suite struct AnnouncerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func event(_ type: QueueEventType, _ dj: String, reason: DepartureReason? = nil, startedAt: Date? = nil, position: Int? = nil) -> QueueEvent {
        QueueEvent(seq: 1, time: t0, type: type, payload: QueueEventPayload(djName: dj, position: position, reason: reason, startedAt: startedAt))
    }

    @Test func theDefaultsAreTheOriginalsTexts() {
        let announcer = Announcer()
        #expect(announcer.message(for: event(.turnStarted, "Night Owl"), context: .init())?.content == "Night Owl has now started streaming!")
        #expect(announcer.message(for: event(.turnEnded, "Night Owl", reason: .timeLimit), context: .init())?.content == "Night Owl has stopped streaming.")
        #expect(announcer.message(for: event(.leadDisconnected, "Night Owl"), context: .init()) == nil, "a blip stays silent")
    }

    @Test func templatesCanNameTheReasonAndWhoIsNext() {
        var announcer = Announcer()
        announcer.ended = "{dj_name} is off ({reason}) after {duration}; next: {next}"
        let text = announcer.message(for: event(.turnEnded, "Night Owl", reason: .skipped, startedAt: t0 - 3725), context: .init(upNext: "Day Bird"))?.content
        #expect(text == "Night Owl is off (skipped by an admin) after 1h 02m; next: Day Bird")
    }

    @Test func aTurnEndedForADeadStreamHasItsOwnTemplateNamingWhoTookOver() {
        let announcer = Announcer()
        let stalled = event(.turnEnded, "Night Owl", reason: .stalled, startedAt: t0 - 600)
        #expect(announcer.message(for: stalled, context: .init(upNext: "Lark", onAir: "Day Bird"))?.content == "⚠️ Night Owl's stream stalled — moving on to Day Bird.")
        #expect(announcer.message(for: stalled, context: .init(upNext: nil, onAir: "Night Owl"))?.content == "⚠️ Night Owl's stream stalled — moving on to nobody yet.")
        #expect(announcer.message(for: event(.turnEnded, "Night Owl", reason: .skipped), context: .init(onAir: "Day Bird"))?.content == "Night Owl has stopped streaming.")
        #expect(announcer.message(for: event(.leadStalled, "Night Owl"), context: .init()) == nil, "a stall alone stays silent")

        var custom = Announcer()
        custom.stalled = "{dj_name} froze ({reason}); {next} is on"
        #expect(custom.message(for: stalled, context: .init(onAir: "Day Bird"))?.content == "Night Owl froze (their stream stalled); Day Bird is on")
    }

    @Test func embedsCarryTheDJTimeOnAirAndUpNext() throws {
        var announcer = Announcer()
        announcer.embeds = true
        let message = try #require(announcer.message(for: event(.turnEnded, "Night Owl", reason: .timeLimit, startedAt: t0 - 90), context: .init(upNext: "Day Bird")))
        let body = message.body(username: nil)
        let embed = try #require((body["embeds"] as? [[String: Any]])?.first)
        let fields = try #require(embed["fields"] as? [[String: Any]])
        #expect(fields.map { $0["name"] as? String } == ["DJ", "Time on air", "Why", "Up next"])
        #expect(fields[1]["value"] as? String == "1m 30s")
        #expect(fields[3]["value"] as? String == "Day Bird")
    }

    @Test func embedsShowTheDJsPictureAsTheirThumbnail() throws {
        var announcer = Announcer()
        announcer.embeds = true
        let picture = "https://motherstream.example.org/pictures/AbCdEfGhIjKlMnOpQrStUv.jpg"
        let started = QueueEvent(seq: 1, time: t0, type: .turnStarted, payload: QueueEventPayload(djName: "Night Owl", startedAt: t0, pictureUrl: picture))
        let embed = try #require((announcer.message(for: started, context: .init())?.body(username: nil)["embeds"] as? [[String: Any]])?.first)
        #expect((embed["thumbnail"] as? [String: Any])?["url"] as? String == picture)

        let ended = QueueEvent(seq: 2, time: t0, type: .turnEnded, payload: QueueEventPayload(djName: "Night Owl", reason: .left, startedAt: t0 - 60, pictureUrl: picture))
        #expect(announcer.message(for: ended, context: .init())?.embeds.first?.thumbnailURL == picture)

        let without = try #require((announcer.message(for: event(.turnStarted, "Day Bird"), context: .init())?.body(username: nil)["embeds"] as? [[String: Any]])?.first)
        #expect(without["thumbnail"] == nil, "no picture, no thumbnail")
        for unusable in ["/pictures/AbCdEfGhIjKlMnOpQrStUv.jpg", "javascript:alert(1)", "ftp://example.org/x.jpg"] {
            let event = QueueEvent(seq: 3, time: t0, type: .turnStarted, payload: QueueEventPayload(djName: "Night Owl", pictureUrl: unusable))
            #expect(announcer.message(for: event, context: .init())?.embeds.first?.thumbnailURL == nil, "Discord cannot fetch \(unusable)")
        }
        #expect(Announcer().message(for: started, context: .init())?.embeds.isEmpty == true, "plain messages stay plain")
    }

    @Test func djTextCanNeverPingAnyone() throws {
        let message = try #require(Announcer().message(for: event(.turnStarted, "@everyone"), context: .init()))
        let body = message.body(username: nil)
        #expect((body["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
    }

    @Test func contentAndEmbedsStayWithinDiscordsLimits() throws {
        let long = String(repeating: "x", count: 5000)
        let content = DiscordMessage(content: long).body(username: nil)["content"] as? String
        #expect(content?.count == 2000)
        let embed = DiscordMessage(content: nil, embeds: [.init(title: long, description: long, fields: (0..<40).map { _ in .init(name: long, value: long, inline: false) })])
        let object = try #require((embed.body(username: nil)["embeds"] as? [[String: Any]])?.first)
        let title = object["title"] as? String ?? "", description = object["description"] as? String ?? ""
        let fields = object["fields"] as? [[String: Any]] ?? []
        #expect(title.count == 256 && description.count == 4096)
        #expect(fields.count <= 25)
        let total = title.count + description.count + fields.reduce(0) { $0 + (($1["name"] as? String)?.count ?? 0) + (($1["value"] as? String)?.count ?? 0) }
        #expect(total <= 6000)
    }

    @Test func webhookLabelsNeverShowTheToken() throws {
        let targets = try WebhookTarget.parse(["https://discord.com/api/webhooks/123456/SECRET-TOKEN", "https://discord.com/api/webhooks/789/OTHER|started,joined"])
        #expect(targets[0].label == "#1 webhook 123456/***")
        #expect(!targets[0].label.contains("SECRET"))
        #expect(targets[0].kinds == [.started, .ended])
        #expect(targets[1].kinds == [.started, .joined])
        #expect(throws: WebhookConfigurationError.self) { try WebhookTarget.parse(["not a url"]) }
        #expect(throws: WebhookConfigurationError.self) { try WebhookTarget.parse(["https://discord.com/api/webhooks/1/x|everything"]) }
    }
}

extension Date {
    static func - (date: Date, seconds: Double) -> Date { date.addingTimeInterval(-seconds) }
}
