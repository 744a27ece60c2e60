import Hummingbird
import Logging
import Shared

/// Wires AccountService: store → accounts → routes. Migrations run before the server accepts requests.
func buildApplication(_ config: AccountConfig) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .accountService, level: config.settings.logLevel)
    let (store, storeService) = try await Database.open(config.database, logger: logger)
    let accounts = Accounts(
        store: store, hasher: config.hasher, vault: StreamKeyVault(secret: config.jwtSecret),
        tokens: await SessionTokens(secret: config.jwtSecret), tokenLifetime: config.tokenLifetime
    )

    let router = makeServiceRouter(service: .accountService, readiness: [
        ReadinessCheck("database") { await store.healthProblem() },
    ])
    AccountRoutes(accounts: accounts).add(to: router)
    InternalRoutes(accounts: accounts).add(to: router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: config.internalToken)))

    var app = Application(router: router, configuration: config.settings.applicationConfiguration, services: [storeService], logger: logger)
    app.beforeServerStarts {
        try await store.migrate()
    }
    return app
}
