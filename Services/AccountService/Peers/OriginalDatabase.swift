import Logging
import PostgresNIO

/// The original system's PostgreSQL, read once by `import-original`: its `users` table
/// (original-system.md §4.1).
enum OriginalDatabase {
    struct User {
        var id: Int
        var email: String
        var djName: String
        var timezone: String
        var passwordHash: String
        var isActive: Bool
        var isSuperuser: Bool
        var streamKey: String
    }

    static func users(in target: DatabaseLocation.PostgresTarget, logger: Logger) async throws -> [User] {
        let client = PostgresClient(configuration: target.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: [User].self) { group in
            group.addTask {
                await client.run()
                return []
            }
            defer { group.cancelAll() }
            var users: [User] = []
            let rows = try await client.query(
                """
                SELECT id, email, dj_name, COALESCE(timezone, ''), password, COALESCE(is_active, TRUE), COALESCE(is_superuser, FALSE), stream_key
                FROM users ORDER BY id
                """,
                logger: logger
            )
            for try await (id, email, djName, timezone, password, isActive, isSuperuser, key) in rows.decode((Int, String, String, String, String, Bool, Bool, String).self) {
                users.append(User(id: id, email: email, djName: djName, timezone: timezone, passwordHash: password, isActive: isActive, isSuperuser: isSuperuser, streamKey: key))
            }
            return users
        }
    }
}
