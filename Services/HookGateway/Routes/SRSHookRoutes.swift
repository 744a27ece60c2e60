import Hummingbird
import Logging
import Shared

/// `POST /srs/hooks` and `POST /srs/forward`: SRS's questions, answered in SRS's format.
struct SRSHookRoutes {
    let hookSecret: Secret
    let gatekeeper: Gatekeeper

    /// SRS's bodies are well under 1 KiB even with a long `param`; 16 KiB leaves room for any
    /// URL SRS would take and keeps a stranger from making the gateway hold more.
    static let maximumBodyBytes = 16 * 1024

    func add(to router: Router<ServiceRequestContext>) {
        router.post("srs/hooks") { request, context in
            try await answer(request, context: context) { hook in
                await gatekeeper.answer(hook, requestID: context.requestID, logger: context.logger)
            }
        }
        router.post("srs/forward") { request, context in
            try await answer(request, context: context) { hook in
                await gatekeeper.forward(hook, requestID: context.requestID, logger: context.logger)
            }
        }
    }

    /// Checks the secret, decodes the body, and turns whatever happens into an SRS reply.
    private func answer(
        _ request: Request, context: ServiceRequestContext, _ handler: (HookRequest) async -> HookReply
    ) async throws -> Response {
        guard let presented = request.uri.queryParameters["secret"].map(String.init), hookSecret.matches(presented) else {
            context.logger.warning("hook refused: wrong or missing secret", metadata: ["remote": "\(context.remoteAddress?.ipAddress ?? "-")"])
            HookCounter.count(nil, .badSecret)
            return HookReply.refuse(.forbidden, reason: "wrong or missing hook secret").response
        }
        let hook: HookRequest
        do {
            // Reading stops as soon as the body passes the limit; the rest is never kept.
            let body = try await request.body.collect(upTo: Self.maximumBodyBytes)
            hook = try HookRequest.decode(body.readableBytesView)
            try Validation.clientId(hook.clientId)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            context.logger.warning("hook refused: body too large", metadata: ["limit": "\(Self.maximumBodyBytes)"])
            HookCounter.count(nil, .tooLarge)
            return HookReply.refuse(.contentTooLarge, reason: "body larger than \(Self.maximumBodyBytes) bytes").response
        } catch {
            let reason = Self.describe(error)
            context.logger.warning("hook refused: malformed body", metadata: ["reason": "\(reason)"])
            HookCounter.count(nil, .malformed)
            return HookReply.refuse(.badRequest, reason: reason).response
        }
        return await handler(hook).response
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _):
            "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type for field \(context.codingPath.last?.stringValue ?? "?")"
        case DecodingError.dataCorrupted:
            "body is not valid JSON"
        case let error as APIError:
            error.message
        default:
            "unreadable body"
        }
    }
}
