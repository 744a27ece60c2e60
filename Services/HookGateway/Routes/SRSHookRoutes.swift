import Foundation
import Hummingbird
import Logging
import Metrics
import Shared

/// `POST /srs/hooks` and `POST /srs/forward`: SRS's questions, answered in SRS's format.
/// This is the hot path — SRS holds the encoder until we answer — so every peer call has a
/// short deadline and a peer that does not answer refuses the publish (fail closed).
struct SRSHookRoutes {
    let hookSecret: Secret
    let policy: PublishPolicy
    let accounts: AccountsPeer
    let queue: QueuePeer
    let closes: SessionCloseRelay

    func add(to router: Router<ServiceRequestContext>) {
        router.post("srs/hooks") { request, context in
            try await answer(request, context: context) { hook in
                try await handle(hook, context: context)
            }
        }
        router.post("srs/forward") { request, context in
            try await answer(request, context: context) { hook in
                await forward(hook, context: context)
            }
        }
    }

    /// Checks the secret, decodes the body, and turns whatever happens into an SRS reply.
    private func answer(
        _ request: Request, context: ServiceRequestContext, _ handler: (HookRequest) async throws -> HookReply
    ) async throws -> Response {
        guard let presented = request.uri.queryParameters["secret"].map(String.init), hookSecret.matches(presented) else {
            context.logger.warning("hook refused: wrong or missing secret", metadata: ["remote": "\(context.remoteAddress?.ipAddress ?? "-")"])
            count("unknown", "bad_secret")
            return HookReply.refuse(.forbidden, reason: "wrong or missing hook secret").response
        }
        let hook: HookRequest
        do {
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            hook = try HookRequest.decode(body.readableBytesView)
            try Validation.clientId(hook.clientId)
        } catch {
            let reason = Self.describe(error)
            context.logger.warning("hook refused: malformed body", metadata: ["reason": "\(reason)"])
            count("unknown", "malformed")
            return HookReply.refuse(.badRequest, reason: reason).response
        }
        return try await handler(hook).response
    }

    private func handle(_ hook: HookRequest, context: ServiceRequestContext) async throws -> HookReply {
        switch hook.kind {
        case .onPublish:
            return await publish(hook, context: context)
        case .onUnpublish, .onClose:
            if policy.isIngest(hook) {
                await closes.deliver(SessionCloseRequest(clientId: hook.clientId, action: hook.action), requestID: context.requestID)
            }
            count(hook.action, "accepted")
            return .accept
        case .onForward:
            return await forward(hook, context: context)
        case .onConnect, .onPlay, .onStop, .onDVR, .onHLS, .other:
            count(hook.action, "accepted")
            return .accept
        }
    }

    private func publish(_ hook: HookRequest, context: ServiceRequestContext) async -> HookReply {
        let log = context.logger
        var metadata: Logger.Metadata { ["client_id": "\(hook.clientId)", "app": "\(hook.app)", "ip": "\(hook.ip ?? "-")"] }
        switch policy.classify(hook) {
        case .refuse(let reason):
            log.notice("publish refused", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            count("on_publish", "refused")
            return .refuse(.forbidden, reason: reason)
        case .relay:
            log.info("relay publish accepted (not queued)", metadata: metadata)
            count("on_publish", "relay")
            return .accept
        case .djPublish(let streamKey):
            do {
                guard let publisher = try await accounts.publisher(forStreamKey: streamKey, requestID: context.requestID) else {
                    log.notice("publish refused: unknown or inactive stream key", metadata: metadata)
                    count("on_publish", "unknown_key")
                    return .refuse(.forbidden, reason: "unknown stream key")
                }
                await closes.forget(clientId: hook.clientId)
                let reply = try await queue.publish(
                    PublishRequest(clientId: hook.clientId, userId: publisher.userId, djName: publisher.djName, app: hook.app, stream: streamKey),
                    requestID: context.requestID
                )
                var djMetadata = metadata
                djMetadata["dj"] = "\(publisher.djName)"
                switch reply.decision {
                case .lead, .queued:
                    djMetadata["decision"] = "\(reply.decision.rawValue)"
                    djMetadata["position"] = "\(reply.position ?? -1)"
                    log.info("publish accepted", metadata: djMetadata)
                    count("on_publish", reply.decision.rawValue)
                    return .accept
                case .refused:
                    djMetadata["reason"] = "\(reply.reason ?? "-")"
                    log.notice("publish refused by the queue", metadata: djMetadata)
                    count("on_publish", "refused")
                    return .refuse(.forbidden, reason: reply.reason ?? "the queue refused this publish")
                }
            } catch {
                log.error("publish refused: a peer did not answer (failing closed)", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                count("on_publish", "peer_failure")
                return .refuse(.serviceUnavailable, reason: "Motherstream is temporarily unavailable; try again shortly")
            }
        }
    }

    /// Forward targets for the lead only. A relay is never forwarded again (no loops). When the
    /// queue cannot be asked we answer "no targets" rather than fail — an error here would make
    /// SRS drop the publisher.
    private func forward(_ hook: HookRequest, context: ServiceRequestContext) async -> HookReply {
        guard policy.isIngest(hook) else {
            count("on_forward", "relay")
            return .forward([])
        }
        do {
            let urls = try await queue.forwardTargets(clientId: hook.clientId, requestID: context.requestID)
            count("on_forward", urls.isEmpty ? "none" : "forwarded")
            return .forward(urls)
        } catch {
            context.logger.error("forward targets unavailable; not forwarding this publish", metadata: ["client_id": "\(hook.clientId)", "error": "\(error)"])
            count("on_forward", "peer_failure")
            return .forward([])
        }
    }

    private func count(_ action: String, _ outcome: String) {
        Counter(label: "gateway_hooks_total", dimensions: [("action", action), ("outcome", outcome)]).increment()
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
