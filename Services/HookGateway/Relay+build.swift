import Foundation
import Logging
import ServiceLifecycle
import Shared

/// The relays to the platforms, wired for `OUTPUT_SOURCE`: following the programme's publishes,
/// or QueueService's lead (its event log, then its state with the stream reader token).
struct RelaySide: Sendable {
    let supervisor: RelaySupervisor
    let services: [any Service]
    private let source: OutputSource

    init(
        _ config: HookGatewayConfig, targets: any OutputTargetsSource, programme: any ProgrammeSource, broadcast: any BroadcastReporting,
        http: HTTPClientService, logger: Logger
    ) async throws {
        source = config.outputSource
        let template = PullURLTemplate(template: config.recording.leadPullURL)
        let launcher = FFmpegRelayLauncher()
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
