import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Fills `LEAD_PULL_URL` (`{app}`, `{stream}`) for a stream on the ingest.
struct PullURLTemplate: Sendable, Equatable {
    var template: String

    func source(app: String, stream: String) -> RelaySource {
        let url = template.replacingOccurrences(of: "{app}", with: app).replacingOccurrences(of: "{stream}", with: stream)
        return RelaySource(url: url, secrets: [url, stream])
    }
}

extension ProgrammeSource {
    /// `OUTPUT_SOURCE=programme`: OBS's programme while it is published.
    func relaySources(_ template: PullURLTemplate) -> AsyncStream<RelaySource?> {
        let feeds = programmeChanges()
        return AsyncStream { continuation in
            let task = Task {
                for await feed in feeds {
                    continuation.yield(feed.map { template.source(app: $0.app, stream: $0.stream) })
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// `OUTPUT_SOURCE=lead`: the lead's own stream while they are on air and connected, read from
/// QueueService's state after each page of its events — and every `resync` besides, so a start
/// with nothing new in the log, or a page missed, is caught up. It also tells QueueService that
/// the broadcast is live while anybody leads (a lead in their reconnect grace still does).
actor LeadFeed: Service {
    private let queue: any QueueStateReading
    private let template: PullURLTemplate
    private let broadcast: any BroadcastReporting
    private let resync: Duration
    private let backoff: Backoff
    private let clock: any Clock<Duration>
    private let logger: Logger
    private let changes = ChangeSignal<RelaySource?>(latest: .some(nil))
    private var current: RelaySource?
    private var lastSeq: UInt64?
    private var hasLead = false

    init(
        queue: any QueueStateReading, template: PullURLTemplate, broadcast: any BroadcastReporting, resync: Duration = .seconds(15),
        backoff: Backoff = Backoff(base: .milliseconds(500), cap: .seconds(15)), clock: any Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.queue = queue
        self.template = template
        self.broadcast = broadcast
        self.resync = resync
        self.backoff = backoff
        self.clock = clock
        self.logger = logger
    }

    /// Starts with the lead as last read.
    nonisolated func relaySources() -> AsyncStream<RelaySource?> {
        changes.subscribe()
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await self.refresh()
                    failures = 0
                } catch {
                    if failures == 0 { self.logger.warning("cannot read the lead from QueueService", metadata: ["error": "\(error)"]) }
                    failures += 1
                }
                let wait = failures == 0 ? self.resync : self.backoff.delay(attempt: failures - 1)
                do { try await self.clock.sleep(for: wait) } catch { return }
            }
        }
    }

    /// Reads the state and follows it.
    func refresh() async throws {
        apply(try await queue.state(timeout: nil))
        await broadcast.report(live: hasLead)
    }

    /// Two reads in flight (a page of news and the resync) may answer out of order: the older state is dropped.
    private func apply(_ state: InternalQueueState) {
        if let lastSeq, state.seq < lastSeq { return }
        lastSeq = state.seq
        hasLead = state.lead != nil
        let source = Self.source(of: state, template)
        guard source != current else { return }
        current = source
        changes.send(source)
    }

    /// The lead's stream while their encoder is connected; nil in their reconnect grace or with nobody on air.
    static func source(of state: InternalQueueState, _ template: PullURLTemplate) -> RelaySource? {
        guard let lead = state.lead, lead.graceEndsAt == nil, let session = lead.sessions.first else { return nil }
        return template.source(app: session.app, stream: session.stream)
    }
}
