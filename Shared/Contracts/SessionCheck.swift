import Foundation

/// `POST /internal/v1/sessions/check` on AccountService: is this session token still good?
/// Services with admin routes ask (and cache the answer for a few seconds), so a session that
/// AccountService ended — logout, password change or reset, deactivation, deletion, demotion —
/// stops working everywhere within seconds, not when the token expires.
public struct SessionCheckRequest: Codable, Sendable, Equatable {
    public var token: String

    public init(token: String) {
        self.token = token
    }
}

public struct SessionCheckReply: Codable, Sendable, Equatable {
    /// False for a token that is forged, expired, or ended by AccountService.
    public var valid: Bool
    public var userId: UUID?
    /// The account's role now (a demoted admin's old token says `admin`; this says `dj`).
    public var role: Role?

    public init(valid: Bool, userId: UUID? = nil, role: Role? = nil) {
        self.valid = valid
        self.userId = userId
        self.role = role
    }
}
