import Hummingbird
import NIOCore
import Shared

/// The most each route reads of a request body. Everything QueueService is sent is a small JSON
/// object, so the limits are tight: a stranger cannot make it buffer more than this per request.
/// Routes that take no body never read one.
enum BodyLimit {
    /// `POST /internal/v1/publish`: a client id (≤ 64), a DJ name, an app and a stream key.
    static let publish = 4 * 1024
    /// Session closes, forgets and the admin commands with a body (remove, move, extend).
    static let command = 1024
    /// `POST /internal/v1/stream-health`: a few dozen publishers of ~120 bytes each.
    static let streamHealth = 16 * 1024
}

extension Request {
    /// Decodes a JSON body of at most `limit` bytes; a longer one is answered 413 with the
    /// usual error body, and only `limit` bytes of it are ever read.
    func decode<T: Decodable>(as type: T.Type, context: ServiceRequestContext, limit: Int) async throws -> T {
        let tooLarge = APIError(.contentTooLarge, code: "body_too_large", message: "This route takes a body of at most \(limit) bytes.")
        if let length = headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        var request = self
        do {
            _ = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        return try await request.decode(as: type, context: context)
    }
}
