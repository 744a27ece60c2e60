import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// Opens the configured store and the attempt counters that go with it (in memory beside SQLite,
/// which only one instance uses; in the database beside PostgreSQL, which replicas share), with
/// the service that keeps the connections.
enum Database {
    static func open(_ location: DatabaseLocation, logger: Logger) async throws -> (store: any UserStore, attempts: any AttemptCounter, service: any Service) {
        switch location {
        case .sqlite(let path):
            let store = try await SQLiteUserStore.open(path: path, logger: logger)
            logger.info("accounts in SQLite", metadata: ["path": "\(path)"])
            return (store, MemoryAttemptCounter(), store)
        case .postgres(let target):
            let client = PostgresClient(configuration: target.clientConfiguration, backgroundLogger: logger)
            logger.info("accounts in PostgreSQL", metadata: ["database": "\(target)"])
            return (PostgresUserStore(client: client, logger: logger), PostgresAttemptCounter(client: client, logger: logger), client)
        }
    }
}

extension SQLiteUserStore: Service {
    /// Closes the file on shutdown so the WAL is checkpointed.
    func run() async throws {
        try? await gracefulShutdown()
        try await close()
    }
}

extension DatabaseLocation.PostgresTarget {
    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch tlsMode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(host: host, port: port, username: username, password: password?.value, database: database, tls: tls)
    }
}
