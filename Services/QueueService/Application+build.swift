import Foundation
import Hummingbird
import Logging
import Shared

/// Wires QueueService: journal → engine (timers, kicks through HookGateway) → routes. The engine
/// runs as a service of the application, so its timers start with the service group.
func buildApplication(_ config: QueueConfig) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .queueService, level: config.settings.logLevel)
    let http = HTTPClientService()
    let gateway = PeerClient(baseURL: config.settings.hookGatewayURL, http: http.client, token: config.internalToken, timeout: .seconds(5))
    let journal = FileJournal(directory: config.settings.dataDirectory, sealer: StreamNameSealer(secret: config.jwtSecret), logger: logger)
    let engine = try QueueEngine(
        journal: journal, clock: SystemQueueClock(), rules: config.rules, swapInterval: config.swapInterval, forwardTargets: config.forwardTargets,
        kicks: KickDispatcher(sender: GatewayKicks(client: gateway), logger: logger), logger: logger
    )
    let pages = try OverlayPages()

    let router = makeServiceRouter(service: .queueService, readiness: [
        ReadinessCheck("journal") { FileManager.default.isWritableFile(atPath: journal.path) ? nil : "\(journal.path) is not writable" },
    ])
    let publicRoutes = router.group().add(middleware: CORSMiddleware(allowOrigin: .all, allowMethods: [.get]))
    PublicRoutes(engine: engine).add(to: publicRoutes)
    TimerRoutes(engine: engine).add(to: publicRoutes)
    EventStreamRoutes(engine: engine).add(to: router)
    PageRoutes(pages: pages).add(to: router)
    AdminRoutes(engine: engine, gate: AdminGate(tokens: await SessionTokens(secret: config.jwtSecret))).add(to: router)
    InternalRoutes(engine: engine).add(to: router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: config.internalToken)))

    return Application(router: router, configuration: config.settings.applicationConfiguration, services: [http, engine], logger: logger)
}
