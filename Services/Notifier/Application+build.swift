import Foundation
import Hummingbird
import Logging
import Metrics
import ServiceLifecycle
import Shared

/// Wires Notifier: one worker per webhook (or, with none, a follower that only counts events).
func buildApplication(_ config: NotifierConfig) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .notifier, level: config.settings.logLevel)
    let http = HTTPClientService()
    let queue = PeerClient(baseURL: config.settings.queueServiceURL, http: http.client, token: config.internalToken, timeout: .seconds(5))
    let discord = DiscordClient(http: http.client, userAgent: "DiscordBot (https://github.com/motherstream/motherstream, 1.0)", username: config.username)
    let workers = try config.webhooks.map { target in
        try WebhookWorker(
            target: target, queue: queue, discord: discord, announcer: config.announcer, policy: DeliveryPolicy(),
            dataDirectory: config.settings.dataDirectory, sending: config.sending, logger: logger
        )
    }
    var services: [any Service] = [http] + workers
    var counter: QueueFollower?
    if workers.isEmpty {
        let follower = try QueueFollower(queue: queue, cursorPath: (config.settings.dataDirectory as NSString).appendingPathComponent("cursor"), logger: logger)
        let events = Counter(label: "notifier_events_seen_total")
        await follower.onPage { page in events.increment(by: page.events.count) }
        services.append(follower)
        counter = follower
        logger.notice("no Discord webhook configured: consuming and counting events only")
    }

    let router = makeServiceRouter(service: .notifier, readiness: [
        ReadinessCheck("QueueService") { await queue.healthProblem() },
    ])
    StatusRoutes(
        workers: workers, counter: counter, sending: config.sending, queue: queue, gate: AdminGate(tokens: await SessionTokens(secret: config.jwtSecret))
    ).add(to: router)
    return Application(router: router, configuration: config.settings.applicationConfiguration, services: services, logger: logger)
}
