import ArgumentParser
import Configuration
import Foundation
import Shared

/// `AccountService` serves; `AccountService admin create …` makes the first admin.
@main
struct AccountServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "AccountService",
        abstract: "Motherstream accounts: users, sessions, stream keys.",
        subcommands: [Serve.self, Admin.self, ImportOriginal.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service (the default).")

    func run() async throws {
        await runService(named: .accountService) {
            let config = try AccountServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
            return try await buildApplication(config)
        }
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage admin accounts.", subcommands: [CreateAdmin.self])
}

struct CreateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an admin account. The password is read from the terminal, or from stdin when piped."
    )

    @Option(help: "The admin's email address.") var email: String
    @Option(name: .customLong("dj-name"), help: "The name shown in the queue.") var djName: String
    @Option(help: "An IANA time zone, e.g. Europe/Berlin.") var timezone = "UTC"

    func run() async throws {
        let config = try AccountServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
        let password = try PasswordPrompt.read()
        let logger = Observability.logger(for: .accountService, level: .warning)
        let (store, _, _) = try await Database.open(config.database, logger: logger)
        try await store.withRunningConnections {
            try await store.migrate()
            let accounts = Accounts(
                store: store, hasher: PasswordHasher(cost: config.argon2, pool: HashingPool(threads: 1, waiting: 0)), vault: StreamKeyVault(secret: config.jwtSecret),
                tokens: await SessionTokens(secret: config.jwtSecret), tokenLifetime: config.tokenLifetime
            )
            do {
                let (user, _) = try await accounts.signUp(SignupForm(email: email, password: password, djName: djName, timezone: timezone), role: .admin)
                print("Admin \(user.email) (\(user.djName)) created with id \(user.id.uuidString.lowercased()).")
            } catch let error as AccountError {
                throw ValidationError(error.message)
            }
        }
    }
}

struct ImportOriginal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-original",
        abstract: "Copy the original system's users (passwords and stream keys keep working). Safe to run again."
    )

    @Option(name: .customLong("database-url"), help: "The original system's PostgreSQL, e.g. postgres://user:pass@host/motherstream")
    var databaseURL: String

    func run() async throws {
        let config = try AccountServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
        let logger = Observability.logger(for: .accountService, level: .warning)
        let source = try DatabaseLocation.parse(url: databaseURL)
        let originals = try await OriginalDatabase.users(in: source, logger: logger)
        let (store, _, _) = try await Database.open(config.database, logger: logger)
        try await store.withRunningConnections {
            try await store.migrate()
            let report = try await OriginalImport(store: store, vault: StreamKeyVault(secret: config.jwtSecret)).run(originals)
            print("\(originals.count) accounts in the original: \(report)")
        }
    }
}

/// Reads a password without echoing it on a terminal; piped input is read as one line.
enum PasswordPrompt {
    static func read() throws -> String {
        let password: String?
        if isatty(STDIN_FILENO) == 1 {
            password = getpass("Password: ").map { String(cString: $0) }
        } else {
            password = readLine(strippingNewline: true)
        }
        guard let password, !password.isEmpty else { throw ValidationError("No password given.") }
        return password
    }
}
