import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// Discord's Execute Webhook as reference/protocols.md §4 describes it: a real bucket per webhook
/// (by default 5 requests per 2 s) announced in `X-RateLimit-*` headers, 429 with a float
/// `retry_after` (and `Via`, as Discord's own answers carry) once the bucket is empty, and
/// webhooks that can be told to fail with 5xx, 401 or 404. It records everything it received.
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
        router.post("api/webhooks/:id/:token") { request, context -> Response in
            let id = try context.parameters.require("id")
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let now = Date()
            return box.withLockedValue { state -> Response in
                func record(_ status: Int) {
                    state.received.append(Received(webhook: id, json: body, userAgent: request.headers[.userAgent], at: now, status: status))
                }
                if let code = state.gone[id] {
                    record(code)
                    let message = code == 404 ? #"{"message": "Unknown Webhook", "code": 10015}"# : #"{"message": "401: Unauthorized", "code": 0}"#
                    return Response(status: .init(code: code), headers: [.contentType: "application/json", .init("Via")!: "1.1 google"], body: .init(byteBuffer: ByteBuffer(string: message)))
                }
                var bucket = state.buckets[id] ?? Bucket()
                if now.timeIntervalSince(bucket.windowStart) >= window {
                    bucket = Bucket(windowStart: now, used: 0)
                }
                let resetAfter = max(0, window - now.timeIntervalSince(bucket.windowStart))
                var headers: HTTPFields = [
                    .contentType: "application/json", .init("Via")!: "1.1 google",
                    .init("X-RateLimit-Limit")!: "\(limit)", .init("X-RateLimit-Bucket")!: "fake-\(id)",
                    .init("X-RateLimit-Reset")!: String(format: "%.3f", bucket.windowStart.addingTimeInterval(window).timeIntervalSince1970),
                    .init("X-RateLimit-Reset-After")!: String(format: "%.3f", resetAfter),
                ]
                if bucket.used >= limit {
                    state.tooMany += 1
                    record(429)
                    headers[.init("X-RateLimit-Remaining")!] = "0"
                    headers[.init("Retry-After")!] = "\(Int(resetAfter.rounded(.up)))"
                    headers[.init("X-RateLimit-Scope")!] = "user"
                    let body = String(format: #"{"message": "You are being rate limited.", "retry_after": %.3f, "global": false}"#, resetAfter)
                    return Response(status: .tooManyRequests, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
                }
                if var failure = state.failures[id], failure.count > 0 {
                    failure.count -= 1
                    state.failures[id] = failure
                    record(failure.status)
                    return Response(status: .init(code: failure.status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"message": "Internal Server Error", "code": 0}"#)))
                }
                bucket.used += 1
                state.buckets[id] = bucket
                headers[.init("X-RateLimit-Remaining")!] = "\(limit - bucket.used)"
                record(200)
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"id": "\#(UInt64.random(in: 1...UInt64.max))", "type": 0}"#)))
            }
        }
        return FakeDiscord(state: box, limit: limit, window: window, server: try await LiveServer.start(router, label: "fake-discord"))
    }

    private init(state: NIOLockedValueBox<State>, limit: Int, window: TimeInterval, server: LiveServer) {
        self.stateBox = state
        self.limit = limit
        self.window = window
        self.server = server
    }

    private let stateBox: NIOLockedValueBox<State>

    public func url(webhook id: String) -> String { "\(server.baseURL)/api/webhooks/\(id)/token-\(id)-secret" }

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
        received.filter { $0.webhook == id && $0.status == 200 }.compactMap { message in
            guard let object = try? JSONSerialization.jsonObject(with: Data(message.json.utf8)) as? [String: Any] else { return nil }
            let text = object["content"] as? String ?? ((object["embeds"] as? [[String: Any]])?.first?["title"] as? String) ?? ""
            return (text, message.at)
        }
    }

    public func stop() async {
        await server.stop()
    }
}
