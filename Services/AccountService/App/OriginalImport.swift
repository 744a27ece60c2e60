import Foundation
import Shared

/// Copies the original system's `users` table (original-system.md §4.1) into this store: DJs keep
/// their email, DJ name, time zone, Argon2 password hash (argon2-cffi's PHC strings verify
/// here) and stream key (stored as our digest + sealed copy, marked legacy so the dashboard
/// suggests a rotation); `is_superuser` becomes the admin role. Safe to run again: accounts
/// already here are skipped.
struct OriginalImport {
    struct Report: Equatable, CustomStringConvertible {
        var imported = 0
        var skipped = 0
        var refused: [String] = []

        var description: String {
            "imported \(imported), skipped \(skipped) (already here), refused \(refused.count)"
                + (refused.isEmpty ? "" : ":\n  " + refused.joined(separator: "\n  "))
        }
    }

    let store: any UserStore
    let vault: StreamKeyVault

    func run(_ users: [OriginalDatabase.User], now: Date = Date()) async throws -> Report {
        var report = Report()
        for original in users {
            if try await store.user(email: original.email) != nil {
                report.skipped += 1
                continue
            }
            guard StreamKeyVault.isWellFormed(original.streamKey) else {
                report.refused.append("user \(original.id) (\(original.djName)): the stream key is not usable as an RTMP stream name")
                continue
            }
            if try await store.user(streamKeyDigest: vault.digest(original.streamKey)) != nil {
                report.refused.append("user \(original.id) (\(original.djName)): another account already has this stream key")
                continue
            }
            let id = UUID()
            let user = UserRecord(
                id: id, email: original.email.trimmingCharacters(in: .whitespaces), djName: String(original.djName.trimmingCharacters(in: .whitespaces).prefix(AccountRules.maximumDJNameLength)),
                timezone: TimeZone(identifier: original.timezone) == nil ? "UTC" : original.timezone,
                role: original.isSuperuser ? .admin : .dj, isActive: original.isActive, createdAt: now,
                passwordHash: original.passwordHash, streamKey: try vault.store(original.streamKey, for: id), legacyKey: true
            )
            do {
                try await store.create(user)
                report.imported += 1
            } catch AccountError.duplicateDJName {
                report.refused.append("user \(original.id) (\(original.djName)): the DJ name is taken here (ignoring case); rename one and import again")
            } catch AccountError.duplicateEmail {
                report.refused.append("user \(original.id) (\(original.email)): the email is taken here (ignoring case)")
            }
        }
        return report
    }
}
