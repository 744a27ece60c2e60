import Foundation
import Logging
import PostgresNIO

/// The attempt counters in PostgreSQL, seen by every replica: one row per key (its digest) and
/// window, counted by an atomic upsert that only adds the attempt if the two windows allow it.
/// Each attempt also deletes a few rows whose windows no longer count, so the table holds only
/// about the attempts of the last two windows.
struct PostgresAttemptCounter: AttemptCounter {
    let client: PostgresClient
    let logger: Logger
    /// Expired rows deleted per attempt: more than the one row an attempt can add.
    static let sweep = 4

    func attempt(_ key: String, rule: RateLimiter.Rule, now: Date) async throws -> TimeInterval? {
        let window = AttemptWindow(now: now, rule: rule)
        let digest = AttemptDigest(key).hex
        let (index, previousIndex) = (window.index, window.index - 1)
        // The previous window's row counts until this window ends; `expires_at` is when it stops.
        let expiresAt = Int64((Double(window.index + 2) * rule.window).rounded(.up))
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let (weight, limit) = (window.previousWeight, rule.limit)
        let counted = try await client.query(
            """
            WITH swept AS (
                DELETE FROM attempt_windows WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM attempt_windows WHERE expires_at < \(nowSeconds) LIMIT \(Self.sweep)
                ))
            ), previous AS (
                SELECT COALESCE((SELECT count FROM attempt_windows WHERE key_digest = \(digest) AND window_index = \(previousIndex)), 0) AS count
            )
            INSERT INTO attempt_windows AS w (key_digest, window_index, count, expires_at)
            SELECT \(digest), \(index), 1, \(expiresAt) FROM previous WHERE previous.count * \(weight)::float8 < \(limit)
            ON CONFLICT (key_digest, window_index) DO UPDATE SET count = w.count + 1
                WHERE w.count + (SELECT count FROM previous) * \(weight)::float8 < \(limit)
            RETURNING w.count
            """,
            logger: logger
        )
        for try await _ in counted.decode(Int.self) { return nil }
        var (current, previous) = (0, 0)
        let rows = try await client.query(
            "SELECT window_index, count FROM attempt_windows WHERE key_digest = \(digest) AND window_index IN (\(index), \(previousIndex))",
            logger: logger
        )
        for try await (rowIndex, count) in rows.decode((Int64, Int).self) {
            if rowIndex == index { current = count } else { previous = count }
        }
        return window.retryAfter(current: current, previous: previous)
    }
}
