import Foundation
import Hummingbird
import Shared

/// Running the night: every route needs an admin, and every action becomes an event naming the
/// admin (the audit trail). Each queue action answers with the queue afterwards.
///
/// These routes change state, so they take the admin's session as a bearer token only, never
/// the cookie: a browser attaches the cookie to a form any other site posts here, which would let
/// any page an admin visits skip the lead. The web app's night page forwards the session as a
/// bearer token. The admin is checked before anything of the request is read.
struct AdminRoutes {
    let engine: QueueEngine
    let gate: AdminGate

    func add(to router: Router<ServiceRequestContext>) {
        let queue = router.group("api/v1/admin/queue")
        queue.post("skip") { request, _ in try await run(.skip, by: admin(request)) }
        queue.post("pause") { request, _ in try await run(.pause, by: admin(request)) }
        queue.post("resume") { request, _ in try await run(.resume, by: admin(request)) }
        queue.post("clear") { request, _ in try await run(.clear, by: admin(request)) }
        queue.post("remove") { request, context in
            let adminId = try await admin(request)
            let body = try await request.decode(as: RemoveFromQueueRequest.self, context: context, limit: BodyLimit.command)
            return try await run(.remove(body.userId), by: adminId)
        }
        queue.post("move") { request, context in
            let adminId = try await admin(request)
            let body = try await request.decode(as: MoveInQueueRequest.self, context: context, limit: BodyLimit.command)
            return try await run(.move(body.userId, position: body.position), by: adminId)
        }
        router.post("api/v1/turn/extend") { request, context in
            let adminId = try await admin(request)
            let body = try await request.decode(as: ExtendTurnRequest.self, context: context, limit: BodyLimit.command)
            return try await run(.extendTurn(seconds: body.seconds), by: adminId)
        }
        router.post("update-timer/:seconds") { request, context -> UpdateTimerReply in
            let adminId = try await admin(request)
            guard let seconds = Int(try context.parameters.require("seconds")), seconds > 0 else {
                throw APIError.badRequest("Time must be a positive integer.", code: "invalid_seconds", field: "seconds")
            }
            let reset = try Validation.flag(request.uri.queryParameters["reset_time"].map(String.init), field: "reset_time")
            _ = try await run(.setInterval(seconds: Double(seconds), restartClock: reset), by: adminId)
            return UpdateTimerReply(time: seconds, resetTime: reset)
        }
        router.post("block-toggle") { request, _ -> BlockToggleReply in
            let queue = try await run(.toggleBlocking, by: admin(request))
            return BlockToggleReply(blocking: queue.blocking.enabled)
        }
    }

    /// The one place these routes ask who is calling.
    private func admin(_ request: Request) async throws -> UUID {
        let claims = try await gate.requireAdmin(request, allowCookie: false)
        guard let adminId = claims.userId else { throw APIError.unauthorized }
        return adminId
    }

    private func run(_ command: AdminCommand, by adminId: UUID) async throws -> PublicQueue {
        try await engine.admin(command, by: adminId)
    }
}
