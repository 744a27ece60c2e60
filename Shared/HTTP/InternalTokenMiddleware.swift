import Foundation
import Hummingbird

/// Guards `/internal/*`: only a caller holding `INTERNAL_TOKEN` as a bearer token gets through.
public struct InternalTokenMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let token: Secret

    public init(token: Secret) {
        self.token = token
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = request.headers.bearerToken, token.matches(presented) else {
            throw APIError(
                .unauthorized, code: "internal_token_required",
                message: "This route is for Motherstream services: send `Authorization: Bearer <INTERNAL_TOKEN>`.",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        return try await next(request, context)
    }
}

extension HTTPFields {
    /// The token of an `Authorization: Bearer …` header, if there is one.
    public var bearerToken: String? {
        guard let value = self[.authorization] else { return nil }
        let prefix = "bearer "
        guard value.count > prefix.count, value.prefix(prefix.count).lowercased() == prefix else { return nil }
        return String(value.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
    }
}
