import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// Discord's Execute Webhook as reference/protocols.md §4 describes it: the token in the path is
/// checked (401, code 50027); the body is held to Discord's rules (400 with 50006 for an empty
/// message, 50035 for a wrong Content-Type, a body over the limits or a forbidden username);
/// `wait=true` answers 200 with the message, anything else 204. A real bucket per webhook (by
/// default 5 requests per 2 s) is announced in `X-RateLimit-*` headers, with 429, a float
/// `retry_after` and `Retry-After` once it is empty. Discord's own answers carry `Via`.
/// Webhooks can be told to fail with 5xx, or to be gone (401, 403, 404). It records everything
/// it received.
public final class FakeDiscord: Sendable {
    public struct Received: Sendable {
        public var webhook: String
        public var json: String
        public var userAgent: String?
        public var at: Date
        public var status: Int
    }

    struct Bucket {
        var windowStart = Date.distantPast
        var used = 0
    }

    struct State {
        var received: [Received] = []
        var buckets: [String: Bucket] = [:]
        var failures: [String: (status: Int, count: Int)] = [:]
        var gone: [String: Int] = [:]
        var tooMany = 0
    }

    public let limit: Int
    public let window: TimeInterval
    public let server: LiveServer

    public static func start(limit: Int = 5, window: TimeInterval = 2) async throws -> FakeDiscord {
        let box = NIOLockedValueBox(State())
        let router = Router()
        let execute: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            let id = try context.parameters.require("id")
            let token = try context.parameters.require("token")
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let now = Date()
            return box.withLockedValue { state -> Response in
                func answer(_ status: Int, _ headers: HTTPFields = [:], _ json: String?) -> Response {
                    state.received.append(Received(webhook: id, json: body, userAgent: request.headers[.userAgent], at: now, status: status))
                    var headers = headers
                    headers[.via] = "1.1 google"
                    guard let json else { return Response(status: .init(code: status), headers: headers) }
                    headers[.contentType] = "application/json"
                    return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
                }
                if let code = state.gone[id] {
                    return answer(code, [:], Self.goneMessage(code))
                }
                guard token == Self.token(webhook: id) else {
                    return answer(401, [:], #"{"message": "Invalid Webhook Token", "code": 50027}"#)
                }
                var bucket = state.buckets[id] ?? Bucket()
                if now.timeIntervalSince(bucket.windowStart) >= window {
                    bucket = Bucket(windowStart: now, used: 0)
                }
                let resetAfter = max(0, window - now.timeIntervalSince(bucket.windowStart))
                var headers: HTTPFields = [
                    .init("X-RateLimit-Limit")!: "\(limit)", .init("X-RateLimit-Bucket")!: "fake-\(id)",
                    .init("X-RateLimit-Reset")!: String(format: "%.3f", bucket.windowStart.addingTimeInterval(window).timeIntervalSince1970),
                    .init("X-RateLimit-Reset-After")!: String(format: "%.3f", resetAfter),
                ]
                if bucket.used >= limit {
                    state.tooMany += 1
                    headers[.init("X-RateLimit-Remaining")!] = "0"
                    headers[.retryAfter] = "\(Int(resetAfter.rounded(.up)))"
                    headers[.init("X-RateLimit-Scope")!] = "user"
                    return answer(429, headers, String(format: #"{"message": "You are being rate limited.", "retry_after": %.3f, "global": false}"#, resetAfter))
                }
                if var failure = state.failures[id], failure.count > 0 {
                    failure.count -= 1
                    state.failures[id] = failure
                    return answer(failure.status, [:], #"{"message": "\#(failure.status): Internal Server Error", "code": 0}"#)
                }
                bucket.used += 1
                state.buckets[id] = bucket
                headers[.init("X-RateLimit-Remaining")!] = "\(limit - bucket.used)"
                if let refusal = Self.refusal(contentType: request.headers[.contentType], body: body) {
                    return answer(400, headers, refusal)
                }
                guard request.uri.queryParameters["wait"].map({ $0 == "true" || $0 == "1" }) == true else {
                    return answer(204, headers, nil)
                }
                return answer(200, headers, Self.createdMessage(webhook: id, body: body, at: now))
            }
        }
        router.post("api/webhooks/:id/:token", use: execute)
        router.post("api/v10/webhooks/:id/:token", use: execute)
        return FakeDiscord(state: box, limit: limit, window: window, server: try await LiveServer.start(router, label: "fake-discord"))
    }

    private init(state: NIOLockedValueBox<State>, limit: Int, window: TimeInterval, server: LiveServer) {
        self.stateBox = state
        self.limit = limit
        self.window = window
        self.server = server
    }

    private let stateBox: NIOLockedValueBox<State>

    static func token(webhook id: String) -> String { "token-\(id)-secret" }

    /// The URL as copied from Discord's UI.
    public func url(webhook id: String) -> String { "\(server.baseURL)/api/webhooks/\(id)/\(Self.token(webhook: id))" }

    /// The webhook answers this status (401, 403 or 404) from now on.
    public func makeGone(_ id: String, status: Int = 404) {
        stateBox.withLockedValue { $0.gone[id] = status }
    }

    /// The next `count` requests to this webhook fail with `status` (e.g. 500, 502).
    public func fail(_ id: String, status: Int, count: Int) {
        stateBox.withLockedValue { $0.failures[id] = (status, count) }
    }

    public var received: [Received] { stateBox.withLockedValue { $0.received } }
    public var tooManyRequests: Int { stateBox.withLockedValue { $0.tooMany } }

    /// The `content` (or first embed title) of every accepted message to this webhook, in order.
    public func delivered(to id: String) -> [(text: String, at: Date)] {
        received.filter { $0.webhook == id && (200..<300).contains($0.status) }.compactMap { message in
            guard let object = try? JSONSerialization.jsonObject(with: Data(message.json.utf8)) as? [String: Any] else { return nil }
            let text = object["content"] as? String ?? ((object["embeds"] as? [[String: Any]])?.first?["title"] as? String) ?? ""
            return (text, message.at)
        }
    }

    public func stop() async {
        await server.stop()
    }

    private static func goneMessage(_ status: Int) -> String {
        switch status {
        case 404: #"{"message": "Unknown Webhook", "code": 10015}"#
        case 403: #"{"message": "Missing Permissions", "code": 50013}"#
        default: #"{"message": "Invalid Webhook Token", "code": 50027}"#
        }
    }

    /// Discord's 400 for a body it will not post, or nil when the body is acceptable.
    private static func refusal(contentType: String?, body: String) -> String? {
        let invalid = #"{"message": "Invalid Form Body", "code": 50035}"#
        guard contentType?.lowercased().hasPrefix("application/json") == true,
              let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        else { return invalid }
        if let username = object["username"] as? String {
            let lowered = username.lowercased()
            if username.isEmpty || username.count > 80 || ["@", "#", ":", "```", "discord"].contains(where: { lowered.contains($0) }) { return invalid }
        }
        let content = (object["content"] as? String) ?? ""
        let embeds = (object["embeds"] as? [[String: Any]]) ?? []
        guard !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || !embeds.isEmpty else {
            return #"{"message": "Cannot send an empty message", "code": 50006}"#
        }
        guard content.count <= 2000, embeds.count <= 10 else { return invalid }
        var total = 0
        for embed in embeds {
            let title = embed["title"] as? String ?? "", description = embed["description"] as? String ?? ""
            let fields = embed["fields"] as? [[String: Any]] ?? []
            guard title.count <= 256, description.count <= 4096, fields.count <= 25 else { return invalid }
            total += title.count + description.count
            for field in fields {
                let name = field["name"] as? String ?? "", value = field["value"] as? String ?? ""
                guard name.count <= 256, value.count <= 1024 else { return invalid }
                total += name.count + value.count
            }
        }
        return total <= 6000 ? nil : invalid
    }

    /// The message object `wait=true` returns (the fields a webhook client may read).
    private static func createdMessage(webhook id: String, body: String, at time: Date) -> String {
        let sent = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        let message: [String: Any] = [
            "id": "\(UInt64.random(in: 1...UInt64.max))", "type": 0, "channel_id": "1000\(id)", "webhook_id": id,
            "content": sent["content"] as? String ?? "", "embeds": sent["embeds"] as? [Any] ?? [],
            "timestamp": ISO8601DateFormatter().string(from: time),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: message)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
