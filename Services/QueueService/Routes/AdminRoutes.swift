import Hummingbird
import Shared

/// Running the night: every route needs an admin session, and every action becomes an event
/// naming the admin (the audit trail). Each queue action answers with the queue afterwards.
struct AdminRoutes {
    let engine: QueueEngine
    let gate: AdminGate

    func add(to router: Router<ServiceRequestContext>) {
        let queue = router.group("api/v1/admin/queue")
        queue.post("skip") { request, _ in try await run(.skip, request) }
        queue.post("pause") { request, _ in try await run(.pause, request) }
        queue.post("resume") { request, _ in try await run(.resume, request) }
        queue.post("clear") { request, _ in try await run(.clear, request) }
        queue.post("remove") { request, context in
            let body = try await request.decode(as: RemoveFromQueueRequest.self, context: context)
            return try await run(.remove(body.userId), request)
        }
        queue.post("move") { request, context in
            let body = try await request.decode(as: MoveInQueueRequest.self, context: context)
            return try await run(.move(body.userId, position: body.position), request)
        }
        router.post("api/v1/turn/extend") { request, context in
            let body = try await request.decode(as: ExtendTurnRequest.self, context: context)
            return try await run(.extendTurn(seconds: body.seconds), request)
        }
        router.post("update-timer/:seconds") { request, context -> UpdateTimerReply in
            guard let seconds = Int(try context.parameters.require("seconds")), seconds > 0 else {
                throw APIError.badRequest("Time must be a positive integer.", code: "invalid_seconds", field: "seconds")
            }
            let reset = try Validation.flag(request.uri.queryParameters["reset_time"].map(String.init), field: "reset_time")
            _ = try await run(.setInterval(seconds: Double(seconds), restartClock: reset), request)
            return UpdateTimerReply(time: seconds, resetTime: reset)
        }
        router.post("block-toggle") { request, _ -> BlockToggleReply in
            let queue = try await run(.toggleBlocking, request)
            return BlockToggleReply(blocking: queue.blocking.enabled)
        }
    }

    private func run(_ command: AdminCommand, _ request: Request) async throws -> PublicQueue {
        let admin = try await gate.requireAdmin(request)
        guard let adminId = admin.userId else { throw APIError.unauthorized }
        return try await engine.admin(command, by: adminId)
    }
}
