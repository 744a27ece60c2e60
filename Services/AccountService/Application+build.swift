import Foundation
import Hummingbird
import Logging
import Shared

/// Wires AccountService: store → accounts → API routes and web pages, each group with its body
/// limit. Migrations run before the server accepts requests.
func buildApplication(_ config: AccountServiceConfig) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .accountService, level: config.settings.logLevel)
    let (rawStore, attempts, storeService) = try await Database.open(config.database, logger: logger)
    let directory = PublisherDirectory(store: rawStore, publicURL: config.links.publicURL)
    let store = DirectoryAnnouncingStore(base: rawStore, directory: directory)
    let hashing = HashingPool(threads: config.argon2Threads, waiting: config.argon2Waiting)
    let accounts = Accounts(
        store: store, hasher: PasswordHasher(cost: config.argon2, pool: hashing), vault: StreamKeyVault(secret: config.jwtSecret),
        tokens: await SessionTokens(secret: config.jwtSecret), tokenLifetime: config.tokenLifetime, publicURL: config.links.publicURL,
        resizer: FFmpegPictureResizer(executable: config.ffmpegPath, logger: logger)
    )
    let limits = AttemptLimits(counter: attempts)

    let http = HTTPClientService()
    func peer(_ url: String) -> PeerClient { PeerClient(baseURL: url, http: http.client, token: config.internalToken, timeout: .seconds(5)) }
    let queue = QueueDesk(client: peer(config.settings.queueServiceURL))
    let gateway = GatewayDesk(client: peer(config.settings.hookGatewayURL), http: http.client, internalToken: config.internalToken)
    let mailer: any Mailer = config.sendmailCommand.map { SendmailMailer(command: $0, from: config.mailFrom, timeout: config.sendmailTimeout, logger: logger) }
        ?? OutboxMailer(directory: (config.settings.dataDirectory as NSString).appendingPathComponent("outbox"), from: config.mailFrom, logger: logger)
    let web = WebSession(accounts: accounts, renderer: try await PageRenderer(), links: config.links, secureCookies: config.secureCookies)
    let board = ServiceStatusBoard(
        services: [
            ("HookGateway", peer(config.settings.hookGatewayURL)), ("QueueService", peer(config.settings.queueServiceURL)),
            ("AccountService", peer("http://127.0.0.1:\(config.settings.port)")), ("OBSBridge", peer(config.obsBridgeURL)), ("Notifier", peer(config.notifierURL)),
        ],
        obsBridge: peer(config.obsBridgeURL), notifier: peer(config.notifierURL), gateway: peer(config.settings.hookGatewayURL)
    )

    let router = makeServiceRouter(service: .accountService, readiness: [
        ReadinessCheck("database") { await store.healthProblem() },
    ])
    router.add(middleware: ForwardedClientMiddleware(proxies: config.trustedProxies))
    AccountRoutes(accounts: accounts, limits: limits).add(to: router.group("api/v1").add(middleware: BodyLimit(maximumBytes: BodyLimit.api, refusal: .json)))
    InternalRoutes(accounts: accounts, directory: directory).add(to: router.group("internal/v1")
        .add(middleware: InternalTokenMiddleware(token: config.internalToken))
        .add(middleware: BodyLimit(maximumBytes: BodyLimit.internal, refusal: .json)))
    let pictures = PictureRoutes(accounts: accounts)
    pictures.addAPI(to: router.group("api/v1").add(middleware: BodyLimit(
        maximumBytes: BodyLimit.picture, refusal: .json, explanation: AccountError.pictureTooLarge.message
    )))
    pictures.addPublic(to: router.group())
    let pages = router.group().add(middleware: BodyLimit(maximumBytes: BodyLimit.forms, refusal: .page(web)))
    let pictureForms = router.group().add(middleware: BodyLimit(
        maximumBytes: BodyLimit.pictureForms, refusal: .page(web), explanation: "That was more than a form with a picture holds (a picture of up to 4 MB). Go back and pick a smaller one."
    ))
    PublicPageRoutes(web: web, accounts: accounts, limits: limits, mailer: mailer).add(to: pages, uploads: pictureForms)
    let djPages = DJPageRoutes(web: web, accounts: accounts, limits: limits, queue: queue, gateway: gateway)
    djPages.add(to: pages)
    djPages.addPictureForms(uploads: pictureForms, to: pages)
    AdminPageRoutes(web: web, accounts: accounts, queue: queue, gateway: gateway, status: board).add(to: pages)
    RecordingRoutes(web: web, gateway: gateway).add(to: pages)
    LiveEventsRelay(queueURL: config.settings.queueServiceURL, http: http.client).add(to: router)
    let apiDocument = try APIDocumentSource(resource: Bundle.module.url(forResource: "openapi", withExtension: "yaml"))
    APIDocsRoutes(web: web, ownDocument: apiDocument, peers: [
        .init(name: "QueueService", client: peer(config.settings.queueServiceURL), publicDocumentURL: config.links.queuePublicURL + "/openapi.json"),
        .init(name: "HookGateway", client: peer(config.settings.hookGatewayURL)),
        .init(name: "OBSBridge", client: peer(config.obsBridgeURL)),
        .init(name: "Notifier", client: peer(config.notifierURL)),
    ], logger: logger).add(to: pages)
    router.addAPIDocument(apiDocument, internalToken: config.internalToken)
    // Last: it then wraps only what no route above answers.
    router.add(middleware: NotFoundPage(web: web))

    var app = Application(
        router: router, configuration: config.settings.applicationConfiguration, services: [storeService, http, hashing], logger: logger
    )
    app.beforeServerStarts {
        try await store.migrate()
    }
    return app
}
