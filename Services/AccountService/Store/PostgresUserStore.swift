import Foundation
import Logging
import PostgresNIO
import Shared

/// Accounts in PostgreSQL. The client is a Service run by the application; queries wait for it.
struct PostgresUserStore: UserStore {
    let client: PostgresClient
    let logger: Logger

    func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            // Two instances starting together must not both migrate.
            try await connection.query("SELECT pg_advisory_xact_lock(7412093)", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)", logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            for migration in Schema.postgres where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version, applied_at) VALUES (\(migration.version), now())", logger: logger)
            }
        }
    }

    func create(_ user: UserRecord) async throws {
        do {
            try await client.query(
                """
                INSERT INTO users (id, email, email_key, dj_name, dj_name_key, timezone, role, is_active,
                                   password_hash, stream_key_digest, stream_key_sealed, created_at, session_epoch, legacy_key)
                VALUES (\(user.id), \(user.email), \(user.email.uniquenessKey), \(user.djName), \(user.djName.uniquenessKey),
                        \(user.timezone), \(user.role.rawValue), \(user.isActive), \(user.passwordHash),
                        \(user.streamKey.digest), \(user.streamKey.sealed), \(user.createdAt), \(user.sessionEpoch), \(user.legacyKey))
                """,
                logger: logger
            )
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw UniqueViolation.accountError(fromConstraintText: error.serverInfo?[.constraintName] ?? "") ?? error
        }
    }

    func user(id: UUID) async throws -> UserRecord? {
        try await one(query: "SELECT \(unescaped: Self.columns) FROM \(unescaped: Self.accounts) WHERE users.id = \(id)")
    }

    func user(email: String) async throws -> UserRecord? {
        try await one(query: "SELECT \(unescaped: Self.columns) FROM \(unescaped: Self.accounts) WHERE users.email_key = \(email.uniquenessKey)")
    }

    func user(streamKeyDigest: String) async throws -> UserRecord? {
        try await one(query: "SELECT \(unescaped: Self.columns) FROM \(unescaped: Self.accounts) WHERE users.stream_key_digest = \(streamKeyDigest)")
    }

    func withRunningConnections(_ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }

    func setProfile(userId: UUID, email: String, djName: String, timezone: String) async throws {
        do {
            try await client.query(
                """
                UPDATE users SET email = \(email), email_key = \(email.uniquenessKey), dj_name = \(djName),
                       dj_name_key = \(djName.uniquenessKey), timezone = \(timezone)
                WHERE id = \(userId)
                """,
                logger: logger
            )
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw UniqueViolation.accountError(fromConstraintText: error.serverInfo?[.constraintName] ?? "") ?? error
        }
    }

    func setPassword(userId: UUID, hash: String) async throws -> Int? {
        let rows = try await client.query(
            "UPDATE users SET password_hash = \(hash), session_epoch = session_epoch + 1 WHERE id = \(userId) RETURNING session_epoch",
            logger: logger
        )
        for try await epoch in rows.decode(Int.self) { return epoch }
        return nil
    }

    func setRole(userId: UUID, role: Role) async throws {
        try await client.query("UPDATE users SET role = \(role.rawValue) WHERE id = \(userId)", logger: logger)
    }

    func setActive(userId: UUID, active: Bool) async throws {
        try await client.query("UPDATE users SET is_active = \(active) WHERE id = \(userId)", logger: logger)
    }

    func endSessions(userId: UUID) async throws {
        try await client.query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = \(userId)", logger: logger)
    }

    func setStreamKey(userId: UUID, key: StoredStreamKey) async throws {
        try await client.query("UPDATE users SET stream_key_digest = \(key.digest), stream_key_sealed = \(key.sealed) WHERE id = \(userId)", logger: logger)
    }

    func clearLegacyKey(userId: UUID) async throws {
        try await client.query("UPDATE users SET legacy_key = FALSE WHERE id = \(userId)", logger: logger)
    }

    func delete(_ userId: UUID) async throws {
        try await client.query("DELETE FROM users WHERE id = \(userId)", logger: logger)
    }

    func setPicture(userId: UUID, picture: StoredPicture) async throws {
        try await client.query(
            """
            INSERT INTO pictures (user_id, id, jpeg, updated_at) VALUES (\(userId), \(picture.id), \(picture.jpeg), now())
            ON CONFLICT (user_id) DO UPDATE SET id = excluded.id, jpeg = excluded.jpeg, updated_at = excluded.updated_at
            """,
            logger: logger
        )
    }

    func removePicture(userId: UUID) async throws {
        try await client.query("DELETE FROM pictures WHERE user_id = \(userId)", logger: logger)
    }

    func picture(id: String) async throws -> Data? {
        let rows = try await client.query(
            "SELECT pictures.jpeg FROM pictures JOIN users ON users.id = pictures.user_id WHERE pictures.id = \(id) AND users.is_active",
            logger: logger
        )
        for try await jpeg in rows.decode(Data.self) { return jpeg }
        return nil
    }

    func users(matching search: String, offset: Int, limit: Int) async throws -> (users: [UserRecord], total: Int) {
        let pattern = "%" + search.uniquenessKey.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
        var total = 0
        for try await count in try await client.query("SELECT COUNT(*) FROM users WHERE email_key LIKE \(pattern) OR dj_name_key LIKE \(pattern)", logger: logger).decode(Int.self) {
            total = count
        }
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM \(unescaped: Self.accounts)
            WHERE users.email_key LIKE \(pattern) OR users.dj_name_key LIKE \(pattern) ORDER BY users.created_at, users.id LIMIT \(limit) OFFSET \(offset)
            """,
            logger: logger
        )
        var users: [UserRecord] = []
        for try await row in rows.decode(Self.Row.self) {
            users.append(try Self.record(row))
        }
        return (users, total)
    }

    func activeUsers() async throws -> [UserRecord] {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM \(unescaped: Self.accounts) WHERE users.is_active ORDER BY users.stream_key_digest", logger: logger
        )
        var users: [UserRecord] = []
        for try await row in rows.decode(Self.Row.self) {
            users.append(try Self.record(row))
        }
        return users
    }

    func addPasswordReset(tokenHash: String, userId: UUID, expiresAt: Date) async throws {
        try await client.query("INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (\(tokenHash), \(userId), \(expiresAt))", logger: logger)
    }

    func consumePasswordReset(tokenHash: String, now: Date) async throws -> UUID? {
        let rows = try await client.query(
            "UPDATE password_resets SET used_at = \(now) WHERE token_hash = \(tokenHash) AND used_at IS NULL AND expires_at > \(now) RETURNING user_id",
            logger: logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    func passwordResetIsUsable(tokenHash: String, now: Date) async throws -> Bool {
        let rows = try await client.query(
            "SELECT 1 FROM password_resets WHERE token_hash = \(tokenHash) AND used_at IS NULL AND expires_at > \(now)", logger: logger
        )
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    func endSession(tokenDigest: String, expiresAt: Date, now: Date) async throws {
        try await client.query(
            """
            WITH swept AS (
                DELETE FROM ended_sessions WHERE token_digest IN (SELECT token_digest FROM ended_sessions WHERE expires_at < \(now) LIMIT 4)
            )
            INSERT INTO ended_sessions (token_digest, expires_at) VALUES (\(tokenDigest), \(expiresAt)) ON CONFLICT (token_digest) DO NOTHING
            """,
            logger: logger
        )
    }

    func isSessionEnded(tokenDigest: String) async throws -> Bool {
        for try await _ in try await client.query("SELECT 1 FROM ended_sessions WHERE token_digest = \(tokenDigest)", logger: logger).decode(Int.self) {
            return true
        }
        return false
    }

    func healthProblem() async -> String? {
        do {
            try await client.query("SELECT 1", logger: logger)
            return nil
        } catch {
            return "PostgreSQL: \(String(reflecting: error).prefix(300))"
        }
    }

    private static let columns = """
        users.id, users.email, users.dj_name, users.timezone, users.role, users.is_active, users.created_at, users.password_hash,
        users.stream_key_digest, users.stream_key_sealed, users.session_epoch, users.legacy_key, pictures.id
        """
    /// An account with its picture's id, if it has one.
    private static let accounts = "users LEFT JOIN pictures ON pictures.user_id = users.id"
    private typealias Row = (UUID, String, String, String, String, Bool, Date, String, String, String, Int, Bool, String?)

    private static func record(_ row: Row) throws -> UserRecord {
        let (id, email, djName, timezone, role, isActive, createdAt, passwordHash, digest, sealed, epoch, legacy, pictureId) = row
        guard let role = Role(rawValue: role) else { throw StoreError.malformed("role") }
        return UserRecord(
            id: id, email: email, djName: djName, timezone: timezone, role: role, isActive: isActive, createdAt: createdAt,
            passwordHash: passwordHash, streamKey: StoredStreamKey(digest: digest, sealed: sealed), sessionEpoch: epoch, legacyKey: legacy,
            pictureId: pictureId
        )
    }

    private func one(query: PostgresQuery) async throws -> UserRecord? {
        let rows = try await client.query(query, logger: logger)
        for try await row in rows.decode(Self.Row.self) {
            return try Self.record(row)
        }
        return nil
    }
}
