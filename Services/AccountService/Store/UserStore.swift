import Foundation
import Shared

/// Where accounts live. Two implementations — embedded SQLite (the default) and PostgreSQL —
/// behind one protocol, tested by one suite.
protocol UserStore: Sendable {
    /// Creates or upgrades the schema; safe to run at every start.
    func migrate() async throws
    /// Throws `AccountError.duplicateEmail` / `.duplicateDJName` when either is taken (ignoring case).
    func create(_ user: UserRecord) async throws
    func user(id: UUID) async throws -> UserRecord?
    func user(email: String) async throws -> UserRecord?
    /// The one indexed lookup on the hook hot path.
    func user(streamKeyDigest: String) async throws -> UserRecord?

    // Each write sets only its own columns, so two at once never undo each other: a whole-row
    // save from a stale copy could revert a password change and revive the sessions it ended.

    /// Throws `AccountError.duplicateEmail` / `.duplicateDJName` like `create`.
    func setProfile(userId: UUID, email: String, djName: String, timezone: String) async throws
    /// Sets the hash and moves the session epoch on in one statement, ending every session issued
    /// before; returns the new epoch, or nil when no account has this id.
    func setPassword(userId: UUID, hash: String) async throws -> Int?
    func setRole(userId: UUID, role: Role) async throws
    func setActive(userId: UUID, active: Bool) async throws
    /// Moves the session epoch on: every session issued before ends.
    func endSessions(userId: UUID) async throws
    /// The old key stops finding the account at once.
    func setStreamKey(userId: UUID, key: StoredStreamKey) async throws
    /// The account's key is no longer the short one imported from the original.
    func clearLegacyKey(userId: UUID) async throws

    func delete(_ userId: UUID) async throws
    /// Sets or replaces the account's picture in one statement, so a reader sees the old one or the
    /// new one, never neither. Deleting the account deletes its picture.
    func setPicture(userId: UUID, picture: StoredPicture) async throws
    func removePicture(userId: UUID) async throws
    /// A picture's JPEG by its id, while its account is active: a deactivated DJ's is not shown.
    func picture(id: String) async throws -> Data?
    /// A page of accounts whose email or DJ name contains `search` (any case), oldest first.
    func users(matching search: String, offset: Int, limit: Int) async throws -> (users: [UserRecord], total: Int)
    /// Every active account, by its key's digest: what the publisher directory is made of.
    func activeUsers() async throws -> [UserRecord]
    /// Remembers a password-reset token by its hash.
    func addPasswordReset(tokenHash: String, userId: UUID, expiresAt: Date) async throws
    /// Marks a reset token used and returns its account — only once, and only before it expires.
    func consumePasswordReset(tokenHash: String, now: Date) async throws -> UUID?
    /// Whether a reset token could still be used (unused, unexpired), without using it.
    func passwordResetIsUsable(tokenHash: String, now: Date) async throws -> Bool
    /// Remembers a logged-out session token by its digest until it would have expired anyway, and
    /// forgets a few that have, so the table holds only tokens that could still be presented.
    func endSession(tokenDigest: String, expiresAt: Date, now: Date) async throws
    func isSessionEnded(tokenDigest: String) async throws -> Bool
    /// Nil when the database answers, otherwise what is wrong.
    func healthProblem() async -> String?
    /// Runs `body` with the store's connections open, outside a running application (command-line tools).
    func withRunningConnections(_ body: () async throws -> Void) async throws
}

/// A uniqueness violation, classified by the column it hit.
enum UniqueViolation {
    static func accountError(fromConstraintText text: String) -> AccountError? {
        if text.contains("email_key") { return .duplicateEmail }
        if text.contains("dj_name_key") { return .duplicateDJName }
        return nil
    }
}
