import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Shared

/// Wires HookGateway: one connection pool → peers (AccountService, QueueService, the ingest: SRS's
/// API or nginx-rtmp's control and stat pages) → routes, with the session-close relay and the
/// reconciliation with the ingest running beside them.
func buildApplication(_ config: HookGatewayConfig) async throws -> some ApplicationProtocol {
    let logger = Observability.logger(for: .hookGateway, level: config.settings.logLevel)
    let http = HTTPClientService()
    let accounts = AccountsPeer(client: PeerClient(baseURL: config.settings.accountServiceURL, http: http.client, token: config.internalToken, timeout: config.peerTimeout))
    let queue = QueuePeer(client: PeerClient(baseURL: config.settings.queueServiceURL, http: http.client, token: config.internalToken, timeout: config.peerTimeout))
    let ingest = ingestPeers(config, http: http)
    let stats = streamStats(config, http: http)
    let ingestReadings = IngestReadings(server: config.ingestServer.rawValue)
    var health = StreamHealthMonitor(ingest: stats, queue: queue, interval: config.streamHealthInterval, logger: logger)
    health.seen = ingestReadings
    let closes = SessionCloseRelay(queue: queue, logger: logger)
    let reconciler = SessionReconciler(
        sessions: queue, ingest: ingest.clients, closes: closes, interval: config.sessionReconcileInterval,
        confirmationDelay: ingest.confirmationDelay, logger: logger
    )
    let broadcast = BroadcastAnnouncer(queue: queue, source: config.outputSource.rawValue, logger: logger)
    let programme = ProgrammeTracker(broadcast: config.outputSource == .programme ? broadcast : nil)
    let outputTargets = OutputTargetStore(path: config.outputTargetsFile, seal: OutputKeySeal(secret: config.jwtSecret))
    if let problem = outputTargets.unreadable {
        logger.error("nothing goes out to the platforms until this is fixed", metadata: ["error": "\(problem)"])
    }
    var programmeWatch: [any Service] = []
    if let key = config.programmeKey {
        programmeWatch = [ProgrammeWatch(ingest: stats, tracker: programme, feed: ProgrammeFeed(app: config.outputApp, stream: key.value), interval: .seconds(10), logger: logger)]
    } else {
        logger.warning("no PROGRAMME_KEY: publishes to the programme app are refused", metadata: ["output_app": "\(config.outputApp)"])
    }
    // Before any child of this run starts: what a killed predecessor left must not double-publish
    // or write on under this run's recordings.
    let children = ChildLedger(directory: (config.settings.dataDirectory as NSString).appendingPathComponent("children"))
    let orphans = children.endOrphans()
    if orphans > 0 { logger.notice("ended the ffmpeg children an earlier run left behind", metadata: ["count": "\(orphans)"]) }
    let recording = try await RecordingSide(config, programme: programme, children: children, http: http, logger: logger)
    let keyDirectory = KeyDirectory(freshFor: KeyDirectoryFollower.freshness)
    let keyFollower = KeyDirectoryFollower(replicas: accounts.client.replicas, directory: keyDirectory, logger: logger)
    var gatekeeper = Gatekeeper(
        policy: PublishPolicy(ingestApp: config.ingestApp, relaySecret: config.relaySecret, programmeApp: config.outputApp, programmeKey: config.programmeKey),
        accounts: DirectoryFirstOwners(directory: keyDirectory, digest: StreamKeyDigest(secret: config.jwtSecret), accounts: accounts), queue: queue, sessions: queue, closes: closes, programme: programme
    )
    if config.recording.recordStream, let recorder = recording.recorder {
        let listener = captureListening(config, http: http)
        gatekeeper.leadPublished = { job in
            await recorder.leadPublished(job)
            await listener?(job)
        }
    }
    let gate = AdminGate(tokens: await SessionTokens(secret: config.jwtSecret), standing: CachedSessionStanding(AccountSessionCheck(accounts: accounts.client)))

    let relays = try await RelaySide(config, targets: outputTargets, programme: programme, broadcast: broadcast, children: children, http: http, logger: logger)
    let router = makeServiceRouter(service: .hookGateway, readiness: [
        ReadinessCheck("AccountService") { await accounts.client.healthProblem() },
        ReadinessCheck("QueueService") { await queue.client.healthProblem() },
    ])
    SRSHookRoutes(hookSecret: config.hookSecret, gatekeeper: gatekeeper).add(to: router)
    NginxRTMPHookRoutes(hookSecret: config.hookSecret, gatekeeper: gatekeeper).add(to: router)
    OutputRoutes(desk: OutputDesk(store: outputTargets, relays: relays.supervisor, broadcast: broadcast, source: config.outputSource), gate: gate)
        .add(to: router)
    KickRoutes(ingest: ingest.connections, ingestName: ingest.name)
        .add(to: router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: config.internalToken)))
    RecordingRoutes(library: recording.library)
        .add(to: router.group("internal/v1/recordings").add(middleware: InternalTokenMiddleware(token: config.internalToken)))
    RecordingStatusRoutes(recording: recording, outputs: { await relays.status() }, ingest: { ingestReadings.status }).add(to: router)

    router.addAPIDocument(try APIDocumentSource(resource: Bundle.module.url(forResource: "openapi", withExtension: "yaml")), internalToken: config.internalToken)

    return Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [CaseInsensitiveConnectionClose()])),
        configuration: config.settings.applicationConfiguration, services: [http, closes, reconciler, health, keyFollower] + programmeWatch + recording.services + relays.services, logger: logger
    )
}

