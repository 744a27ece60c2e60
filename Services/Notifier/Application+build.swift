import Foundation
import Hummingbird
import Metrics
import ServiceLifecycle
import Shared

/// Wires Notifier: one worker per webhook (or, with none, a follower that only counts events).
func buildApplication(_ config: NotifierConfig) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .notifier, level: config.settings.logLevel)
    let http = HTTPClientService()
    let queue = PeerClient(baseURL: config.settings.queueServiceURL, http: http.client, token: config.internalToken, timeout: .seconds(5))
    let accounts = PeerClient(baseURL: config.settings.accountServiceURL, http: http.client, token: config.internalToken, timeout: .seconds(2))
    let events = QueueEventLog(queue: queue)
    let queueState = QueueStateClient(queue: queue)
    let discord = DiscordClient(http: http.client, userAgent: "DiscordBot (https://github.com/motherstream/motherstream, 1.0)", username: config.username)
    let dataDirectory = config.settings.dataDirectory as NSString
    let workers = try config.webhooks.map { target in
        try WebhookWorker(
            target: target, events: events, queueState: queueState, discord: discord, announcer: config.announcer, policy: DeliveryPolicy(),
            cursorPath: dataDirectory.appendingPathComponent("webhook-\(target.index).cursor"), sending: config.sending, logger: logger
        )
    }
    var services: [any Service] = [http] + workers
    var counter: QueueFollower?
    if workers.isEmpty {
        let follower = try QueueFollower(source: events, cursorPath: dataDirectory.appendingPathComponent("cursor"), logger: logger)
        let seen = Counter(label: "notifier_events_seen_total")
        await follower.onPage { page in seen.increment(by: page.events.count) }
        services.append(follower)
        counter = follower
        logger.notice("no Discord webhook configured: consuming and counting events only")
    }

    let router = makeServiceRouter(service: .notifier, readiness: [
        ReadinessCheck("QueueService") { await queue.healthProblem() },
    ])
    StatusRoutes(
        roster: WebhookRoster(workers: workers, counter: counter, sending: config.sending, queueState: queueState),
        gate: AdminGate(tokens: await SessionTokens(secret: config.jwtSecret), standing: CachedSessionStanding(AccountSessionCheck(accounts: accounts)))
    ).add(to: router)
    router.addAPIDocument(try APIDocumentSource(resource: Bundle.module.url(forResource: "openapi", withExtension: "yaml")), internalToken: config.internalToken)
    return Application(router: router, configuration: config.settings.applicationConfiguration, services: services, logger: logger)
}
