import Foundation
import Hummingbird
import Shared

struct NotifierStatus: Codable, ResponseEncodable {
    var sending: Bool
    var note: String?
    /// How many events the slowest webhook has yet to see.
    var backlog: UInt64
    var queueSeq: UInt64?
    var webhooks: [WebhookWorker.Status]
    var counter: QueueFollower.Status?
}

struct TestRequest: Decodable {
    var webhook: Int
}

/// `GET /status` for operators; `POST /admin/test` (admin session) sends a test message.
struct StatusRoutes {
    let workers: [WebhookWorker]
    let counter: QueueFollower?
    let sending: Bool
    let queue: PeerClient
    let gate: AdminGate

    func add(to router: Router<ServiceRequestContext>) {
        router.get("status") { _, _ in try await status() }
        router.post("admin/test") { request, context -> WebhookWorker.Status in
            let admin = try await gate.requireAdmin(request)
            let body = try await request.decode(as: TestRequest.self, context: context)
            guard let worker = workers.first(where: { $0.target.index == body.webhook }) else {
                throw APIError.notFound("There is no webhook \(body.webhook); they are numbered from 1 in /status.", code: "unknown_webhook")
            }
            context.logger.notice("test message requested", metadata: ["webhook": "\(body.webhook)", "admin_id": "\(admin.sub.value)"])
            return await worker.sendTest(by: admin.sub.value)
        }
    }

    private func status() async throws -> NotifierStatus {
        var statuses: [WebhookWorker.Status] = []
        for worker in workers { statuses.append(await worker.status) }
        let head = try? await queue.get("/internal/v1/state", timeout: .seconds(1)).decode(InternalQueueState.self).seq
        let cursors = statuses.map(\.cursor) + [await counter?.currentStatus().cursor].compactMap { $0 }
        let backlog = head.map { head in cursors.map { head > $0 ? head - $0 : 0 }.max() ?? 0 } ?? 0
        let note: String? = workers.isEmpty
            ? "No webhook configured (DISCORD_WEBHOOK_URL): events are consumed and counted only."
            : (sending ? nil : "TOGGLE_DISCORD_NOTIFICATIONS=false: events are consumed and counted, nothing is sent.")
        return NotifierStatus(
            sending: sending && !workers.isEmpty, note: note, backlog: backlog, queueSeq: head, webhooks: statuses,
            counter: await counter?.currentStatus()
        )
    }
}

extension WebhookWorker.Status: ResponseEncodable {}
