import Foundation
import Shared

/// A store whose every write that can change the publisher directory (an account created,
/// renamed, deactivated or deleted, a key rotated, a picture changed) is announced to it before
/// the write returns — here, at the one door all writes pass, so no new write path can forget.
struct DirectoryAnnouncingStore: UserStore {
    let base: any UserStore
    let directory: PublisherDirectory

    func create(_ user: UserRecord) async throws {
        try await base.create(user)
        await directory.written()
    }

    func setProfile(userId: UUID, email: String, djName: String, timezone: String) async throws {
        try await base.setProfile(userId: userId, email: email, djName: djName, timezone: timezone)
        await directory.written()
    }

    func setActive(userId: UUID, active: Bool) async throws {
        try await base.setActive(userId: userId, active: active)
        await directory.written()
    }

    func setStreamKey(userId: UUID, key: StoredStreamKey) async throws {
        try await base.setStreamKey(userId: userId, key: key)
        await directory.written()
    }

    func delete(_ userId: UUID) async throws {
        try await base.delete(userId)
        await directory.written()
    }

    func setPicture(userId: UUID, picture: StoredPicture) async throws {
        try await base.setPicture(userId: userId, picture: picture)
        await directory.written()
    }

    func removePicture(userId: UUID) async throws {
        try await base.removePicture(userId: userId)
        await directory.written()
    }

    // Nothing below changes who a key belongs to.

    func migrate() async throws { try await base.migrate() }
    func user(id: UUID) async throws -> UserRecord? { try await base.user(id: id) }
    func user(email: String) async throws -> UserRecord? { try await base.user(email: email) }
    func user(streamKeyDigest: String) async throws -> UserRecord? { try await base.user(streamKeyDigest: streamKeyDigest) }
    func setPassword(userId: UUID, hash: String) async throws -> Int? { try await base.setPassword(userId: userId, hash: hash) }
    func setRole(userId: UUID, role: Role) async throws { try await base.setRole(userId: userId, role: role) }
    func endSessions(userId: UUID) async throws { try await base.endSessions(userId: userId) }
    func clearLegacyKey(userId: UUID) async throws { try await base.clearLegacyKey(userId: userId) }
    func picture(id: String) async throws -> Data? { try await base.picture(id: id) }
    func users(matching search: String, offset: Int, limit: Int) async throws -> (users: [UserRecord], total: Int) {
        try await base.users(matching: search, offset: offset, limit: limit)
    }
    func activeUsers() async throws -> [UserRecord] { try await base.activeUsers() }
    func addPasswordReset(tokenHash: String, userId: UUID, expiresAt: Date) async throws {
        try await base.addPasswordReset(tokenHash: tokenHash, userId: userId, expiresAt: expiresAt)
    }
    func consumePasswordReset(tokenHash: String, now: Date) async throws -> UUID? { try await base.consumePasswordReset(tokenHash: tokenHash, now: now) }
    func passwordResetIsUsable(tokenHash: String, now: Date) async throws -> Bool { try await base.passwordResetIsUsable(tokenHash: tokenHash, now: now) }
    func endSession(tokenDigest: String, expiresAt: Date, now: Date) async throws {
        try await base.endSession(tokenDigest: tokenDigest, expiresAt: expiresAt, now: now)
    }
    func isSessionEnded(tokenDigest: String) async throws -> Bool { try await base.isSessionEnded(tokenDigest: tokenDigest) }
    func healthProblem() async -> String? { await base.healthProblem() }
    func withRunningConnections(_ body: () async throws -> Void) async throws { try await base.withRunningConnections(body) }
}
