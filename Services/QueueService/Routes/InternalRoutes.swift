import Foundation
import Hummingbird
import Shared

/// The routes HookGateway, OBSBridge, Notifier and AccountService call, behind the internal token.
struct InternalRoutes {
    let engine: QueueEngine
    let streamReader: StreamReaderGate

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("publish") { request, context -> PublishReply in
            let publish = try await request.decode(as: PublishRequest.self, context: context, limit: BodyLimit.publish)
            try Validation.clientId(publish.clientId)
            try Validation.nonEmpty(publish.djName, field: "dj_name")
            try Validation.nonEmpty(publish.app, field: "app")
            try Validation.nonEmpty(publish.stream, field: "stream")
            let reply = try await engine.publish(publish)
            // The gateway logs each hook once at info; here only when asked (LOG_LEVEL=debug).
            context.logger.debug(
                "publish",
                metadata: ["client_id": "\(publish.clientId)", "dj": "\(publish.djName)", "decision": "\(reply.decision.rawValue)", "position": "\(reply.position.map(String.init) ?? "-")"]
            )
            return reply
        }
        group.post("unpublish") { request, context -> SessionCloseReply in
            let close = try await request.decode(as: SessionCloseRequest.self, context: context, limit: BodyLimit.command)
            try Validation.clientId(close.clientId)
            let reply = try await engine.closeSession(close)
            context.logger.debug("session closed", metadata: ["client_id": "\(close.clientId)", "action": "\(close.action)", "changed": "\(reply.changed)"])
            return reply
        }
        group.post("stream-health") { request, context -> StreamHealthReply in
            let report = try await request.decode(as: StreamHealthReport.self, context: context, limit: BodyLimit.streamHealth)
            for publisher in report.publishers { try Validation.clientId(publisher.clientId) }
            return try await engine.streamHealth(report)
        }
        group.get("stream-health") { request, _ -> LineupHealth in
            let userId = try request.uri.queryParameters["user_id"].map { text in
                guard let id = UUID(uuidString: String(text)) else {
                    throw APIError.badRequest("user_id must be a UUID.", code: "invalid_user_id", field: "user_id")
                }
                return id
            }
            return await engine.lineupHealth(of: userId)
        }
        group.post("broadcast") { request, context -> SessionCloseReply in
            let change = try await request.decode(as: BroadcastChange.self, context: context, limit: BodyLimit.command)
            guard ["programme", "lead"].contains(change.source) else {
                throw APIError.badRequest("source must be programme or lead.", code: "invalid_source", field: "source")
            }
            let changed = try await engine.broadcast(change)
            context.logger.info("broadcast", metadata: ["live": "\(change.live)", "source": "\(change.source)", "changed": "\(changed)"])
            return SessionCloseReply(changed: changed)
        }
        group.post("users/forget") { request, context -> SessionCloseReply in
            let forget = try await request.decode(as: ForgetUserRequest.self, context: context, limit: BodyLimit.command)
            try await engine.forget(forget.userId)
            context.logger.info("a deleted or deactivated account left the queue; its sessions are kicked", metadata: ["user_id": "\(forget.userId)"])
            return SessionCloseReply(changed: true)
        }
        group.get("forward") { request, _ -> ForwardReply in
            guard let clientId = request.uri.queryParameters["client_id"].map(String.init) else {
                throw APIError.badRequest("Pass the SRS client id as ?client_id=.", code: "missing_client_id", field: "client_id")
            }
            try Validation.clientId(clientId)
            return await engine.forwardTargets(clientId: clientId)
        }
        group.get("state") { request, _ in
            let withStreams = try streamReader.admits(request)
            return await engine.internalState(withStreams: withStreams)
        }
        group.get("sessions") { _, _ in
            OpenSessionsReply(sessions: await engine.openSessions().map { .init(clientId: $0.clientId, userId: $0.userId, openedAt: $0.openedAt) })
        }
        group.get("events") { request, _ -> EventPage in
            let query = request.uri.queryParameters
            let after = try Validation.number(query["after"].map(String.init), field: "after", default: UInt64(0))
            let wait = try Validation.number(query["wait"].map(String.init), field: "wait", default: 0.0)
            let limit = try Validation.number(query["limit"].map(String.init), field: "limit", default: 500)
            guard (0...60).contains(wait) else { throw APIError.badRequest("wait must be between 0 and 60 seconds.", code: "invalid_wait", field: "wait") }
            guard (1...5000).contains(limit) else { throw APIError.badRequest("limit must be between 1 and 5000.", code: "invalid_limit", field: "limit") }
            return await engine.feed.page(after: after, wait: .milliseconds(Int64(wait * 1000)), limit: limit)
        }
    }
}
