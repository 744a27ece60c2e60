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

    init(_ user: UserRecord) {
        id = user.id
        email = user.email
        djName = user.djName
        timezone = user.timezone
        role = user.role
        isActive = user.isActive
        createdAt = user.createdAt
    }
}

extension String {
    /// The form uniqueness is checked in: emails and DJ names are unique regardless of case.
    var uniquenessKey: String {
        trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
