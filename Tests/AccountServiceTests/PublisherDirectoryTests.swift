import Foundation
import Shared
import NIOConcurrencyHelpers
import Testing
import TestSupport
@testable import AccountService

/// The publisher directory HookGateway copies, on both stores: what it lists, how its version
/// names its content, the long poll, and a write that waits until the watchers hold it.
@Suite struct PublisherDirectoryTests {
    let vault = StreamKeyVault(secret: Secret(TestSecrets.jwt))
    static let publicURL = "https://motherstream.example.org"

    func user(_ djName: String, active: Bool = true) throws -> (UserRecord, String) {
        let id = UUID()
        let key = vault.generate()
        return (UserRecord(
            id: id, email: "\(djName.lowercased())@example.org", djName: djName, timezone: "UTC", role: .dj, isActive: active,
            createdAt: Date(timeIntervalSince1970: 1_800_000_000), passwordHash: "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            streamKey: try vault.store(key, for: id)
        ), key)
    }

    @Test(arguments: StoreBackend.allCases) func itListsEveryActiveAccountByItsKeysDigestAndNamesItsContent(_ backend: StoreBackend) async throws {
        try await backend.withStore { raw in
            let directory = PublisherDirectory(store: raw, publicURL: Self.publicURL)
            let store = DirectoryAnnouncingStore(base: raw, directory: directory)
            let (alpha, alphaKey) = try user("Alpha")
            let (bravo, _) = try user("Bravo", active: false)
            try await store.create(alpha)
            try await store.create(bravo)
            let listed = try #require(try await directory.next(after: nil, wait: .zero, watcher: "test"))
            #expect(listed.publishers == [StreamKeyDirectory.Entry(digest: vault.digest(alphaKey), publisher: VerifiedPublisher(userId: alpha.id, djName: "Alpha"))])
            #expect(listed.version.count == 32)
            #expect(!String(decoding: try JSONCoding.encode(listed), as: UTF8.self).contains(alphaKey), "the key itself is never in it")

            // The same content is the same version on a second replica reading the same store.
            let replica = PublisherDirectory(store: raw, publicURL: Self.publicURL)
            #expect(try await replica.rebuild().version == listed.version)
            #expect(try await replica.next(after: listed.version, wait: .zero, watcher: "test") == nil)

            // Each change that matters moves the version on.
            var versions = [listed.version]
            try await store.setProfile(userId: alpha.id, email: alpha.email, djName: "Alpha Prime", timezone: "UTC")
            versions.append(try await directory.rebuild().version)
            try await store.setPicture(userId: alpha.id, picture: StoredPicture(id: URLSafeToken.random(byteCount: 16), jpeg: Data([0xFF, 0xD8, 0xFF, 0xD9])))
            let withPicture = try await directory.rebuild()
            versions.append(withPicture.version)
            #expect(withPicture.publishers.first?.publisher.pictureUrl?.hasPrefix(Self.publicURL + "/") == true)
            try await store.setStreamKey(userId: alpha.id, key: try vault.store(vault.generate(), for: alpha.id))
            versions.append(try await directory.rebuild().version)
            try await store.setActive(userId: bravo.id, active: true)
            versions.append(try await directory.rebuild().version)
            try await store.delete(alpha.id)
            let afterDelete = try await directory.rebuild()
            versions.append(afterDelete.version)
            #expect(Set(versions).count == versions.count, "every change named anew: \(versions)")
            #expect(afterDelete.publishers.map(\.publisher.djName) == ["Bravo"])
        }
    }

    @Test(.timeLimit(.minutes(1))) func aLongPollIsAnsweredByAWriteAndOtherwiseAfterItsWaitWithNothing() async throws {
        try await StoreBackend.sqlite.withStore { raw in
            let directory = PublisherDirectory(store: raw, publicURL: Self.publicURL)
            let store = DirectoryAnnouncingStore(base: raw, directory: directory)
            let held = try #require(try await directory.next(after: nil, wait: .zero, watcher: "gateway"))
            #expect(try await directory.next(after: held.version, wait: .milliseconds(50), watcher: "gateway") == nil, "nothing changed")

            // A poll waiting far longer than any test runs is answered by the write.
            let poll = Task { try await directory.next(after: held.version, wait: .seconds(600), watcher: "gateway") }
            let (alpha, _) = try user("Alpha")
            try await store.create(alpha)
            let answered = try #require(try await poll.value)
            #expect(answered.publishers.map(\.publisher.userId) == [alpha.id])
        }
    }

