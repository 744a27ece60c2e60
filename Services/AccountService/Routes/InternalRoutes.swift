import Hummingbird
import Shared

/// What HookGateway asks on every publish: whose key is this?
struct InternalRoutes {
    let accounts: Accounts

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("stream-keys/verify") { request, context -> VerifiedPublisher in
            let body = try await request.decode(as: StreamKeyVerificationRequest.self, context: context)
            return try await accounts.publisher(forStreamKey: body.streamKey)
        }
    }
}
