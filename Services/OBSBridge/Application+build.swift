import Foundation
import Hummingbird
import Logging
import Shared

/// Wires OBSBridge: QueueService follower → desired programme → reconciler ← OBS client.
func buildApplication(_ config: OBSBridgeConfig) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .obsBridge, level: config.settings.logLevel)
    let http = HTTPClientService()
    let queue = PeerClient(baseURL: config.settings.queueServiceURL, http: http.client, token: config.internalToken, timeout: .seconds(5))
    let follower = try QueueFollower(
        source: QueueEventLog(queue: queue), cursorPath: (config.settings.dataDirectory as NSString).appendingPathComponent("cursor"), logger: logger
    )
    let reconciler = Reconciler(policy: config.policy, mutationGap: config.mutationGap, logger: logger)
    let obs = OBSClient(url: config.obsURL, password: config.obsPassword, backoff: Backoff(base: .milliseconds(500), cap: .seconds(30)), logger: logger)

    // Reconcile, not replay: any news from the queue means "read the whole state again".
    let template = config.leadPullURL
    let queueState = QueueStateClient(queue: queue.sending(header: "X-Stream-Reader-Token", value: config.streamReaderToken))
    let refresh: @Sendable (_ trace: String?) async throws -> Void = { trace in
        await reconciler.want(DesiredProgram(state: try await queueState.state(), template: template), trace: trace)
    }
    // The handover's trace, carried in the event that announced it, goes on in OBS's requests.
    await follower.onPage { page in try await refresh(page.events.last { $0.traceparent != nil }?.traceparent) }
    await obs.handlers(
        session: { session in
            try? await refresh(nil)
            await reconciler.serve(session)
        },
        event: { _, _ in await reconciler.nudge() }
    )

    let router = makeServiceRouter(service: .obsBridge, readiness: [
        ReadinessCheck("QueueService") { await queue.healthProblem() },
        ReadinessCheck("OBS") {
            let status = await obs.status
            return status.state == .connected ? nil : "\(status.state.rawValue): \(status.lastError ?? "not connected yet")"
        },
    ])
    let internalGroup = router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: config.internalToken))
    StatusRoutes(client: obs, follower: follower, reconciler: reconciler).add(to: router, internalGroup: internalGroup)

    router.addAPIDocument(try APIDocumentSource(resource: Bundle.module.url(forResource: "openapi", withExtension: "yaml")), internalToken: config.internalToken)
    return Application(router: router, configuration: config.settings.applicationConfiguration, services: [http, follower, obs], logger: logger)
}
