import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Calls a peer over a shared keep-alive connection pool: JSON in and out, its credentials,
/// the caller's request id, and a deadline after which the call is abandoned — a peer that
/// does not answer must never hold up the caller.
public struct PeerClient: Sendable {
    public let baseURL: String
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
        self.baseURL = baseURL
        self.http = http
        self.authorization = authorization
        self.timeout = timeout
        self.extraHeaders = extraHeaders
    }

    /// The same peer and pool, with other credentials (e.g. a user's session forwarded to a route
    /// that checks their role itself).
    public func authorized(by authorization: Secret) -> PeerClient {
        PeerClient(baseURL: baseURL, http: http, authorization: authorization, timeout: timeout, extraHeaders: extraHeaders)
    }

    /// The same peer and pool, also sending this header (a second credential) on every call.
    public func sending(header name: String, value: Secret) -> PeerClient {
        PeerClient(baseURL: baseURL, http: http, authorization: authorization, timeout: timeout, extraHeaders: extraHeaders + [(name, value)])
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
        var request = HTTPClientRequest(url: baseURL + path)
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
        let deadline = timeout ?? self.timeout
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(deadline.nanoseconds))
            let bytes = try await response.body.collect(upTo: 4 * 1024 * 1024)
            return Reply(status: Int(response.status.code), body: bytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw PeerError.timedOut(peer: baseURL, after: deadline)
        } catch let error as PeerError {
            throw error
        } catch {
            throw PeerError.unreachable(peer: baseURL, reason: String(describing: error))
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
