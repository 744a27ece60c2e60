import Hummingbird
import Shared

struct TestRequest: Decodable {
    var webhook: Int
}

/// `GET /status` for operators; `POST /admin/test` (admin session) sends a test message.
struct StatusRoutes {
    let roster: WebhookRoster
    let gate: AdminGate

    func add(to router: Router<ServiceRequestContext>) {
        router.get("status") { _, _ in await roster.status() }
        router.post("admin/test") { request, context -> WebhookStatus in
            let admin = try await gate.requireAdmin(request, allowCookie: false)
            let body = try await request.decode(as: TestRequest.self, context: context)
            guard let worker = roster.worker(body.webhook) else {
                throw APIError.notFound("There is no webhook \(body.webhook); they are numbered from 1 in /status.", code: "unknown_webhook")
            }
            context.logger.notice("test message requested", metadata: ["webhook": "\(body.webhook)", "admin_id": "\(admin.sub.value)"])
            return await worker.sendTest(by: admin.sub.value)
        }
    }
}
