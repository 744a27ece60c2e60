import Foundation

/// Secrets for tests: long enough for HS256 (jwt-kit traps on shorter HMAC keys).
public enum TestSecrets {
    public static let jwt = "test-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
    public static let internalToken = "test-internal-token-0123456789"
    public static let hook = "test-hook-secret-0123456789"
    public static let relay = "test-relay-secret-0123456789"
    public static let streamReader = "test-stream-reader-token-0123456789"

    /// The environment every service needs, plus cheap Argon2 so tests sign up many DJs quickly.
    public static var environment: [String: String] {
        [
            "JWT_SECRET": jwt, "INTERNAL_TOKEN": internalToken, "HOOK_SECRET": hook, "RELAY_SECRET": relay, "STREAM_READER_TOKEN": streamReader,
            "ARGON2_MEMORY_KIB": "1024", "ARGON2_ITERATIONS": "1", "ARGON2_PARALLELISM": "1",
        ]
    }

    /// The throwaway PostgreSQL `make test` starts, or nil when it is not running.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["MOTHERSTREAM_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
