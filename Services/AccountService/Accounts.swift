import Crypto
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
        return try await session(for: user, now: now)
    }

    /// A session token for this account, bound to its current session epoch.
    func session(for user: UserRecord, now: Date = Date()) async throws -> String {
        try await tokens.sign(SessionClaims(
            userId: user.id, role: user.role, issuedAt: now, expiresAt: now.addingTimeInterval(tokenLifetime), epoch: user.sessionEpoch
        ))
    }

    /// The active user a session token belongs to; tokens from before a password reset are refused.
    func user(forToken token: String) async throws -> UserRecord {
        guard let claims = await tokens.verify(token), let userId = claims.userId else { throw APIError.unauthorized }
        guard let user = try await store.user(id: userId), user.isActive, (claims.ver ?? 0) == user.sessionEpoch else {
            throw AccountError.userNotFound
        }
        return user
    }

    func updateProfile(of user: UserRecord, email: String, djName: String, timezone: String) async throws -> UserRecord {
        var changed = user
        changed.email = try AccountRules.email(email)
        changed.djName = try AccountRules.djName(djName)
        changed.timezone = try AccountRules.timezone(timezone)
        try await store.update(changed)
        return changed
    }

    /// Checks the current password (the original reported success on a wrong one), then ends
    /// every other session; returns a fresh token for this one.
    func changePassword(of user: UserRecord, current: String, new: String) async throws -> String {
        guard await hasher.verify(current, against: user.passwordHash) else {
            throw AccountError.invalidField(field: "current_password", message: "That is not your current password.")
        }
        var changed = user
        changed.passwordHash = try await hasher.hash(try AccountRules.password(new))
        changed.sessionEpoch += 1
        try await store.update(changed)
        return try await session(for: changed)
    }

    func deleteAccount(_ user: UserRecord, password: String) async throws {
        guard await hasher.verify(password, against: user.passwordHash) else {
            throw AccountError.invalidField(field: "password", message: "Type your password to confirm.")
        }
        try await store.delete(user.id)
    }

    /// Always the same answer, whether or not the address has an account. The token is stored
    /// only as a hash, is valid for an hour, and works once.
    func requestPasswordReset(email: String, publicURL: String, mailer: any Mailer, now: Date = Date()) async throws {
        guard let user = try await store.user(email: email), user.isActive else { return }
        let token = vault.generate()
        try await store.addPasswordReset(tokenHash: Self.resetHash(token), userId: user.id, expiresAt: now.addingTimeInterval(3600))
        try await mailer.send(
            to: user.email, subject: "Motherstream - Password Reset Request",
            body: """
                Hi \(user.djName),

                Someone (hopefully you) asked to reset your Motherstream password. This link works once, for one hour:

                \(publicURL)/reset-password?token=\(token)

                If it was not you, ignore this mail; your password stays as it is.
                """
        )
    }

    /// Sets a new password with a reset token and ends every session of the account.
    func resetPassword(token: String, newPassword: String, now: Date = Date()) async throws -> UserRecord {
        let password = try AccountRules.password(newPassword)
        guard let userId = try await store.consumePasswordReset(tokenHash: Self.resetHash(token), now: now),
              var user = try await store.user(id: userId)
        else {
            throw AccountError.invalidField(field: "token", message: "This reset link is invalid, used or expired. Ask for a new one.")
        }
        user.passwordHash = try await hasher.hash(password)
        user.sessionEpoch += 1
        try await store.update(user)
        return user
    }

    static func resetHash(_ token: String) -> String {
        Array(SHA256.hash(data: Data(token.utf8))).hexString
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
