import Foundation
import Hummingbird
import Logging
import Shared

/// Wires QueueService: journal → engine (timers, kicks through HookGateway) → routes. The engine
/// and the event-stream hub run as services of the application, so their work starts with the
/// service group.
func buildApplication(_ config: QueueServiceConfig) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .queueService, level: config.settings.logLevel)
    let http = HTTPClientService()
    let gateway = PeerClient(baseURL: config.settings.hookGatewayURL, http: http.client, token: config.internalToken, timeout: .seconds(5))
    let journal = FileJournal(directory: config.settings.dataDirectory, sealer: StreamNameSealer(secret: config.jwtSecret), logger: logger)
    let engine = try QueueEngine(
        journal: journal, clock: SystemQueueClock(), rules: config.rules, swapInterval: config.swapInterval, forwardTargets: config.forwardTargets,
        kicks: KickDispatcher(sender: GatewayKicks(client: gateway), logger: logger), logger: logger
    )
    let streams = EventStreamHub(feed: engine.feed, snapshot: { await engine.publicQueue() }, capacity: config.maxEventStreams, logger: logger)
    let pages = try OverlayPages()

    let router = makeServiceRouter(service: .queueService, readiness: [
        ReadinessCheck("journal") { FileManager.default.isWritableFile(atPath: journal.path) ? nil : "\(journal.path) is not writable" },
    ])
    let publicRoutes = router.group().add(middleware: CORSMiddleware(allowOrigin: .all, allowMethods: [.get]))
    PublicRoutes(engine: engine).add(to: publicRoutes)
    TimerRoutes(engine: engine).add(to: publicRoutes)
    EventStreamRoutes(hub: streams).add(to: router)
    PageRoutes(pages: pages).add(to: router)
    let accounts = PeerClient(baseURL: config.settings.accountServiceURL, http: http.client, token: config.internalToken, timeout: .seconds(2))
    let gate = AdminGate(tokens: await SessionTokens(secret: config.jwtSecret), standing: CachedSessionStanding(AccountSessionCheck(accounts: accounts)))
    AdminRoutes(engine: engine, gate: gate).add(to: router)
    InternalRoutes(engine: engine, streamReader: StreamReaderGate(token: config.streamReaderToken)).add(to: router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: config.internalToken)))

    router.addAPIDocument(try APIDocumentSource(resource: Bundle.module.url(forResource: "openapi", withExtension: "yaml")), internalToken: config.internalToken)

    var app = Application(router: router, configuration: config.settings.applicationConfiguration, services: [http, engine, streams], logger: logger)
    if config.streamReaderToken == nil {
        app.beforeServerStarts {
            logger.warning("STREAM_READER_TOKEN is not set: /internal/v1/state shows no stream names, so OBSBridge cannot pull the lead")
        }
    }
    return app
}
