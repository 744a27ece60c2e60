import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport
@testable import AccountService

/// One suite, both stores: what passes on SQLite must pass on PostgreSQL.
@Suite struct UserStoreTests {
    let vault = StreamKeyVault(secret: Secret(TestSecrets.jwt))

    func withStore(_ backend: StoreBackend, _ body: (any UserStore) async throws -> Void) async throws {
        try await backend.withStore(body)
    }

    func user(email: String = "dj@example.org", djName: String = "DJ One") throws -> (UserRecord, String) {
        let id = UUID()
        let key = vault.generate()
        return (UserRecord(
            id: id, email: email, djName: djName, timezone: "Europe/Berlin", role: .dj, isActive: true,
            createdAt: Date(timeIntervalSince1970: 1_800_000_000), passwordHash: "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            streamKey: try vault.store(key, for: id)
        ), key)
    }

    @Test(arguments: StoreBackend.allCases) func aCreatedUserIsFoundByIdEmailAndKey(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            let (record, key) = try user()
            try await store.create(record)
            #expect(try await store.user(id: record.id) == record)
            #expect(try await store.user(email: "DJ@EXAMPLE.ORG") == record)
            #expect(try await store.user(streamKeyDigest: vault.digest(key)) == record)
            #expect(try await store.user(streamKeyDigest: vault.digest("not-a-key")) == nil)
            #expect(await store.healthProblem() == nil)
        }
    }

    @Test(arguments: StoreBackend.allCases) func duplicatesAreNamedNotCrashed(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            try await store.create(try user(email: "dj@example.org", djName: "Night Owl").0)
            await #expect(throws: AccountError.duplicateEmail) { try await store.create(try user(email: "DJ@Example.ORG", djName: "Other").0) }
            await #expect(throws: AccountError.duplicateDJName) { try await store.create(try user(email: "other@example.org", djName: "night owl").0) }
        }
    }

    @Test(arguments: StoreBackend.allCases) func aReplacedKeyStopsFindingTheUser(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            let (record, oldKey) = try user()
            try await store.create(record)
            let newKey = vault.generate()
            try await store.setStreamKey(userId: record.id, key: try vault.store(newKey, for: record.id))
            #expect(try await store.user(streamKeyDigest: vault.digest(oldKey)) == nil)
            #expect(try await store.user(streamKeyDigest: vault.digest(newKey))?.id == record.id)
        }
    }

    @Test(arguments: StoreBackend.allCases) func migratingAgainChangesNothing(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            let (record, _) = try user()
            try await store.create(record)
            try await store.migrate()
            try await store.migrate()
            #expect(try await store.user(id: record.id) == record)
        }
    }

    /// Replicas of a rolling update start together on one database: each takes the advisory
    /// lock, so exactly one applies each migration and none fails on a half-made schema.
    @Test func replicasStartingTogetherMigrateOnce() async throws {
        let logger = Logger(label: "migrate-test")
        let target = try await TestDatabase.create(logger: logger)
        let clients = (0..<4).map { _ in PostgresClient(configuration: target.clientConfiguration, backgroundLogger: logger) }
        try await withThrowingTaskGroup(of: Void.self) { running in
            for client in clients { running.addTask { await client.run() } }
            try await withThrowingTaskGroup(of: Void.self) { starting in
                for client in clients { starting.addTask { try await PostgresUserStore(client: client, logger: logger).migrate() } }
                try await starting.waitForAll()
            }
            var versions: [Int] = []
            for try await version in try await clients[0].query("SELECT version FROM schema_migrations ORDER BY version", logger: logger).decode(Int.self) {
                versions.append(version)
            }
            #expect(versions == Schema.postgres.map(\.version))
            running.cancelAll()
        }
    }

    /// The lost update an admin's whole-row save from a stale copy used to cause: each write
    /// sets only its own columns, so the password change and the sessions it ended survive.
    @Test(arguments: StoreBackend.allCases) func writesFromAStaleCopyKeepEachOthersChanges(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            var (record, _) = try user()
            record.legacyKey = true
            try await store.create(record)
            let stale = try #require(try await store.user(id: record.id))
            #expect(try await store.setPassword(userId: stale.id, hash: "$argon2id$new") == stale.sessionEpoch + 1)
            try await store.setRole(userId: stale.id, role: .admin)
            try await store.setActive(userId: stale.id, active: false)
            try await store.setProfile(userId: stale.id, email: "new@example.org", djName: "DJ Two", timezone: "UTC")
            try await store.clearLegacyKey(userId: stale.id)

            var expected = record
            expected.passwordHash = "$argon2id$new"
            expected.sessionEpoch = record.sessionEpoch + 1
            expected.role = .admin
            expected.isActive = false
            expected.legacyKey = false
            (expected.email, expected.djName, expected.timezone) = ("new@example.org", "DJ Two", "UTC")
            #expect(try await store.user(id: record.id) == expected)
            #expect(try await store.user(email: "NEW@example.org")?.id == record.id, "the email's lookup key moved with it")
            #expect(try await store.setPassword(userId: UUID(), hash: "x") == nil, "no account, no epoch")
        }
    }

    @Test(arguments: StoreBackend.allCases) func aProfileChangeToATakenNameIsNamed(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            let (first, _) = try user(email: "one@example.org", djName: "Night Owl")
            let (second, _) = try user(email: "two@example.org", djName: "Early Bird")
            try await store.create(first)
            try await store.create(second)
            await #expect(throws: AccountError.duplicateDJName) {
                try await store.setProfile(userId: second.id, email: second.email, djName: "NIGHT OWL", timezone: second.timezone)
            }
            await #expect(throws: AccountError.duplicateEmail) {
                try await store.setProfile(userId: second.id, email: "One@Example.org", djName: second.djName, timezone: second.timezone)
            }
            #expect(try await store.user(id: second.id) == second)
        }
    }
}
