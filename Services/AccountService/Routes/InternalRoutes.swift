import Hummingbird
import Shared

/// What HookGateway asks on every publish (whose key is this?) and keeps a copy of (the publisher
/// directory), and what the admin routes of the other services ask (is this session still good,
/// and is it an admin's?).
struct InternalRoutes {
    let accounts: Accounts
    let directory: PublisherDirectory

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("stream-keys/verify") { request, context -> VerifiedPublisher in
            let body = try await request.decode(as: StreamKeyVerificationRequest.self, context: context)
            return try await accounts.publisher(forStreamKey: body.streamKey)
        }
        group.get("stream-keys/directory") { request, context -> Response in
            let query = request.uri.queryParameters
            let wait = try query["wait"].map { text in
                guard let seconds = Int(text), (0...StreamKeyDirectory.maximumWaitSeconds).contains(seconds) else {
                    throw APIError.badRequest("wait is whole seconds from 0 to \(StreamKeyDirectory.maximumWaitSeconds)", field: "wait")
                }
                return seconds
            } ?? 0
            let watcher = try query["watcher"].map { text in
                guard URLSafeToken.isWellFormed(text, maximumLength: 64) else {
                    throw APIError.badRequest("watcher is 1 to 64 characters of [A-Za-z0-9_-]", field: "watcher")
                }
                return String(text)
            } ?? "anonymous"
            let after = try query["after"].map { text in
                guard text.utf8.count <= 64 else { throw APIError.badRequest("after is a version this route gave, at most 64 characters", field: "after") }
                return String(text)
            }
            guard let changed = try await directory.next(after: after, wait: .seconds(wait), watcher: watcher) else {
                return Response(status: .notModified)
            }
            return try changed.response(from: request, context: context)
        }
        group.post("sessions/check") { request, context -> SessionCheckReply in
            let body = try await request.decode(as: SessionCheckRequest.self, context: context)
            return try await accounts.checkSession(body.token)
        }
    }
}
