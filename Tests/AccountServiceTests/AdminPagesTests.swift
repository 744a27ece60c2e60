import Foundation
import Shared
import Testing
@testable import AccountService

/// What the admin pages send to QueueService and show from OBSBridge and Notifier.
@Suite struct AdminPagesTests {
    let dj = UUID()

    func call(_ action: String, _ form: QueueActionForm) throws -> (path: String, body: String?) {
        let (path, body) = try AdminPageRoutes.queueCall(action, form)
        return (path, body.map { String(decoding: $0, as: UTF8.self) })
    }

    @Test func theNightPageSendsQueueServiceItsContracts() throws {
        let id = dj.uuidString
        #expect(try call("remove", QueueActionForm(userId: id.lowercased())) == ("/api/v1/admin/queue/remove", #"{"user_id":"\#(id)"}"#))
        #expect(try call("move", QueueActionForm(userId: id, position: "2")) == ("/api/v1/admin/queue/move", #"{"position":2,"user_id":"\#(id)"}"#))
        #expect(try call("extend", QueueActionForm(minutes: "10")) == ("/api/v1/turn/extend", #"{"seconds":600}"#))
        #expect(try call("interval", QueueActionForm(minutes: "60", reset: "true")) == ("/update-timer/3600?reset_time=true", nil))
        #expect(try call("interval", QueueActionForm(minutes: "5")) == ("/update-timer/300?reset_time=false", nil))
        for action in ["skip", "pause", "resume", "clear"] {
            #expect(try call(action, QueueActionForm()) == ("/api/v1/admin/queue/\(action)", nil))
        }
        #expect(try call("block", QueueActionForm()) == ("/block-toggle", nil))
    }

    @Test func aFormQueueServiceCouldNotUseGetsTheNightPagesMessage() {
        #expect(throws: APIError.badRequest("No DJ chosen.", field: "user_id")) { try call("remove", QueueActionForm(userId: "not-a-uuid")) }
        #expect(throws: APIError.badRequest("No position given.", field: "position")) { try call("move", QueueActionForm(userId: dj.uuidString)) }
        #expect(throws: APIError.badRequest("Give a number of minutes between 1 and 600.", field: "minutes")) { try call("extend", QueueActionForm(minutes: "601")) }
        #expect(throws: APIError.badRequest("Give a number of minutes between 1 and 1440.", field: "minutes")) { try call("interval", QueueActionForm()) }
        #expect(throws: APIError.notFound("No such action.")) { try call("explode", QueueActionForm()) }
    }

    @Test func theStatusPanelSaysInWordsWhatOBSDiscordAndTheIngestAreDoing() {
        var obs = OBSConnectionStatus(url: "ws://127.0.0.1:4455")
        let queue = QueueFollower.Status(cursor: 3, reachable: true)
        #expect(ServiceStatusBoard.describe(OBSBridgeStatus(obs: obs, queue: queue, programme: ProgrammeStatus())) == "Connecting to OBS at ws://127.0.0.1:4455…")
        obs.state = .configurationError
        obs.lastError = "wrong password"
        obs.obsVersion = "30.2.3"
        #expect(ServiceStatusBoard.describe(OBSBridgeStatus(obs: obs, queue: queue, programme: ProgrammeStatus()))
            == "OBS refuses OBSBridge: wrong password. Check OBS_PASSWORD and that OBS has obs-websocket 5; it is retried slowly until fixed.")
        obs.state = .connected
        #expect(ServiceStatusBoard.describe(OBSBridgeStatus(obs: obs, queue: queue, programme: ProgrammeStatus())).hasPrefix("Connected to OBS 30.2.3 at ws://127.0.0.1:4455"))

        let muted = NotifierStatus(sending: false, note: "notifications are off", backlog: 0, queueSeq: nil, webhooks: [], counter: nil)
        #expect(ServiceStatusBoard.describe(muted) == "Every announcement is sent. notifications are off")
        let quiet = NotifierStatus(sending: true, note: nil, backlog: 0, queueSeq: 9, webhooks: [], counter: nil)
        #expect(ServiceStatusBoard.describe(quiet) == "Every announcement is sent. No Discord webhook is set (DISCORD_WEBHOOK_URL).")
        let webhooks = [
            WebhookStatus(webhook: "main", events: ["lead"], state: .ok, cursor: 9),
            WebhookStatus(webhook: "alerts", events: ["lead"], state: .rateLimited, cursor: 5),
        ]
        let sending = NotifierStatus(sending: true, note: nil, backlog: 4, queueSeq: 9, webhooks: webhooks, counter: nil)
        #expect(ServiceStatusBoard.describe(sending) == "4 announcements waiting to go out. webhook main: ok, webhook alerts: rate limited.")

        #expect(ServiceStatusBoard.describe(IngestStatus(server: "nginx-rtmp", reachable: true, publishers: 3)) == "nginx-rtmp answers; 3 streams published now.")
        #expect(ServiceStatusBoard.describe(IngestStatus(server: "srs", reachable: false, lastError: "http://127.0.0.1:1985 is unreachable: connection refused"))
            == "SRS cannot be read by HookGateway: (nothing answers at its address).")
        #expect(ServiceStatusBoard.duration(8_100) == "2 h 15 min" && ServiceStatusBoard.duration(42) == "42 s")
    }
}
