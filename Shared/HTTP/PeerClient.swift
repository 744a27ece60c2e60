import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1

/// Calls a peer over a shared keep-alive connection pool: JSON in and out, its credentials,
/// the caller's request id, and a deadline after which the call is abandoned — a peer that
/// does not answer must never hold up the caller. A peer given as several comma-separated
/// URLs is a set of interchangeable replicas: a call one of them cannot take is made again on
/// another inside the same deadline, so only use that for calls that are safe to repeat.
public struct PeerClient: Sendable {
    /// As configured: one base URL, or several separated by commas.
    public let baseURL: String
    let instances: PeerInstances
    let http: HTTPClient
    let authorization: Secret?
    let timeout: Duration
    /// Further credentials sent on every call (e.g. `X-Stream-Reader-Token`).
    let extraHeaders: [(name: String, value: Secret)]

    /// A Motherstream service, reached with the internal bearer token.
    public init(baseURL: String, http: HTTPClient, token: Secret, timeout: Duration) {
        self.init(baseURL: baseURL, http: http, authorization: Secret("Bearer \(token.value)"), timeout: timeout)
    }

    /// Any other peer, with a ready `Authorization` header value (or none).
    public init(baseURL: String, http: HTTPClient, authorization: Secret?, timeout: Duration) {
        self.init(baseURL: baseURL, http: http, authorization: authorization, timeout: timeout, extraHeaders: [])
    }

    private init(baseURL: String, http: HTTPClient, authorization: Secret?, timeout: Duration, extraHeaders: [(name: String, value: Secret)]) {
        self.init(instances: PeerInstances(baseURL), http: http, authorization: authorization, timeout: timeout, extraHeaders: extraHeaders)
    }

    private init(instances: PeerInstances, http: HTTPClient, authorization: Secret?, timeout: Duration, extraHeaders: [(name: String, value: Secret)]) {
        self.baseURL = instances.urls.joined(separator: ",")
        self.instances = instances
        self.http = http
        self.authorization = authorization
        self.timeout = timeout
        self.extraHeaders = extraHeaders
    }

    /// The same peer and pool, with other credentials (e.g. a user's session forwarded to a route
    /// that checks their role itself).
    public func authorized(by authorization: Secret) -> PeerClient {
        PeerClient(instances: instances, http: http, authorization: authorization, timeout: timeout, extraHeaders: extraHeaders)
    }

    /// The same peer and pool, also sending this header (a second credential) on every call.
    public func sending(header name: String, value: Secret) -> PeerClient {
        PeerClient(instances: instances, http: http, authorization: authorization, timeout: timeout, extraHeaders: extraHeaders + [(name, value)])
    }

    /// Each replica on its own, for a call that must stay with one (a long poll).
    public var replicas: [PeerClient] {
        instances.urls.map { PeerClient(instances: PeerInstances($0), http: http, authorization: authorization, timeout: timeout, extraHeaders: extraHeaders) }
    }

    /// What a peer answered: its status and body, undecoded, so callers can treat a 404 as an answer.
    public struct Reply: Sendable {
        public var status: Int
        public var body: ByteBuffer

        public func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONCoding.decoder.decode(type, from: body)
        }
    }

    public func get(_ path: String, requestID: String? = nil, timeout: Duration? = nil) async throws -> Reply {
        try await send(.GET, path, body: nil, requestID: requestID, timeout: timeout)
    }

    public func post(_ path: String, json: some Encodable, requestID: String? = nil) async throws -> Reply {
        try await send(.POST, path, body: JSONCoding.encode(json), requestID: requestID, timeout: nil)
    }

    public func delete(_ path: String, requestID: String? = nil) async throws -> Reply {
        try await send(.DELETE, path, body: nil, requestID: requestID, timeout: nil)
    }

    public func send(_ method: HTTPMethod, _ path: String, body: Data?, requestID: String?, timeout: Duration?) async throws -> Reply {
        let budget = timeout ?? self.timeout
        let deadline = ContinuousClock.now + budget
        let order = instances.order()
        var lastError: PeerError?
        for (attempt, index) in order.enumerated() {
            let remaining = deadline - .now
            guard remaining > .zero else { break }
            // A replica that hangs rather than refuses must leave the others time to answer, and
            // so must one that refuses: the pool retries a refused connection until the attempt's
            // deadline. A healthy replica answers in milliseconds, so 500 ms is already a bad one.
            let isLast = attempt == order.count - 1
            let share = isLast ? remaining : min(remaining / (order.count - attempt), Self.replicaPatience)
            do {
                let reply = try await attemptCall(instances.urls[index], method, path, body: body, requestID: requestID, timeout: share)
                instances.answered(index)
                return reply
            } catch {
                instances.failed(index)
                lastError = error as? PeerError ?? .unreachable(peer: instances.urls[index], reason: "\(error)")
            }
        }
        throw lastError ?? PeerError.timedOut(peer: baseURL, after: budget)
    }

    static let replicaPatience = Duration.milliseconds(500)

    private func attemptCall(_ base: String, _ method: HTTPMethod, _ path: String, body: Data?, requestID: String?, timeout: Duration) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let authorization {
            request.headers.add(name: "Authorization", value: authorization.value)
        }
        for header in extraHeaders {
            request.headers.add(name: header.name, value: header.value.value)
        }
        request.headers.add(name: "Accept", value: "application/json")
        if let requestID {
            request.headers.add(name: "X-Request-Id", value: requestID)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let started = ContinuousClock.now
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let bytes = try await response.body.collect(upTo: 4 * 1024 * 1024)
            PeerCallMetrics.record(peer: base, outcome: .answered, duration: .now - started)
            return Reply(status: Int(response.status.code), body: bytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            PeerCallMetrics.record(peer: base, outcome: .timedOut, duration: .now - started)
            throw PeerError.timedOut(peer: base, after: timeout)
        } catch {
            PeerCallMetrics.record(peer: base, outcome: .unreachable, duration: .now - started)
            throw PeerError.unreachable(peer: base, reason: String(describing: error))
        }
    }
}

public enum PeerError: Error, CustomStringConvertible {
    case timedOut(peer: String, after: Duration)
    case unreachable(peer: String, reason: String)
    case unexpected(peer: String, status: Int, body: String)

    public var description: String {
        switch self {
        case .timedOut(let peer, let after): "\(peer) did not answer within \(after)"
        case .unreachable(let peer, let reason): "\(peer) is unreachable: \(reason)"
        case .unexpected(let peer, let status, let body): "\(peer) answered HTTP \(status): \(body.prefix(200))"
        }
    }

    public static func unexpected(_ client: PeerClient, _ reply: PeerClient.Reply) -> PeerError {
        .unexpected(peer: client.baseURL, status: reply.status, body: String(buffer: reply.body))
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension PeerClient {
    /// For `/ready`: nil when the peer's `/health` answers 200 within a second.
    public func healthProblem() async -> String? {
        do {
            let reply = try await get("/health", timeout: .seconds(1))
            return reply.status == 200 ? nil : "\(baseURL)/health answered HTTP \(reply.status)"
        } catch {
            return "\(error)"
        }
    }
}