/// The ingest in front, as kicks and the reconciliation reach it.
private func ingestPeers(
    _ config: HookGatewayConfig, http: HTTPClientService
) -> (name: String, connections: any IngestConnections, clients: any IngestClients, confirmationDelay: Duration) {
    switch config.ingestServer {
    case .srs:
        let srs = SRSAPI(client: PeerClient(baseURL: config.srsAPIURL, http: http.client, authorization: config.srsAPIAuthorization, timeout: .seconds(5)))
        return ("SRS", srs, SRSClientList(client: srs.client), .zero)
    case .nginxRTMP:
        let control = NginxRTMPControl(client: PeerClient(baseURL: config.nginxRTMPControlURL, http: http.client, authorization: nil, timeout: .seconds(5)), app: config.ingestApp)
        let stat = NginxRTMPStat(client: PeerClient(baseURL: config.nginxRTMPStatURL, http: http.client, authorization: nil, timeout: .seconds(5)), app: config.ingestApp)
        return ("nginx-rtmp", control, stat, .seconds(2))
    }
}

/// The ingest's numbers for the stream-health monitor, read about every second: a short deadline,
/// so a hung ingest costs one reading, not several.
/// Waits (at most a second and a half) until the ingest lists a player on the stream: the
/// recorder's capture, started a moment before. nginx-rtmp sends a player only what arrives after
/// it joined, from a keyframe on; SRS sends a joining player its last keyframe's group of
/// pictures, so for SRS there is nothing to wait for.
private func captureListening(_ config: HookGatewayConfig, http: HTTPClientService) -> (@Sendable (StandbyJob) async -> Void)? {
    guard config.ingestServer == .nginxRTMP else { return nil }
    let stat = NginxRTMPStat(client: PeerClient(baseURL: config.nginxRTMPStatURL, http: http.client, authorization: nil, timeout: .milliseconds(500)), app: config.ingestApp)
    return { job in
        let deadline = ContinuousClock.now + .milliseconds(1500)
        while ContinuousClock.now < deadline {
            if (try? await stat.isPlayed(app: job.app, stream: job.stream)) == true { return }
            try? await Task.sleep(for: .milliseconds(40))
        }
    }
}

private func streamStats(_ config: HookGatewayConfig, http: HTTPClientService) -> any IngestStreamStats {
    switch config.ingestServer {
    case .srs: SRSStreams(client: PeerClient(baseURL: config.srsAPIURL, http: http.client, authorization: config.srsAPIAuthorization, timeout: .seconds(2)))
    case .nginxRTMP: NginxRTMPStat(client: PeerClient(baseURL: config.nginxRTMPStatURL, http: http.client, authorization: nil, timeout: .seconds(2)), app: config.ingestApp)
    }
}

