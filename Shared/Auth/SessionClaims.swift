import Foundation
import JWTKit

public enum Role: String, Codable, Sendable, CaseIterable {
    case dj
    case admin
}

/// What a Motherstream session token says: who (`sub` = user id), as what, until when.
public struct SessionClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var role: Role
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim
    /// The account's session epoch when the token was issued: a password reset moves the epoch
    /// on, and AccountService then refuses every older token.
    public var ver: Int?

    public init(userId: UUID, role: Role, issuedAt: Date, expiresAt: Date, epoch: Int? = nil) {
        self.sub = SubjectClaim(value: userId.uuidString.lowercased())
        self.role = role
        self.iat = IssuedAtClaim(value: issuedAt)
        self.exp = ExpirationClaim(value: expiresAt)
        self.ver = epoch
    }

    public var userId: UUID? { UUID(uuidString: sub.value) }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Signs and verifies session tokens with `JWT_SECRET` (HS256). AccountService signs;
/// every service with admin routes verifies locally, without a call to AccountService.
public struct SessionTokens: Sendable {
    private let keys: JWTKeyCollection

    public init(secret: Secret) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret.value), digestAlgorithm: .sha256)
        self.keys = keys
    }

    public func sign(_ claims: SessionClaims) async throws -> String {
        try await keys.sign(claims)
    }

    /// The claims of a valid, unexpired token, or nil.
    public func verify(_ token: String) async -> SessionClaims? {
        try? await keys.verify(token, as: SessionClaims.self)
    }
}
