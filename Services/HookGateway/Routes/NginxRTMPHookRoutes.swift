import Hummingbird
import Shared

/// `POST /nginx-rtmp/hooks`: every notify directive of nginx-rtmp points here, and the form's
/// `call` says which it is (reference/protocols.md §2). nginx reads only the first digit of the
/// status — 2 allows, anything else drops the publisher — and waits for the connection to close
/// before it reads even that, so every reply says `Connection: close` (and `CaseInsensitiveConnectionClose`
/// makes the server really close it).
struct NginxRTMPHookRoutes {
    let hookSecret: Secret
    let gatekeeper: Gatekeeper

    /// nginx's bodies are a few hundred bytes plus the client's own arguments; the same bound as SRS's.
    static let maximumBodyBytes = SRSHookRoutes.maximumBodyBytes

    func add(to router: Router<ServiceRequestContext>) {
        router.post("nginx-rtmp/hooks") { request, context in
            await answer(request, context: context).nginxResponse
        }
    }

    private func answer(_ request: Request, context: ServiceRequestContext) async -> HookReply {
        guard let presented = request.uri.queryParameters["secret"].map(String.init), hookSecret.matches(presented) else {
            context.logger.warning("nginx-rtmp notification refused: wrong or missing secret", metadata: ["remote": "\(context.remoteAddress?.ipAddress ?? "-")"])
            HookCounter.count(nil, .badSecret)
            return .refuse(.forbidden, reason: "wrong or missing hook secret")
        }
        let notification: NginxNotification
        let hook: HookRequest
        do {
            let body = try await request.body.collect(upTo: Self.maximumBodyBytes)
            notification = try NginxNotification.decode(body.readableBytesView)
            hook = try notification.hookRequest()
            try Validation.clientId(hook.clientId, field: "clientid")
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            context.logger.warning("nginx-rtmp notification refused: body too large", metadata: ["limit": "\(Self.maximumBodyBytes)"])
            HookCounter.count(nil, .tooLarge)
            return .refuse(.contentTooLarge, reason: "body larger than \(Self.maximumBodyBytes) bytes")
        } catch {
            let reason = (error as? APIError)?.message ?? "\(error)"
            context.logger.warning("nginx-rtmp notification refused: malformed body", metadata: ["reason": "\(reason)"])
            HookCounter.count(nil, .malformed)
            return .refuse(.badRequest, reason: reason)
        }
        return await gatekeeper.answer(nginx: notification.call, hook, requestID: context.requestID, logger: context.logger)
    }
}
