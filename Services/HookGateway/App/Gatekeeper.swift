import Logging
import Shared

/// Decides the ingest's questions (SRS's hooks and nginx-rtmp's notifications alike): who may
/// publish, where a lead is forwarded, which closes the queue must hear of, and — for nginx-rtmp's
/// periodic update — whether a publisher still has a place in the queue. This is the hot path — SRS holds the encoder until we answer — so every
/// peer call has a short deadline and a peer that does not answer refuses the publish (fail closed).
struct Gatekeeper: Sendable {
    let policy: PublishPolicy
    let accounts: any StreamKeyOwners
    let queue: any QueuePublishes
    let sessions: any QueueOpenSessions
    let closes: SessionCloseRelay
    let programme: ProgrammeTracker
    let leadForward = LeadForward()
    /// Awaited for a publish that goes on air at once (nobody was leading), before the ingest hears
    /// the answer: the recorder starts pulling the stream now, so its capture is waiting when the
    /// first keyframe comes (joined later, it would start at the next one, a second or more in).
    var leadPublished: @Sendable (StandbyJob) async -> Void = { _ in }

    /// The answer to an `http_hooks` request.
    func answer(_ hook: HookRequest, requestID: String, logger: Logger) async -> HookReply {
        switch hook.kind {
        case .onPublish:
            return await publish(hook, requestID: requestID, logger: logger)
        case .onUnpublish, .onClose:
            return await sessionEnded(hook, action: hook.action, requestID: requestID, logger: logger)
        case .onForward:
            return await forward(hook, requestID: requestID, logger: logger)
        case .onConnect, .onPlay, .onStop, .onDVR, .onHLS, .onUpdate, .other:
            HookCounter.count(hook.kind, .accepted)
            return .accept
        }
    }

    /// nginx-rtmp's `publish`, `publish_done`/`done` and `update_publish` (reference/protocols.md §2.3).
    func answer(nginx call: NginxNotification.Call, _ hook: HookRequest, requestID: String, logger: Logger) async -> HookReply {
        switch call {
        case .publish:
            return await publish(hook, requestID: requestID, logger: logger)
        case .sessionEnd(let name):
            return await sessionEnded(hook, action: name, requestID: requestID, logger: logger)
        case .updatePublish:
            return await update(hook, requestID: requestID, logger: logger)
        case .other:
            HookCounter.count(.other, .accepted)
            return .accept
        }
    }

    /// A publisher's session ended (SRS's unpublish/close, nginx-rtmp's `publish_done`/`done`):
    /// the queue hears of a DJ's, the programme tracker of the programme's.
    private func sessionEnded(_ hook: HookRequest, action: String, requestID: String, logger: Logger) async -> HookReply {
        if policy.isIngest(hook) {
            leadForward.ended(clientId: hook.clientId)
            logger.info("session closed", metadata: ["client_id": "\(hook.clientId)", "action": "\(action)"])
            await closes.deliver(SessionCloseRequest(clientId: hook.clientId, action: action), requestID: requestID)
        } else if policy.isProgramme(hook) {
            await programme.ended(clientId: hook.clientId)
        }
        HookCounter.count(hook.kind, .accepted)
        return .accept
    }

    /// A DJ publisher stays only while QueueService holds their session: a turn that ended (or a
    /// removal) dropped it there, and a kick that did not reach nginx is made good here. A relay
    /// was judged at its publish. When QueueService cannot be asked the publisher stays — a
    /// restart of the queue must not take every DJ off the ingest; the next update asks again.
    private func update(_ hook: HookRequest, requestID: String, logger log: Logger) async -> HookReply {
        guard policy.isIngest(hook) else {
            HookCounter.count(.onUpdate, .relay)
            return .accept
        }
        do {
            let open = try await sessions.openSessions(requestID: requestID)
            if open.contains(where: { $0.clientId == hook.clientId }) {
                HookCounter.count(.onUpdate, .accepted)
                return .accept
            }
            log.notice("publisher dropped: no longer in the queue", metadata: ["client_id": "\(hook.clientId)", "app": "\(hook.app)"])
            HookCounter.count(.onUpdate, .refused)
            return .refuse(.forbidden, reason: "this publish no longer has a place in the queue")
        } catch {
            log.warning("update not checked: QueueService did not answer; the publisher stays", metadata: ["client_id": "\(hook.clientId)", "error": "\(error)"])
            HookCounter.count(.onUpdate, .peerFailure)
            return .accept
        }
    }

