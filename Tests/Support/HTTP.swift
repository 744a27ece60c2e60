import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small real-HTTP client for tests: every call goes over loopback to a real listener.
public struct TestHTTP: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var body: String
        public var headers: HTTPHeaders

        public func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw ServiceProcessError("not a JSON object: \(body)")
            }
            return object
        }
    }

    /// A client that reports redirects instead of following them, as a browser's cookie jar needs.
    static let plain: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init() {}

    public func send(
        _ method: HTTPMethod, _ url: String, body: String? = nil, contentType: String = "application/json",
        headers: [String: String] = [:], timeout: Duration = .seconds(10)
    ) async throws -> Reply {
        try await send(method, url, bytes: body.map { Data($0.utf8) }, contentType: contentType, headers: headers, timeout: timeout)
    }

    /// With a body of raw bytes (an image upload).
    public func send(
        _ method: HTTPMethod, _ url: String, bytes body: Data?, contentType: String,
        headers: [String: String] = [:], timeout: Duration = .seconds(10)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await Self.plain.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: bytes), headers: response.headers)
    }

    public func get(_ url: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.GET, url, headers: headers)
    }

    public func post(_ url: String, json: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.POST, url, body: json, headers: headers)
    }

    public func postForm(_ url: String, form: String) async throws -> Reply {
        try await send(.POST, url, body: form, contentType: "application/x-www-form-urlencoded")
    }
}
