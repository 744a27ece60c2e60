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
    /// The id of the account's profile picture (`ProfilePicture`), nil without one.
    var pictureId: String?
}

extension UserRecord {
    /// Where the account's picture is served, nil without one.
    func pictureURL(publicURL: String) -> String? {
        pictureId.map { publicURL + ProfilePicture.path(id: $0) }
    }

    /// What HookGateway learns of the account behind a valid key.
    func publisher(publicURL: String) -> VerifiedPublisher {
        VerifiedPublisher(userId: id, djName: djName, pictureUrl: pictureURL(publicURL: publicURL))
    }
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
    /// Where the account's picture is served (`picture_url`), absent without one.
    var pictureUrl: String?

    init(_ user: UserRecord, pictureUrl: String?) {
        id = user.id
        email = user.email
        djName = user.djName
        timezone = user.timezone
        role = user.role
        isActive = user.isActive
        createdAt = user.createdAt
        legacyKey = user.legacyKey
        self.pictureUrl = pictureUrl
    }
}

extension String {
    /// The form uniqueness is checked in: emails and DJ names are unique regardless of case.
    var uniquenessKey: String {
        trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