/// The recording side of the gateway, wired: the library under `RECORD_DIR` (always served, so
/// recordings stay downloadable with `RECORD_STREAM` off) and, when recording is on, the turn
/// recorder following QueueService.
struct RecordingSide: Sendable {
    let library: RecordingLibrary
    let recorder: TurnRecorder?
    let services: [any Service]
    private let minimumFreeBytes: UInt64

    init(_ config: HookGatewayConfig, programme: any ProgrammeSource, children: ChildLedger, http: HTTPClientService, logger: Logger) async throws {
        let recording = config.recording
        library = RecordingLibrary(directory: recording.directory)
        minimumFreeBytes = recording.minimumFreeBytes
        guard recording.recordStream || recording.recordProgramme else {
            recorder = nil
            services = []
            return
        }
        let queue = PeerClient(baseURL: config.settings.queueServiceURL, http: http.client, token: config.internalToken, timeout: .seconds(5))
        let turns = recording.recordStream ? recording.streamReaderToken.map { token in
            QueueStateClient(queue: queue.sending(header: "X-Stream-Reader-Token", value: token))
        } : nil
        let recorder = TurnRecorder(
            library: library, capture: FFmpegRecordingCapture(ledger: children), queue: turns, programme: recording.recordProgramme ? programme : nil,
            settings: .init(pullTemplate: recording.leadPullURL, minimumFreeBytes: recording.minimumFreeBytes, retentionDays: recording.retentionDays),
            logger: logger
        )
        self.recorder = recorder
        guard turns != nil else {
            services = [recorder]
            return
        }
        let follower = try QueueFollower(
            source: QueueEventLog(queue: queue), cursorPath: (config.settings.dataDirectory as NSString).appendingPathComponent("recording-cursor"),
            logger: logger
        )
        await follower.onPage { page in try await recorder.queueMoved(page.events) }
        services = [follower, recorder]
    }

    func status() async -> RecordingStatus {
        await recorder?.currentStatus() ?? RecordingStatus(state: .off, minimumFreeMegabytes: minimumFreeBytes / 1_048_576)
    }
}

/// The relays to the platforms, wired for `OUTPUT_SOURCE`: following the programme's publishes,
/// or QueueService's lead (its event log, then its state with the stream reader token).
struct RelaySide: Sendable {
    let supervisor: RelaySupervisor
    let services: [any Service]
    private let source: OutputSource

    init(
        _ config: HookGatewayConfig, targets: any OutputTargetsSource, programme: any ProgrammeSource, broadcast: any BroadcastReporting,
        children: ChildLedger, http: HTTPClientService, logger: Logger
    ) async throws {
        source = config.outputSource
        let template = PullURLTemplate(template: config.recording.leadPullURL)
        let launcher = FFmpegRelayLauncher(ledger: children)
        guard config.outputSource == .lead, let readerToken = config.relay.streamReaderToken else {
            supervisor = RelaySupervisor(
                targets: targets, sources: { programme.relaySources(template) }, launcher: launcher, policy: config.relay.policy, logger: logger
            )
            services = [supervisor]
            return
        }
        let queue = PeerClient(baseURL: config.settings.queueServiceURL, http: http.client, token: config.internalToken, timeout: .seconds(5))
        let follower = try QueueFollower(
            source: QueueEventLog(queue: queue), cursorPath: (config.settings.dataDirectory as NSString).appendingPathComponent("relay-cursor"), logger: logger
        )
        let feed = LeadFeed(
            queue: QueueStateClient(queue: queue.sending(header: "X-Stream-Reader-Token", value: readerToken)), template: template, broadcast: broadcast,
            logger: logger
        )
        await follower.onPage { _ in try await feed.refresh() }
        supervisor = RelaySupervisor(targets: targets, sources: { feed.relaySources() }, launcher: launcher, policy: config.relay.policy, logger: logger)
        services = [follower, feed, supervisor]
    }

    func status() async -> OutputsStatus {
        OutputsStatus(source: source.rawValue, sourceLive: await supervisor.sourceLive, targets: await supervisor.statuses())
    }
}
