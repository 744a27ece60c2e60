import Configuration
import Foundation
import Shared
import Testing
import TestSupport
@testable import Notifier

/// The broadcast's start and end (`broadcast.started` / `broadcast.ended` from HookGateway).
@Suite struct BroadcastAnnouncementTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    var started: QueueEvent { QueueEvent(seq: 7, time: t0, type: .broadcastStarted, payload: QueueEventPayload(startedAt: t0, source: "programme")) }
    var ended: QueueEvent {
        QueueEvent(seq: 9, time: t0 + 7500, type: .broadcastEnded, payload: QueueEventPayload(startedAt: t0, seconds: 7500, source: "programme"))
    }

    @Test func theDefaultsAnnounceTheBroadcastWithoutNamingADJ() {
        let announcer = Announcer()
        #expect(announcer.kind(of: started) == .broadcast && announcer.kind(of: ended) == .broadcast)
        #expect(announcer.message(for: started, context: .init(onAir: "Night Owl"))?.content == "🔴 The broadcast is live!")
        #expect(announcer.message(for: ended, context: .init())?.content == "The broadcast has ended after 2h 05m.")
    }

    @Test func theTemplatesComeFromTheirVariables() throws {
        let config = try NotifierConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: TestSecrets.environment.merging([
            "DISCORD_TEMPLATE_BROADCAST_STARTED": "We are live ({source}) with {on_air}!",
            "DISCORD_TEMPLATE_BROADCAST_ENDED": "Off air after {duration}.",
        ]) { $1 })))
        #expect(config.announcer.message(for: started, context: .init(onAir: "Night Owl"))?.content == "We are live (programme) with Night Owl!")
        #expect(config.announcer.message(for: started, context: .init())?.content == "We are live (programme) with nobody yet!")
        #expect(config.announcer.message(for: ended, context: .init())?.content == "Off air after 2h 05m.")
    }

    @Test func aWebhookGetsThemByDefaultAndCanOptOut() throws {
        let url = "https://discord.com/api/webhooks/1/abc"
        let targets = try WebhookTarget.parse([url, "\(url)|started,ended", "\(url)|broadcast"])
        #expect(targets.map { $0.announced.contains(.broadcast) } == [true, false, true])
        #expect(targets.map(\.announced) == [[.started, .ended, .broadcast], [.started, .ended], [.broadcast]])
    }

    @Test func embedsTitleTheBroadcast() throws {
        var announcer = Announcer()
        announcer.embeds = true
        let embed = try #require(announcer.message(for: started, context: .init())?.embeds.first)
        #expect(embed.title == "🔴 The broadcast is live!")
        #expect(embed.timestamp == t0)
    }
}
