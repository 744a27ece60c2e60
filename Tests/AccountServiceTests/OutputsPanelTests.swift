import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import AccountService

/// The night page's Outputs panel over real HTTP against a fake HookGateway: every change
/// arrives there with the admin's own session, the stream key goes out once and never comes back.
@Suite struct OutputsPanelTests {
    func panel(_ visitor: Visitor) async throws -> (status: HTTPResponse.Status, body: String) {
        try await visitor.client.execute(uri: "/admin/outputs/panel", method: .get, headers: visitor.jar.header) { response in
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            return (response.status, String(buffer: response.body))
        }
    }

    func decoded(_ body: String) throws -> OutputsPanel {
        try JSONCoding.decoder.decode(OutputsPanel.self, from: Data(body.utf8))
    }

    @Test func adminsAddEnableDisableAndDeleteOutputsWithTheirOwnSession() async throws {
        let gateway = try await FakeHookGateway.start()
        let directory = try temporaryDirectory("outputs-panel")
        do {
            try await TestApp.build(directory, ["HOOK_GATEWAY_URL": gateway.server.baseURL]).test(.live) { client in
                let host = try await RecordingPagesTests.admin(client, directory)
                let session = try #require(host.jar[AdminGate.cookieName])
                let night = try await host.get("/admin/queue")
                #expect(night.status == .ok && night.body.contains(#"data-outputs="/admin/outputs/panel""#))
                #expect(night.body.contains(#"<input id="output-key" name="stream_key" type="password""#))
                #expect(gateway.calls(to: "/api/v1/admin/outputs").isEmpty, "the night page itself never waits on HookGateway: its script asks")

                let secret = "live_123456789_abcdefSECRET"
                let added = try await host.post("/admin/outputs", ["name": "Twitch", "url": "rtmp://live.example.org/app", "stream_key": secret])
                #expect(added.status == .seeOther && added.location == "/admin/queue?done=output-added#outputs")
                let post = try #require(gateway.calls(to: "/api/v1/admin/outputs").last)
                #expect(post.method == "POST" && post.authorization == "Bearer \(session)")
                #expect(try JSONCoding.decoder.decode(OutputTargetInput.self, from: Data(post.body.utf8)) == OutputTargetInput(name: "Twitch", url: "rtmp://live.example.org/app", streamKey: secret))
                let id = try #require(gateway.targets.first?.id)
                #expect(gateway.keys[id] == secret)
                let done = try await host.get("/admin/queue?done=output-added")
                #expect(done.body.contains("Output added.") && !done.body.contains(secret))

                gateway.report(id) { target in
                    target.state = .failing
                    target.lastError = "Connection refused"
                    target.retryInSeconds = 3.2
                }
                let failing = try await panel(host)
                #expect(failing.status == .ok && !failing.body.contains(secret) && failing.body.contains(#""key_hint":"…CRET""#), "\(failing.body)")
                #expect(try decoded(failing.body).source == "The programme (OBS's output): live")
                let row = try #require(try decoded(failing.body).targets.first)
                #expect(row.name == "Twitch" && row.status == "Failing" && row.problem == "Connection refused — retry in 4 s" && row.bitrate == "—")
                #expect(gateway.calls(to: "/api/v1/admin/outputs").last?.authorization == "Bearer \(session)")
                gateway.report(id) { target in
                    target.state = .live
                    target.kbps = 6012.4
                    target.uptimeSeconds = 3725
                }
                let live = try #require(try decoded(try await panel(host).body).targets.first)
                #expect(live.status == "Live" && live.bitrate == "6\u{202F}012 kbps" && live.uptime == "1:02:05" && live.problem == nil)

                let disabled = try await host.post("/admin/outputs/\(id.uuidString.lowercased())/disable", [:])
                #expect(disabled.status == .seeOther && disabled.location == "/admin/queue?done=output-disabled#outputs")
                let patch = try #require(gateway.calls.last)
                #expect(patch.method == "PATCH" && patch.path == "/api/v1/admin/outputs/\(id.uuidString.lowercased())" && patch.body == #"{"enabled":false}"#)
                #expect(patch.authorization == "Bearer \(session)")
                let off = try #require(try decoded(try await panel(host).body).targets.first)
                #expect(!off.enabled && off.status == "Disabled")
                #expect(try await host.post("/admin/outputs/\(id)/enable", [:]).location == "/admin/queue?done=output-enabled#outputs")
                #expect(gateway.calls.last?.body == #"{"enabled":true}"#)

                let deleted = try await host.post("/admin/outputs/\(id)/delete", [:])
                #expect(deleted.location == "/admin/queue?done=output-deleted#outputs" && gateway.calls.last?.method == "DELETE")
                #expect(gateway.targets.isEmpty)
                #expect(try decoded(try await panel(host).body).targets.isEmpty)
            }
        } catch {
            await gateway.server.stop()
            throw error
        }
        await gateway.server.stop()
    }

