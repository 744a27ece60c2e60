import Configuration
import Foundation
import Shared

/// Where accounts are kept: PostgreSQL when `DATABASE_URL` (or the original's `DB_*`
/// variables) says so, otherwise an SQLite file in the data directory.
enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresTarget)

    struct PostgresTarget: Sendable, Equatable, CustomStringConvertible {
        var host: String
        var port: Int
        var username: String
        var password: Secret?
        var database: String
        var tlsMode: TLSMode

        enum TLSMode: String, Sendable {
            case disable, prefer, require
        }

        /// For logs: never the password.
        var description: String { "postgres://\(username)@\(host):\(port)/\(database) (tls: \(tlsMode.rawValue))" }
    }

    init(reader: ConfigReader, dataDirectory: String) throws {
        if let url = reader.string(forKey: "database.url", isSecret: true), !url.isEmpty {
            self = .postgres(try Self.parse(url: url))
        } else if let host = reader.string(forKey: "db.host"), !host.isEmpty {
            guard let user = reader.string(forKey: "db.user"), let name = reader.string(forKey: "db.name") else {
                throw ConfigurationError("DB_HOST is set, so DB_USER and DB_NAME must be set too.")
            }
            let port = try Validation.port(reader.string(forKey: "db.port"), variable: "DB_PORT")
            self = .postgres(PostgresTarget(
                host: host, port: port, username: user, password: reader.string(forKey: "db.password", isSecret: true).map(Secret.init),
                database: name, tlsMode: .prefer
            ))
        } else {
            self = .sqlite(path: (dataDirectory as NSString).appendingPathComponent("accounts.sqlite"))
        }
    }

    static func parse(url text: String) throws -> PostgresTarget {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError("DATABASE_URL must look like postgres://user:password@host:5432/database.")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw ConfigurationError("DATABASE_URL names no database (…/database at the end).") }
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard let tlsMode = PostgresTarget.TLSMode(rawValue: mode) else {
            throw ConfigurationError("DATABASE_URL sslmode must be disable, prefer or require (got \(mode)).")
        }
        return PostgresTarget(
            host: host, port: components.port ?? 5432, username: components.percentEncodedUser?.removingPercentEncoding ?? "postgres",
            password: components.percentEncodedPassword?.removingPercentEncoding.map(Secret.init),
            database: database, tlsMode: tlsMode
        )
    }
}
