import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport
@testable import AccountService

/// Both stores, for suites that must pass on SQLite and on PostgreSQL alike.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// A fresh, migrated store; for PostgreSQL a database of its own in the throwaway cluster.
    func withStore(_ body: (any UserStore) async throws -> Void) async throws {
        let logger = Logger(label: "store-test")
        switch self {
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
