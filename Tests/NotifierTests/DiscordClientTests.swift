import Foundation
import Shared
import Testing
import TestSupport
@testable import Notifier

/// The real `DiscordClient` against the fake Discord, which holds requests to the reference's
/// rules: what the client sends is what Discord accepts, and what Discord answers maps to the
/// policy's outcomes.
@Suite struct DiscordClientTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func withDiscord(_ body: (FakeDiscord, DiscordClient) async throws -> Void) async throws {
        let discord = try await FakeDiscord.start()
        let http = HTTPClientService()
        let client = DiscordClient(http: http.client, userAgent: "DiscordBot (https://example.org, 1.0)", username: "Motherstream")
        do {
            try await body(discord, client)
        } catch {
            try? await http.client.shutdown()
            await discord.stop()
            throw error
        }
        try await http.client.shutdown()
        await discord.stop()
    }

    @Test func anAcceptedMessageComesBackWithTheBucketsHeaders() async throws {
        try await withDiscord { discord, client in
            let answer = await client.post(DiscordMessage(content: "Night Owl has now started streaming!"), to: discord.url(webhook: "42"))
            #expect(answer.status == 200, "wait=true returns the message")
            #expect(answer.headers["via"] != nil && answer.headers["x-ratelimit-remaining"] == "4")
            let message = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
            #expect(message?["webhook_id"] as? String == "42")
            #expect(DeliveryPolicy().outcome(status: answer.status, headers: answer.headers, body: answer.body, failures: 1, now: now) == .delivered)
            let received = try #require(discord.received.first)
            #expect(received.userAgent == "DiscordBot (https://example.org, 1.0)")
            #expect(received.json.contains(#""username":"Motherstream""#))
        }
    }

    @Test func anEmbedsThumbnailReachesDiscordAsItsURL() async throws {
        try await withDiscord { discord, client in
            let picture = "https://motherstream.example.org/pictures/AbCdEfGhIjKlMnOpQrStUv.jpg"
            let message = DiscordMessage(content: nil, embeds: [.init(title: "Night Owl has now started streaming!", thumbnailURL: picture)])
            let answer = await client.post(message, to: discord.url(webhook: "42"))
            #expect(answer.status == 200)
            let received = try #require(discord.received.first)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(received.json.utf8)) as? [String: Any])
            let embed = try #require((body["embeds"] as? [[String: Any]])?.first)
            #expect((embed["thumbnail"] as? [String: Any])?["url"] as? String == picture)
        }
    }

    @Test func aWrongTokenDisablesTheWebhook() async throws {
        try await withDiscord { discord, client in
            let answer = await client.post(DiscordMessage(content: "hello"), to: "\(discord.server.baseURL)/api/webhooks/42/not-the-token")
            #expect(answer.status == 401)
            guard case .disable(let reason) = DeliveryPolicy().outcome(status: answer.status, headers: answer.headers, body: answer.body, failures: 1, now: now) else {
                Issue.record("401 must disable the webhook")
                return
            }
            #expect(reason.contains("Invalid Webhook Token"))
        }
    }

    @Test func anEmptyMessageIsRefusedAndDropped() async throws {
        try await withDiscord { discord, client in
            let answer = await client.post(DiscordMessage(content: "   "), to: discord.url(webhook: "42"))
            #expect(answer.status == 400)
            guard case .drop(let reason) = DeliveryPolicy().outcome(status: answer.status, headers: answer.headers, body: answer.body, failures: 1, now: now) else {
                Issue.record("400 must drop the message")
                return
            }
            #expect(reason.contains("Cannot send an empty message"))
        }
    }
}
