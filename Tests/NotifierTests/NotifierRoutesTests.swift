import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import Notifier

@Suite struct NotifierRoutesTests {
    func app(_ extra: [String: String] = [:]) async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = try temporaryDirectory("notifier-routes").path
        environment["QUEUE_SERVICE_URL"] = "http://127.0.0.1:9"
        environment.merge(extra) { _, new in new }
        return try await buildApplication(try NotifierConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
    }

    @Test func withNoWebhookItSaysSoAndOnlyCounts() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/status", method: .get) { response in
                let status = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect(status["sending"] as? Bool == false)
                #expect((status["note"] as? String)?.contains("No webhook configured") == true)
                #expect((status["webhooks"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func theStatusNeverShowsAWebhookToken() async throws {
        try await app(["DISCORD_WEBHOOK_URL": "https://discord.com/api/webhooks/42/SUPER-SECRET-TOKEN"]).test(.router) { client in
            try await client.execute(uri: "/status", method: .get) { response in
                let body = String(buffer: response.body)
                #expect(body.contains("webhook 42/***"))
                #expect(!body.contains("SUPER-SECRET-TOKEN"))
            }
        }
    }

    @Test func aTestMessageNeedsAnAdmin() async throws {
        let dj = try await SessionTokens(secret: Secret(TestSecrets.jwt)).sign(SessionClaims(userId: UUID(), role: .dj, issuedAt: Date(), expiresAt: Date().addingTimeInterval(60)))
        try await FakeSessionCheck.with { sessions in
            try await app(["DISCORD_WEBHOOK_URL": "https://discord.com/api/webhooks/42/token", "ACCOUNT_SERVICE_URL": sessions.baseURL]).test(.router) { client in
                try await client.execute(uri: "/admin/test", method: .post, body: ByteBuffer(string: #"{"webhook":1}"#)) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/admin/test", method: .post, headers: [.authorization: "Bearer \(dj)"], body: ByteBuffer(string: #"{"webhook":1}"#)) {
                    #expect($0.status == .forbidden)
                }
            }
        }
    }

    @Test func anAdminSessionAccountServiceEndedOrDemotedIsRefused() async throws {
        try await FakeSessionCheck.with { sessions in
            let tokens = await SessionTokens(secret: Secret(TestSecrets.jwt))
            let ended = try await tokens.sign(SessionClaims(userId: UUID(), role: .admin, issuedAt: Date(), expiresAt: Date().addingTimeInterval(600)))
            let demotedId = UUID()
            let demoted = try await tokens.sign(SessionClaims(userId: demotedId, role: .admin, issuedAt: Date(), expiresAt: Date().addingTimeInterval(600)))
            let admin = try await tokens.sign(SessionClaims(userId: UUID(), role: .admin, issuedAt: Date(), expiresAt: Date().addingTimeInterval(600)))
            sessions.end(ended)
            sessions.setRole(.dj, userId: demotedId)
            let body = ByteBuffer(string: #"{"webhook":7}"#)
            try await app(["ACCOUNT_SERVICE_URL": sessions.baseURL]).test(.router) { client in
                try await client.execute(uri: "/admin/test", method: .post, headers: [.authorization: "Bearer \(ended)"], body: body) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/admin/test", method: .post, headers: [.authorization: "Bearer \(demoted)"], body: body) { #expect($0.status == .forbidden) }
                // A standing admin gets past the gate (to "no such webhook").
                try await client.execute(uri: "/admin/test", method: .post, headers: [.authorization: "Bearer \(admin)"], body: body) { #expect($0.status == .notFound) }
                // A cookie is not enough for a state-changing call: any site could make the browser send it.
                try await client.execute(uri: "/admin/test", method: .post, headers: [.cookie: "motherstream_session=\(admin)"], body: body) { #expect($0.status == .unauthorized) }
            }
            #expect(sessions.checks == 3, "each token asked once: \(sessions.checks)")
        }
    }

    @Test func withAccountServiceUnreachableAdminRoutesFailClosed() async throws {
        let admin = try await SessionTokens(secret: Secret(TestSecrets.jwt)).sign(SessionClaims(userId: UUID(), role: .admin, issuedAt: Date(), expiresAt: Date().addingTimeInterval(600)))
        try await app(["ACCOUNT_SERVICE_URL": "http://127.0.0.1:9"]).test(.router) { client in
            try await client.execute(uri: "/admin/test", method: .post, headers: [.authorization: "Bearer \(admin)"], body: ByteBuffer(string: #"{"webhook":1}"#)) {
                #expect($0.status == .serviceUnavailable)
            }
        }
    }

    @Test func badWebhookConfigurationFailsTheStart() async throws {
        await #expect(throws: ConfigurationError.self) { _ = try await app(["DISCORD_WEBHOOK_URLS": "ftp://nope"]) }
    }
}
