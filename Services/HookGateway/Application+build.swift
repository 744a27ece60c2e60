import Hummingbird
import Logging
import Shared

/// Wires HookGateway: one connection pool → peers (AccountService, QueueService, SRS API) → routes,
/// with the session-close relay and the reconciliation with the ingest running beside them.
func buildApplication(_ config: HookGatewayConfig) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .hookGateway, level: config.settings.logLevel)
    let http = HTTPClientService()
    let accounts = AccountsPeer(client: PeerClient(baseURL: config.settings.accountServiceURL, http: http.client, token: config.internalToken, timeout: config.peerTimeout))
    let queue = QueuePeer(client: PeerClient(baseURL: config.settings.queueServiceURL, http: http.client, token: config.internalToken, timeout: config.peerTimeout))
    let srs = SRSAPI(client: PeerClient(baseURL: config.srsAPIURL, http: http.client, authorization: config.srsAPIAuthorization, timeout: .seconds(5)))
    let closes = SessionCloseRelay(queue: queue, logger: logger)
    let reconciler = SessionReconciler(
        sessions: queue, ingest: SRSClientList(client: srs.client), closes: closes, interval: config.sessionReconcileInterval, logger: logger
    )
    let gatekeeper = Gatekeeper(
        policy: PublishPolicy(ingestApp: config.ingestApp, relaySecret: config.relaySecret), accounts: accounts, queue: queue, closes: closes
    )

    let router = makeServiceRouter(service: .hookGateway, readiness: [
        ReadinessCheck("AccountService") { await accounts.client.healthProblem() },
        ReadinessCheck("QueueService") { await queue.client.healthProblem() },
    ])
    SRSHookRoutes(hookSecret: config.hookSecret, gatekeeper: gatekeeper).add(to: router)
    KickRoutes(srs: srs).add(to: router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: config.internalToken)))

    return Application(router: router, configuration: config.settings.applicationConfiguration, services: [http, closes, reconciler], logger: logger)
}
