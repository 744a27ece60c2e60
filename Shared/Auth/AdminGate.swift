import Hummingbird

/// Admin routes in any service: a session token with role `admin`, from the `Authorization`
/// header (or, where a route allows it, the session cookie AccountService sets). The signature
/// and expiry are checked locally; then AccountService is asked (answers cached for seconds)
/// whether the session still stands and what the account's role is now, so a logout, password
/// change, deactivation or demotion ends admin rights everywhere within seconds.
public struct AdminGate: Sendable {
    /// The cookie AccountService's pages set; the same JWT as the bearer token.
    public static let cookieName = "motherstream_session"
    let tokens: SessionTokens
    let standing: (any SessionStanding)?

    /// - Parameter standing: nil trusts a well-signed token until it expires (tests of routes only).
    public init(tokens: SessionTokens, standing: (any SessionStanding)?) {
        self.tokens = tokens
        self.standing = standing
    }

    /// The admin's claims, or 401 (no valid session) / 403 (not an admin) / 503 (cannot tell).
    /// - Parameter allowCookie: false for state-changing routes: a cookie rides along on any
    ///   page's cross-site form post, a bearer token only on a call made on purpose.
    public func requireAdmin(_ request: Request, allowCookie: Bool = true) async throws -> SessionClaims {
        let cookie = allowCookie ? request.cookies[Self.cookieName]?.value : nil
        guard let token = request.headers.bearerToken ?? cookie, var claims = await tokens.verify(token) else {
            throw APIError.unauthorized
        }
        if let standing {
            let reply: SessionCheckReply
            do {
                reply = try await standing.check(token: token)
            } catch {
                throw APIError.unavailable("Could not confirm the session with AccountService; try again in a moment.", code: "session_check_unavailable")
            }
            guard reply.valid, let role = reply.role else { throw APIError.unauthorized }
            claims.role = role
        }
        guard claims.role == .admin else {
            throw APIError(.forbidden, code: "admin_only", message: "This needs an admin account.")
        }
        return claims
    }
}
