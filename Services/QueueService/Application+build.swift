import Foundation
import Hummingbird
import Logging
import Shared

/// Wires QueueService: journal → engine → routes.
func buildApplication(_ config: QueueConfig, clock: any QueueClock = SystemQueueClock()) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .queueService, level: config.settings.logLevel)
    let journal = FileJournal(directory: config.settings.dataDirectory, sealer: StreamNameSealer(secret: config.jwtSecret), logger: logger)
    let engine = try QueueEngine(
        journal: journal, clock: clock, swapInterval: config.swapInterval, forwardTargets: config.forwardTargets, logger: logger
    )

    let router = makeServiceRouter(service: .queueService, readiness: [
        ReadinessCheck("journal") { FileManager.default.isWritableFile(atPath: journal.path) ? nil : "\(journal.path) is not writable" },
    ])
    PublicRoutes(engine: engine).add(to: router)
    let internalGroup = router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: config.internalToken))
    InternalRoutes(engine: engine).add(to: internalGroup)

    return Application(router: router, configuration: config.settings.applicationConfiguration, logger: logger)
}
