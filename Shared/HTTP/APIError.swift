import Foundation
import Hummingbird

/// An error a client can act on: an HTTP status, a stable machine-readable code, a sentence
/// for a person, and the field at fault when there is one. Rendered as
/// `{"error": {"code": …, "message": …, "field": …}}` — the same envelope Hummingbird uses
/// for its own decoding errors, so clients parse one shape.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    public struct Body: Codable, Sendable, Equatable {
        public struct Detail: Codable, Sendable, Equatable {
            public var code: String?
            public var message: String
            public var field: String?
        }
        public var error: Detail
    }

    public var body: Body { Body(error: .init(code: code, message: message, field: field)) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(try JSONCoding.encode(body))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    public static func badRequest(_ message: String, code: String = "bad_request", field: String? = nil) -> APIError {
        APIError(.badRequest, code: code, message: message, field: field)
    }

    public static func unprocessable(_ message: String, code: String = "invalid", field: String) -> APIError {
        APIError(.unprocessableContent, code: code, message: message, field: field)
    }

    public static func notFound(_ message: String, code: String = "not_found") -> APIError {
        APIError(.notFound, code: code, message: message)
    }

    public static func conflict(_ message: String, code: String, field: String? = nil) -> APIError {
        APIError(.conflict, code: code, message: message, field: field)
    }

    public static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", message: "Sign in first: send `Authorization: Bearer <token>`.",
        headers: [.wwwAuthenticate: "Bearer"]
    )

    public static func unavailable(_ message: String, code: String = "unavailable") -> APIError {
        APIError(.serviceUnavailable, code: code, message: message)
    }
}
