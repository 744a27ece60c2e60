import Foundation
import Shared

/// The account use cases, over a store: sign up, log in, find the session's user, and the
/// stream-key operations. Routes decode and encode around these.
struct Accounts: Sendable {
    let store: any UserStore
    let hasher: PasswordHasher
    let vault: StreamKeyVault
    let tokens: SessionTokens
    let tokenLifetime: TimeInterval

    /// A decoy hash verified when an email is unknown, so a login takes as long either way.
    private static let decoyHash = "$argon2id$v=19$m=65536,t=3,p=4$8ruEnskL6PZMe5rasK4H5g$/PQK3It5Hqhke+emeNqYzwWtJnqlSh0ku1h0LA3mmKs"

    func signUp(_ form: SignupForm, role: Role = .dj, now: Date = Date()) async throws -> (user: UserRecord, streamKey: String) {
        let signup = try AccountRules.validate(form)
        let id = UUID()
        let key = vault.generate()
        let user = UserRecord(
            id: id, email: signup.email, djName: signup.djName, timezone: signup.timezone, role: role, isActive: true,
            createdAt: now, passwordHash: try await hasher.hash(signup.password), streamKey: try vault.store(key, for: id)
        )
        try await store.create(user)
        return (user, key)
    }

    func logIn(email: String, password: String, now: Date = Date()) async throws -> String {
        guard let user = try await store.user(email: email) else {
            _ = await hasher.verify(password, against: Self.decoyHash)
            throw AccountError.invalidCredentials
        }
        guard await hasher.verify(password, against: user.passwordHash) else { throw AccountError.invalidCredentials }
        guard user.isActive else { throw AccountError.accountDeactivated }
        return try await tokens.sign(SessionClaims(userId: user.id, role: user.role, issuedAt: now, expiresAt: now.addingTimeInterval(tokenLifetime)))
    }

    /// The active user a session token belongs to.
    func user(forToken token: String) async throws -> UserRecord {
        guard let claims = await tokens.verify(token), let userId = claims.userId else { throw APIError.unauthorized }
        guard let user = try await store.user(id: userId), user.isActive else { throw AccountError.userNotFound }
        return user
    }

    func revealStreamKey(of user: UserRecord) throws -> String {
        try vault.reveal(user.streamKey, for: user.id)
    }

    /// Issues a new key; the old one stops working at once.
    func rotateStreamKey(of user: UserRecord) async throws -> String {
        let key = vault.generate()
        try await store.replaceStreamKey(of: user.id, with: try vault.store(key, for: user.id))
        return key
    }

    /// The owner of a valid key of an active account: one HMAC and one indexed lookup.
    func publisher(forStreamKey key: String) async throws -> VerifiedPublisher {
        guard StreamKeyVault.isWellFormed(key), let user = try await store.user(streamKeyDigest: vault.digest(key)), user.isActive else {
            throw AccountError.unknownStreamKey
        }
        return VerifiedPublisher(userId: user.id, djName: user.djName)
    }
}
