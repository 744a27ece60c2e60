import Hummingbird

/// Admin routes in any service: a session token with role `admin`, from the `Authorization`
/// header or the session cookie AccountService sets, verified locally with `JWT_SECRET`.
public struct AdminGate: Sendable {
    /// The cookie AccountService's pages set; the same JWT as the bearer token.
    public static let cookieName = "motherstream_session"
    let tokens: SessionTokens

    public init(tokens: SessionTokens) {
        self.tokens = tokens
    }

    /// The admin's claims, or 401 (no valid session) / 403 (not an admin).
    public func requireAdmin(_ request: Request) async throws -> SessionClaims {
        guard let token = request.headers.bearerToken ?? request.cookies[Self.cookieName]?.value,
              let claims = await tokens.verify(token)
        else {
            throw APIError.unauthorized
        }
        guard claims.role == .admin else {
            throw APIError(.forbidden, code: "admin_only", message: "This needs an admin account.")
        }
        return claims
    }
}