    @Test func aRefusedOutputIsTypedAgainWithoutItsKeyAndForgedOrPartialFormsNeverLeave() async throws {
        let gateway = try await FakeHookGateway.start()
        let directory = try temporaryDirectory("outputs-refused")
        do {
            try await TestApp.build(directory, ["HOOK_GATEWAY_URL": gateway.server.baseURL]).test(.live) { client in
                let (owl, _) = try await RecordingPagesTests.signedUp(client, "owl@example.org", "Night Owl")
                let host = try await RecordingPagesTests.admin(client, directory)
                try await host.get("/admin/queue")

                let secret = "yt-key-0000-SECRET-9999"
                let refused = try await host.post("/admin/outputs", ["name": "YouTube", "url": "http://a.rtmp.youtube.com/live2", "stream_key": secret])
                #expect(refused.status == .unprocessableContent && refused.body.contains("The output was not added: The URL must start with rtmp:// or rtmps://."))
                #expect(refused.body.contains(#"value="YouTube""#) && refused.body.contains(#"value="http://a.rtmp.youtube.com/live2""#))
                #expect(!refused.body.contains(secret), "the key field is write-only, even when the form comes back")
                let calls = gateway.calls.count

                let partial = try await host.post("/admin/outputs", ["name": "YouTube", "url": "rtmp://a.rtmp.youtube.com/live2", "stream_key": "  "])
                #expect(partial.status == .unprocessableContent && partial.body.contains("RTMP URL and its stream key."))
                #expect(try await host.post("/admin/outputs", ["name": "X", "url": "rtmp://x/app", "stream_key": secret], csrf: false).status == .forbidden)
                #expect(try await host.post("/admin/outputs/\(UUID())/delete", [:], csrf: false).status == .forbidden)
                #expect(try await host.post("/admin/outputs/\(UUID())/explode", [:]).status == .notFound)
                #expect(try await owl.post("/admin/outputs", ["name": "X", "url": "rtmp://x/app", "stream_key": secret]).status == .forbidden)
                #expect(try await owl.post("/admin/outputs/\(UUID())/delete", [:]).status == .forbidden)
                #expect(gateway.calls.count == calls, "no refused form reached HookGateway")

                let asDJ = try await panel(owl)
                #expect(asDJ.status == .forbidden && asDJ.body.contains("admins_only"))
                #expect(try await panel(Visitor(client: client)).status == .unauthorized)
                #expect(gateway.calls.count == calls)

                let missing = try await host.post("/admin/outputs/\(UUID())/disable", [:])
                #expect(missing.status == .seeOther && missing.location == "/admin/queue?error=No%20such%20output%2E#outputs")
            }
        } catch {
            await gateway.server.stop()
            throw error
        }
        await gateway.server.stop()
    }

    @Test func aHookGatewayThatDoesNotAnswerIsThePanelsMessage() async throws {
        let directory = try temporaryDirectory("outputs-down")
        try await TestApp.build(directory, ["HOOK_GATEWAY_URL": "http://127.0.0.1:9"]).test(.live) { client in
            let host = try await RecordingPagesTests.admin(client, directory)
            let down = try await panel(host)
            #expect(down.status == .serviceUnavailable && down.body.contains("gateway_unavailable") && down.body.contains("The outputs are unavailable right now"))
            #expect(try await host.get("/admin/queue").status == .ok)
            let add = try await host.post("/admin/outputs", ["name": "Twitch", "url": "rtmp://live.example.org/app", "stream_key": "k-SECRET-1"])
            #expect(add.status == .serviceUnavailable && add.body.contains("HookGateway did not answer") && !add.body.contains("k-SECRET-1"))
        }
    }

    @Test func thePanelSaysEachStateInWords() {
        let id = UUID()
        func row(_ state: OutputState, enabled: Bool = true, error: String? = nil, retry: Double? = nil) -> OutputsPanel.Target {
            OutputsPanel.target(OutputTargetView(id: id, name: "T", url: "rtmp://x/app", keyHint: "…abcd", enabled: enabled, state: state, lastError: error, retryInSeconds: retry, kbps: 3000, uptimeSeconds: 12))
        }
        #expect(row(.connecting).status == "Connecting…" && row(.connecting).bitrate == "—" && row(.connecting).uptime == "—")
        #expect(row(.off).status == "Off" && row(.off, enabled: false).status == "Disabled")
        #expect(row(.failing, retry: 0.4).problem == "The relay stopped — retry in 1 s")
        #expect(row(.live, error: "old trouble").problem == nil, "a relay that came back has no problem")
        #expect(row(.connecting, error: "Connection refused").problem == "Connection refused")
        #expect(OutputsPanel(OutputsOverview(source: "lead", sourceLive: false, targets: [])).source == "The lead's own stream: not live")
    }
}