    /// Forward targets for the lead only. A relay is never forwarded again (no loops). When the
    /// queue cannot be asked we answer "no targets" rather than fail — an error here would make
    /// SRS drop the publisher.
    func forward(_ hook: HookRequest, requestID: String, logger: Logger) async -> HookReply {
        guard policy.isIngest(hook) else {
            HookCounter.count(.onForward, .relay)
            return .forward([])
        }
        if let urls = leadForward.urls(for: hook.clientId) {
            HookCounter.count(.onForward, urls.isEmpty ? .none : .forwarded)
            return .forward(urls)
        }
        do {
            let urls = try await queue.forwardTargets(clientId: hook.clientId, requestID: requestID)
            HookCounter.count(.onForward, urls.isEmpty ? .none : .forwarded)
            return .forward(urls)
        } catch {
            logger.error("forward targets unavailable; not forwarding this publish", metadata: ["client_id": "\(hook.clientId)", "error": "\(error)"])
            HookCounter.count(.onForward, .peerFailure)
            return .forward([])
        }
    }

    private func publish(_ hook: HookRequest, requestID: String, logger log: Logger) async -> HookReply {
        var metadata: Logger.Metadata { ["client_id": "\(hook.clientId)", "app": "\(hook.app)", "ip": "\(hook.ip ?? "-")"] }
        switch policy.classify(hook) {
        case .refuse(let reason):
            log.notice("publish refused", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            HookCounter.count(.onPublish, .refused)
            return .refuse(.forbidden, reason: reason)
        case .relay:
            log.info("relay publish accepted (not queued)", metadata: metadata)
            HookCounter.count(.onPublish, .relay)
            return .accept
        case .programme:
            log.info("programme publish accepted (not queued)", metadata: metadata)
            HookCounter.count(.onPublish, .programme)
            await programme.published(clientId: hook.clientId, feed: ProgrammeFeed(app: hook.app, stream: hook.stream ?? ""))
            return .accept
        case .djPublish(let streamKey):
            do {
                guard let publisher = try await accounts.publisher(forStreamKey: streamKey, requestID: requestID) else {
                    log.notice("publish refused: unknown or inactive stream key", metadata: metadata)
                    HookCounter.count(.onPublish, .unknownKey)
                    return .refuse(.forbidden, reason: "unknown stream key")
                }
                await closes.forget(clientId: hook.clientId)
                let reply: PublishReply
                do {
                    reply = try await queue.publish(
                        PublishRequest(clientId: hook.clientId, userId: publisher.userId, djName: publisher.djName, app: hook.app, stream: streamKey, pictureUrl: publisher.pictureUrl),
                        requestID: requestID
                    )
                } catch {
                    await closes.owe(SessionCloseRequest(clientId: hook.clientId, action: "publish_unanswered"))
                    throw error
                }
                leadForward.published(clientId: hook.clientId, reply: reply)
                var djMetadata = metadata
                djMetadata["dj"] = "\(publisher.djName)"
                switch reply.decision {
                case .lead, .queued:
                    if reply.decision == .lead {
                        await leadPublished(StandbyJob(userId: publisher.userId, djName: publisher.djName, app: hook.app, stream: streamKey))
                    }
                    djMetadata["decision"] = "\(reply.decision.rawValue)"
                    djMetadata["position"] = "\(reply.position ?? -1)"
                    log.info("publish accepted", metadata: djMetadata)
                    HookCounter.count(.onPublish, reply.decision == .lead ? .lead : .queued)
                    return .accept
                case .refused:
                    djMetadata["reason"] = "\(reply.reason ?? "-")"
                    log.notice("publish refused by the queue", metadata: djMetadata)
                    HookCounter.count(.onPublish, .refused)
                    return .refuse(.forbidden, reason: reply.reason ?? "the queue refused this publish")
                }
            } catch {
                log.error("publish refused: a peer did not answer (failing closed)", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                HookCounter.count(.onPublish, .peerFailure)
                return .refuse(.serviceUnavailable, reason: "Motherstream is temporarily unavailable; try again shortly")
            }
        }
    }
}
