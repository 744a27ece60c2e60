import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport
@testable import AccountService

/// One suite, both stores: what passes on SQLite must pass on PostgreSQL.
@Suite struct UserStoreTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    let logger = Logger(label: "store-test")
    let vault = StreamKeyVault(secret: Secret(TestSecrets.jwt))

    /// A fresh, migrated store; for PostgreSQL a database of its own in the throwaway cluster.
    func withStore(_ backend: Backend, _ body: (any UserStore) async throws -> Void) async throws {
        switch backend {
        case .sqlite:
            let store = try await SQLiteUserStore.open(path: try temporaryDirectory("sqlite").appendingPathComponent("accounts.sqlite").path, logger: logger)
            try await store.migrate()
            try await body(store)
            try await store.close()
        case .postgres:
            let target = try await TestDatabase.create(logger: logger)
            let client = PostgresClient(configuration: target.clientConfiguration, backgroundLogger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                let store = PostgresUserStore(client: client, logger: logger)
                try await store.migrate()
                try await body(store)
                group.cancelAll()
            }
        }
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

    @Test(arguments: Backend.allCases) func aCreatedUserIsFoundByIdEmailAndKey(_ backend: Backend) async throws {
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

    @Test(arguments: Backend.allCases) func duplicatesAreNamedNotCrashed(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.create(try user(email: "dj@example.org", djName: "Night Owl").0)
            await #expect(throws: AccountError.duplicateEmail) { try await store.create(try user(email: "DJ@Example.ORG", djName: "Other").0) }
            await #expect(throws: AccountError.duplicateDJName) { try await store.create(try user(email: "other@example.org", djName: "night owl").0) }
        }
    }

    @Test(arguments: Backend.allCases) func aReplacedKeyStopsFindingTheUser(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (record, oldKey) = try user()
            try await store.create(record)
            let newKey = vault.generate()
            try await store.replaceStreamKey(of: record.id, with: try vault.store(newKey, for: record.id))
            #expect(try await store.user(streamKeyDigest: vault.digest(oldKey)) == nil)
            #expect(try await store.user(streamKeyDigest: vault.digest(newKey))?.id == record.id)
        }
    }

    @Test(arguments: Backend.allCases) func migratingAgainChangesNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let (record, _) = try user()
            try await store.create(record)
            try await store.migrate()
            try await store.migrate()
            #expect(try await store.user(id: record.id) == record)
        }
    }
}

/// Databases in the throwaway PostgreSQL `make test` starts (MOTHERSTREAM_TEST_DATABASE_URL).
enum TestDatabase {
    static func create(logger: Logger) async throws -> DatabaseLocation.PostgresTarget {
        guard let url = TestSecrets.postgresURL else {
            throw ServiceProcessError("MOTHERSTREAM_TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a throwaway PostgreSQL")
        }
        var target = try DatabaseLocation.parse(url: url)
        let name = "test_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = PostgresClient(configuration: target.clientConfiguration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            group.cancelAll()
        }
        target.database = name
        return target
    }
}
