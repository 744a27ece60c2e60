import Foundation
import Shared
import Testing
import TestSupport
@testable import AccountService

/// Pictures in both stores: kept in the database beside the account, found by id, replaced in
/// one write, not served for a deactivated account, deleted with the account.
@Suite struct ProfilePictureStoreTests {
    let vault = StreamKeyVault(secret: Secret(TestSecrets.jwt))

    func user(email: String, djName: String) throws -> UserRecord {
        let id = UUID()
        return UserRecord(
            id: id, email: email, djName: djName, timezone: "UTC", role: .dj, isActive: true,
            createdAt: Date(timeIntervalSince1970: 1_800_000_000), passwordHash: "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            streamKey: try vault.store(vault.generate(), for: id)
        )
    }

    func picture(_ fill: UInt8) -> StoredPicture {
        StoredPicture(id: URLSafeToken.random(byteCount: 16), jpeg: Data([0xFF, 0xD8] + [UInt8](repeating: fill, count: 40_000) + [0xFF, 0xD9]))
    }

    @Test(arguments: StoreBackend.allCases) func aPictureIsKeptReplacedAndRemoved(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let dj = try user(email: "a@example.org", djName: "Alpha")
            let other = try user(email: "b@example.org", djName: "Bravo")
            try await store.create(dj)
            try await store.create(other)
            #expect(try await store.user(id: dj.id)?.pictureId == nil)

            let first = picture(1)
            try await store.setPicture(userId: dj.id, picture: first)
            #expect(try await store.picture(id: first.id) == first.jpeg)
            #expect(try await store.user(id: dj.id)?.pictureId == first.id)
            #expect(try await store.user(email: "a@example.org")?.pictureId == first.id)
            #expect(try await store.user(streamKeyDigest: dj.streamKey.digest)?.pictureId == first.id, "the hook's lookup carries it")
            #expect(try await store.user(id: other.id)?.pictureId == nil, "only the owner's account shows it")
            let listed = try await store.users(matching: "", offset: 0, limit: 10).users
            #expect(listed.map(\.pictureId) == [first.id, nil] || listed.map(\.pictureId) == [nil, first.id])

            let second = picture(2)
            try await store.setPicture(userId: dj.id, picture: second)
            #expect(try await store.picture(id: first.id) == nil, "the old picture is gone with the change")
            #expect(try await store.picture(id: second.id) == second.jpeg)
            #expect(try await store.user(id: dj.id)?.pictureId == second.id)

            try await store.removePicture(userId: dj.id)
            #expect(try await store.picture(id: second.id) == nil)
            #expect(try await store.user(id: dj.id)?.pictureId == nil)
            try await store.removePicture(userId: dj.id)
        }
    }

    @Test(arguments: StoreBackend.allCases) func aDeactivatedAccountsPictureIsHiddenAndADeletedOnesIsGone(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let dj = try user(email: "a@example.org", djName: "Alpha")
            try await store.create(dj)
            let kept = picture(3)
            try await store.setPicture(userId: dj.id, picture: kept)

            try await store.setActive(userId: dj.id, active: false)
            #expect(try await store.picture(id: kept.id) == nil)
            try await store.setActive(userId: dj.id, active: true)
            #expect(try await store.picture(id: kept.id) == kept.jpeg)

            try await store.delete(dj.id)
            #expect(try await store.picture(id: kept.id) == nil)
            // Recreating the account under the same id proves the row went, not only the account.
            try await store.create(dj)
            #expect(try await store.user(id: dj.id)?.pictureId == nil)
        }
    }
}
