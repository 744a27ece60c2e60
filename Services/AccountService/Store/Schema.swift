/// The account schema, one numbered migration at a time per dialect. A migration is never
/// edited once released; changes are new migrations.
enum Schema {
    struct Migration {
        var version: Int
        var statements: [String]
    }

    static let sqlite: [Migration] = [
        Migration(version: 1, statements: [
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY NOT NULL,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL UNIQUE,
                dj_name TEXT NOT NULL,
                dj_name_key TEXT NOT NULL UNIQUE,
                timezone TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('dj', 'admin')),
                is_active INTEGER NOT NULL DEFAULT 1,
                password_hash TEXT NOT NULL,
                stream_key_digest TEXT NOT NULL UNIQUE,
                stream_key_sealed TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
        ]),
        Migration(version: 2, statements: [
            "ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE users ADD COLUMN legacy_key INTEGER NOT NULL DEFAULT 0",
            """
            CREATE TABLE password_resets (
                token_hash TEXT PRIMARY KEY NOT NULL,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                expires_at TEXT NOT NULL,
                used_at TEXT
            )
            """,
        ]),
        Migration(version: 3, statements: [
            """
            CREATE TABLE ended_sessions (
                token_digest TEXT PRIMARY KEY NOT NULL,
                expires_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX ended_sessions_expiry ON ended_sessions (expires_at)",
        ]),
        Migration(version: 4, statements: [
            // Profile pictures: the resized JPEG, in its own table so reading an account (the hook
            // hot path) never reads the bytes.
            """
            CREATE TABLE pictures (
                user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                id TEXT NOT NULL UNIQUE,
                jpeg BLOB NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
        ]),
    ]

    static let postgresV2 = Migration(version: 2, statements: [
        "ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE users ADD COLUMN legacy_key BOOLEAN NOT NULL DEFAULT FALSE",
        """
        CREATE TABLE password_resets (
            token_hash TEXT PRIMARY KEY,
            user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            expires_at TIMESTAMPTZ NOT NULL,
            used_at TIMESTAMPTZ
        )
        """,
    ])

    static let postgres: [Migration] = [
        Migration(version: 1, statements: [
            """
            CREATE TABLE users (
                id UUID PRIMARY KEY,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL CONSTRAINT users_email_key_unique UNIQUE,
                dj_name TEXT NOT NULL,
                dj_name_key TEXT NOT NULL CONSTRAINT users_dj_name_key_unique UNIQUE,
                timezone TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('dj', 'admin')),
                is_active BOOLEAN NOT NULL DEFAULT TRUE,
                password_hash TEXT NOT NULL,
                stream_key_digest TEXT NOT NULL CONSTRAINT users_stream_key_digest_unique UNIQUE,
                stream_key_sealed TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            )
            """,
        ]),
        postgresV2,
        Migration(version: 3, statements: [
            """
            CREATE TABLE ended_sessions (
                token_digest TEXT PRIMARY KEY,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX ended_sessions_expiry ON ended_sessions (expires_at)",
            // The attempt limits' counters (`PostgresAttemptCounter`); times in Unix seconds.
            """
            CREATE TABLE attempt_windows (
                key_digest TEXT NOT NULL,
                window_index BIGINT NOT NULL,
                count INTEGER NOT NULL,
                expires_at BIGINT NOT NULL,
                PRIMARY KEY (key_digest, window_index)
            )
            """,
            "CREATE INDEX attempt_windows_expiry ON attempt_windows (expires_at)",
        ]),
        Migration(version: 4, statements: [
            """
            CREATE TABLE pictures (
                user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                id TEXT NOT NULL CONSTRAINT pictures_id_unique UNIQUE,
                jpeg BYTEA NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            )
            """,
        ]),
    ]
}
