import Hummingbird
import Shared

/// What HookGateway asks on every publish (whose key is this?) and what the admin routes of the
/// other services ask (is this session still good, and is it an admin's?).
struct InternalRoutes {
    let accounts: Accounts

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("stream-keys/verify") { request, context -> VerifiedPublisher in
            let body = try await request.decode(as: StreamKeyVerificationRequest.self, context: context)
            return try await accounts.publisher(forStreamKey: body.streamKey)
        }
        group.post("sessions/check") { request, context -> SessionCheckReply in
            let body = try await request.decode(as: SessionCheckRequest.self, context: context)
            return try await accounts.checkSession(body.token)
        }
    }
}
