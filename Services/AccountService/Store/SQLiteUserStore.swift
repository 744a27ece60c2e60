import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import SQLiteNIO
import Shared

/// Accounts in an embedded SQLite file (WAL, synchronous=FULL): a first run needs no database server.
final class SQLiteUserStore: UserStore {
    private let connection: SQLiteConnection
    let path: String

    static func open(path: String, logger: Logger) async throws -> SQLiteUserStore {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON"] {
            _ = try await connection.query(pragma, [])
        }
        chmod(path, 0o600)
        return SQLiteUserStore(connection: connection, path: path)
    }

    private init(connection: SQLiteConnection, path: String) {
        self.connection = connection
        self.path = path
    }

    func close() async throws {
        try await connection.close()
    }

    func withRunningConnections(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            try? await close()
            throw error
        }
        try await close()
    }

    func migrate() async throws {
        _ = try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)", [])
        let applied = Set(try await connection.query("SELECT version FROM schema_migrations", []).compactMap { $0.column("version")?.integer })
        for migration in Schema.sqlite where !applied.contains(migration.version) {
            _ = try await connection.query("BEGIN IMMEDIATE", [])
            do {
                for statement in migration.statements {
                    _ = try await connection.query(statement, [])
                }
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    [.integer(SQLiteInt64(migration.version)), .text(JSONCoding.timestamp(Date()))]
                )
                _ = try await connection.query("COMMIT", [])
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                throw error
            }
        }
    }

    func create(_ user: UserRecord) async throws {
        do {
            _ = try await connection.query(
                """
                INSERT INTO users (id, email, email_key, dj_name, dj_name_key, timezone, role, is_active,
                                   password_hash, stream_key_digest, stream_key_sealed, created_at, session_epoch, legacy_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    Self.id(user.id), .text(user.email), .text(user.email.uniquenessKey),
                    .text(user.djName), .text(user.djName.uniquenessKey), .text(user.timezone), .text(user.role.rawValue),
                    .integer(user.isActive ? 1 : 0), .text(user.passwordHash), .text(user.streamKey.digest),
                    .text(user.streamKey.sealed), .text(JSONCoding.timestamp(user.createdAt)),
                    .integer(SQLiteInt64(user.sessionEpoch)), .integer(user.legacyKey ? 1 : 0),
                ]
            )
        } catch let error as SQLiteError where error.reason == .constraintUniqueFailed || error.reason == .constraint {
            throw UniqueViolation.accountError(fromConstraintText: error.message) ?? error
        }
    }

    func user(id: UUID) async throws -> UserRecord? {
        try await one("\(Self.select) WHERE users.id = ?", [Self.id(id)])
    }

    func user(email: String) async throws -> UserRecord? {
        try await one("\(Self.select) WHERE users.email_key = ?", [.text(email.uniquenessKey)])
    }

    func user(streamKeyDigest: String) async throws -> UserRecord? {
        try await one("\(Self.select) WHERE users.stream_key_digest = ?", [.text(streamKeyDigest)])
    }

    func setProfile(userId: UUID, email: String, djName: String, timezone: String) async throws {
        do {
            _ = try await connection.query(
                "UPDATE users SET email = ?, email_key = ?, dj_name = ?, dj_name_key = ?, timezone = ? WHERE id = ?",
                [.text(email), .text(email.uniquenessKey), .text(djName), .text(djName.uniquenessKey), .text(timezone), Self.id(userId)]
            )
        } catch let error as SQLiteError where error.reason == .constraintUniqueFailed || error.reason == .constraint {
            throw UniqueViolation.accountError(fromConstraintText: error.message) ?? error
        }
    }

    func setPassword(userId: UUID, hash: String) async throws -> Int? {
        let rows = try await connection.query(
            "UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 WHERE id = ? RETURNING session_epoch",
            [.text(hash), Self.id(userId)]
        )
        return rows.first?.column("session_epoch")?.integer.map { Int($0) }
    }

    func setRole(userId: UUID, role: Role) async throws {
        _ = try await connection.query("UPDATE users SET role = ? WHERE id = ?", [.text(role.rawValue), Self.id(userId)])
    }

    func setActive(userId: UUID, active: Bool) async throws {
        _ = try await connection.query("UPDATE users SET is_active = ? WHERE id = ?", [.integer(active ? 1 : 0), Self.id(userId)])
    }

    func endSessions(userId: UUID) async throws {
        _ = try await connection.query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?", [Self.id(userId)])
    }

    func setStreamKey(userId: UUID, key: StoredStreamKey) async throws {
        _ = try await connection.query(
            "UPDATE users SET stream_key_digest = ?, stream_key_sealed = ? WHERE id = ?", [.text(key.digest), .text(key.sealed), Self.id(userId)]
        )
    }

    func clearLegacyKey(userId: UUID) async throws {
        _ = try await connection.query("UPDATE users SET legacy_key = 0 WHERE id = ?", [Self.id(userId)])
    }

    func delete(_ userId: UUID) async throws {
        _ = try await connection.query("DELETE FROM users WHERE id = ?", [Self.id(userId)])
    }

    func setPicture(userId: UUID, picture: StoredPicture) async throws {
        _ = try await connection.query(
            """
            INSERT INTO pictures (user_id, id, jpeg, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET id = excluded.id, jpeg = excluded.jpeg, updated_at = excluded.updated_at
            """,
            [Self.id(userId), .text(picture.id), .blob(ByteBuffer(data: picture.jpeg)), .text(JSONCoding.timestamp(Date()))]
        )
    }

    func removePicture(userId: UUID) async throws {
        _ = try await connection.query("DELETE FROM pictures WHERE user_id = ?", [Self.id(userId)])
    }

    func picture(id: String) async throws -> Data? {
        let rows = try await connection.query(
            "SELECT pictures.jpeg FROM pictures JOIN users ON users.id = pictures.user_id WHERE pictures.id = ? AND users.is_active = 1", [.text(id)]
        )
        return rows.first?.column("jpeg")?.blob.map { Data(buffer: $0) }
    }

    func users(matching search: String, offset: Int, limit: Int) async throws -> (users: [UserRecord], total: Int) {
        let pattern = "%" + search.uniquenessKey.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
        let total = try await connection.query(
            "SELECT COUNT(*) AS total FROM users WHERE email_key LIKE ? OR dj_name_key LIKE ?", [.text(pattern), .text(pattern)]
        ).first?.column("total")?.integer ?? 0
        let rows = try await connection.query(
            "\(Self.select) WHERE users.email_key LIKE ? OR users.dj_name_key LIKE ? ORDER BY users.created_at, users.id LIMIT ? OFFSET ?",
            [.text(pattern), .text(pattern), .integer(SQLiteInt64(limit)), .integer(SQLiteInt64(offset))]
        )
        return (try rows.map(Self.record), Int(total))
    }

    func activeUsers() async throws -> [UserRecord] {
        try await connection.query("\(Self.select) WHERE users.is_active = 1 ORDER BY users.stream_key_digest", []).map(Self.record)
    }

    func addPasswordReset(tokenHash: String, userId: UUID, expiresAt: Date) async throws {
        _ = try await connection.query(
            "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
            [.text(tokenHash), Self.id(userId), .text(JSONCoding.timestamp(expiresAt))]
        )
    }

    func consumePasswordReset(tokenHash: String, now: Date) async throws -> UUID? {
        let moment = JSONCoding.timestamp(now)
        let rows = try await connection.query(
            "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id",
            [.text(moment), .text(tokenHash), .text(moment)]
        )
        return rows.first?.column("user_id")?.string.flatMap(UUID.init(uuidString:))
    }

    func passwordResetIsUsable(tokenHash: String, now: Date) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?", [.text(tokenHash), .text(JSONCoding.timestamp(now))]
        )
        return !rows.isEmpty
    }

    func endSession(tokenDigest: String, expiresAt: Date, now: Date) async throws {
        _ = try await connection.query(
            "INSERT OR IGNORE INTO ended_sessions (token_digest, expires_at) VALUES (?, ?)",
            [.text(tokenDigest), .text(JSONCoding.timestamp(expiresAt))]
        )
        _ = try await connection.query(
            "DELETE FROM ended_sessions WHERE token_digest IN (SELECT token_digest FROM ended_sessions WHERE expires_at < ? LIMIT 4)",
            [.text(JSONCoding.timestamp(now))]
        )
    }

    func isSessionEnded(tokenDigest: String) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM ended_sessions WHERE token_digest = ?", [.text(tokenDigest)])
        return !rows.isEmpty
    }

    func healthProblem() async -> String? {
        do {
            _ = try await connection.query("SELECT 1", [])
            return nil
        } catch {
            return "SQLite at \(path): \(error)"
        }
    }

    /// An account with its picture's id, if it has one.
    private static let select = "SELECT users.*, pictures.id AS picture_id FROM users LEFT JOIN pictures ON pictures.user_id = users.id"

    /// Ids are stored as lowercase text.
    private static func id(_ userId: UUID) -> SQLiteData {
        .text(userId.uuidString.lowercased())
    }

    private func one(_ sql: String, _ binds: [SQLiteData]) async throws -> UserRecord? {
        try await connection.query(sql, binds).first.map(Self.record)
    }

    private static func record(_ row: SQLiteRow) throws -> UserRecord {
        func text(_ column: String) throws -> String {
            guard let value = row.column(column)?.string else { throw StoreError.missingColumn(column) }
            return value
        }
        guard let id = UUID(uuidString: try text("id")) else { throw StoreError.malformed("id") }
        guard let role = Role(rawValue: try text("role")) else { throw StoreError.malformed("role") }
        guard let createdAt = JSONCoding.parseTimestamp(try text("created_at")) else { throw StoreError.malformed("created_at") }
        return UserRecord(
            id: id, email: try text("email"), djName: try text("dj_name"), timezone: try text("timezone"), role: role,
            isActive: row.column("is_active")?.integer == 1, createdAt: createdAt, passwordHash: try text("password_hash"),
            streamKey: StoredStreamKey(digest: try text("stream_key_digest"), sealed: try text("stream_key_sealed")),
            sessionEpoch: Int(row.column("session_epoch")?.integer ?? 0), legacyKey: row.column("legacy_key")?.integer == 1,
            pictureId: row.column("picture_id")?.string
        )
    }
}

enum StoreError: Error, CustomStringConvertible {
    case missingColumn(String)
    case malformed(String)

    var description: String {
        switch self {
        case .missingColumn(let column): "the users table has no value in column \(column)"
        case .malformed(let column): "the users table holds a malformed \(column)"
        }
    }
}
