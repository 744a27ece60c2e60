import Foundation

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
    func replaceStreamKey(of userId: UUID, with key: StoredStreamKey) async throws
    /// Saves a changed account (profile, password hash, role, active flag, session epoch).
    /// Throws `AccountError.duplicateEmail` / `.duplicateDJName` like `create`.
    func update(_ user: UserRecord) async throws
    func delete(_ userId: UUID) async throws
    /// A page of accounts whose email or DJ name contains `search` (any case), oldest first.
    func users(matching search: String, offset: Int, limit: Int) async throws -> (users: [UserRecord], total: Int)
    /// Remembers a password-reset token by its hash.
    func addPasswordReset(tokenHash: String, userId: UUID, expiresAt: Date) async throws
    /// Marks a reset token used and returns its account — only once, and only before it expires.
    func consumePasswordReset(tokenHash: String, now: Date) async throws -> UUID?
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