    /// The write is not answered before the watcher that polled lately holds what it wrote: the
    /// watcher's next poll (naming the new version) is what lets it return.
    @Test(.timeLimit(.minutes(1))) func aWriteWaitsUntilARecentWatcherHoldsIt() async throws {
        try await StoreBackend.sqlite.withStore { raw in
            let directory = PublisherDirectory(store: raw, publicURL: Self.publicURL, settleLimit: .seconds(600))
            let store = DirectoryAnnouncingStore(base: raw, directory: directory)
            let first = try #require(try await directory.next(after: nil, wait: .zero, watcher: "gateway"))
            let written = NIOLockedValueBox(false)
            let write = Task {
                try await store.create(try user("Alpha").0)
                written.withLockedValue { $0 = true }
            }
            // The watcher's poll is answered with the write's directory; the write still waits.
            let newer = try #require(try await directory.next(after: first.version, wait: .seconds(600), watcher: "gateway"))
            try await Task.sleep(for: .milliseconds(100))
            #expect(!written.withLockedValue { $0 }, "answered before the watcher held it")
            // The watcher polls again, naming what it now holds: the write returns.
            let next = Task { try await directory.next(after: newer.version, wait: .seconds(600), watcher: "gateway") }
            try await write.value
            #expect(written.withLockedValue { $0 })
            next.cancel()
        }
    }

    /// Under concurrent writes the version moves on before the watcher polls again: a watcher
    /// holding a later version than a write's holds that write too, so the write returns — it
    /// used to wait out the whole settle limit and then answer unheld.
    @Test(.timeLimit(.minutes(1))) func aWatcherHoldingALaterVersionHoldsTheEarlierWrite() async throws {
        try await StoreBackend.sqlite.withStore { raw in
            let directory = PublisherDirectory(store: raw, publicURL: Self.publicURL, settleLimit: .seconds(600))
            let store = DirectoryAnnouncingStore(base: raw, directory: directory)
            let first = try #require(try await directory.next(after: nil, wait: .zero, watcher: "gateway"))
            let earlier = Task { try await store.create(try user("Alpha").0) }
            // The watcher is answered with the first write's directory, then a second write lands
            // before it polls again, and it polls naming only the second's version.
            _ = try #require(try await directory.next(after: first.version, wait: .seconds(600), watcher: "gateway"))
            let later = Task { try await store.create(try user("Bravo").0) }
            // Naming the first version until the directory has both, so it never names Alpha's.
            var latest: StreamKeyDirectory
            repeat {
                try await Task.sleep(for: .milliseconds(10))
                latest = try #require(try await directory.next(after: first.version, wait: .zero, watcher: "gateway"))
            } while latest.publishers.count < 2
            let holding = Task { try await directory.next(after: latest.version, wait: .seconds(600), watcher: "gateway") }
            try await earlier.value
            try await later.value
            holding.cancel()
        }
    }

    /// A watcher that stopped polling (a gateway gone) is not waited for.
    @Test(.timeLimit(.minutes(1))) func aWatcherThatStoppedPollingIsNotWaitedFor() async throws {
        try await StoreBackend.sqlite.withStore { raw in
            let directory = PublisherDirectory(store: raw, publicURL: Self.publicURL, settleLimit: .seconds(600))
            let store = DirectoryAnnouncingStore(base: raw, directory: directory)
            _ = try await directory.next(after: nil, wait: .zero, watcher: "gone")
            try await Task.sleep(for: PublisherDirectory.watcherAbsence + .milliseconds(200))
            try await store.create(try user("Alpha").0)
        }
    }
}
