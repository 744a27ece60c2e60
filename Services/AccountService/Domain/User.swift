import Foundation
import Shared

/// A Motherstream account as stored: including the secrets (password hash, stream-key digest
/// and sealed key), which never leave AccountService.
struct UserRecord: Sendable, Equatable {
    var id: UUID
    var email: String
    var djName: String
    var timezone: String
    var role: Role
    var isActive: Bool
    var createdAt: Date
    var passwordHash: String
    var streamKey: StoredStreamKey
    /// Moves on when the password is reset, invalidating every session issued before.
    var sessionEpoch = 0
    /// A short key imported from the original system: works, but rotating it is advised.
    var legacyKey = false
}

/// A stream key at rest: the digest finds its owner, the sealed copy lets the owner see it again.
struct StoredStreamKey: Sendable, Equatable {
    var digest: String
    var sealed: String
}

/// What an account looks like to its owner and to admins: no hash, no key.
struct UserProfile: Codable, Sendable, Equatable {
    var id: UUID
    var email: String
    var djName: String
    var timezone: String
    var role: Role
    var isActive: Bool
    var createdAt: Date
    var legacyKey: Bool

    init(_ user: UserRecord) {
        id = user.id
        email = user.email
        djName = user.djName
        timezone = user.timezone
        role = user.role
        isActive = user.isActive
        createdAt = user.createdAt
        legacyKey = user.legacyKey
    }
}

extension String {
    /// The form uniqueness is checked in: emails and DJ names are unique regardless of case.
    var uniquenessKey: String {
        trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
