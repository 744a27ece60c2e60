import Foundation
import Logging
import Metrics
import Tracing
import ServiceLifecycle
import Shared

/// Runs the queue machine and makes its changes durable. Commands are applied one at a time
/// (the actor); their records are written by group commit — while one batch is being synced,
/// the next commands queue up and share the following sync. A command is answered only once
/// its change is on disk; readers only ever see durable state. After each commit the engine
/// re-arms the one timer the machine asks for and hands owed kicks to the dispatcher.
/// As a `Service` in the application's lifecycle it holds the timers from start to shutdown.
actor QueueEngine: Service {
    private var machine: QueueMachine
    private var durable: QueueState
    private let journal: any QueueJournal
    let feed: EventFeed
    private let clock: any QueueClock
    private let forwardTargets: [String]
    private let kicks: KickDispatcher?
    private let logger: Logger
    private var pending: [CheckedContinuation<Void, any Error>] = []
    private var pendingEvents: [QueueEvent] = []
    private var flushing = false
    private var wakeUp: (at: Date, task: Task<Void, Never>)?
    /// Set at shutdown, after the server answered its last request: no timer is armed again.
    private var stopped = false
    private let batchSize = Recorder(label: "queue_commit_batch_size")
    private let lateness = Metrics.Timer(label: "queue_timer_lateness_seconds", preferredDisplayUnit: .milliseconds)
    /// `queue_length`: DJs in the queue, the lead included; `queue_kicks_pending`: kicks owed and
    /// not yet confirmed by SRS. Both as durable, set at start-up and after every commit.
    private let length = Gauge(label: "queue_length")
    private let kicksPending = Gauge(label: "queue_kicks_pending")

    /// `pollClock` times out the feed's long polls.
    init(
        journal: any QueueJournal, clock: any QueueClock, rules: QueueRules, swapInterval: Double, forwardTargets: [String],
        kicks: KickDispatcher?, logger: Logger, pollClock: any Clock<Duration> = ContinuousClock()
    ) throws {
        let contents = try journal.load()
        let state = contents.state ?? QueueState(swapInterval: swapInterval)
        self.machine = QueueMachine(state: state, rules: rules)
        self.durable = state
        self.journal = journal
        self.feed = EventFeed(events: contents.events, lastSeq: state.lastSeq, clock: pollClock)
        self.clock = clock
        self.forwardTargets = forwardTargets
        self.kicks = kicks
        self.logger = logger
        Self.declareHandovers()
        recordGauges(of: state)
        logger.info(
            "queue restored",
            metadata: [
                "lead": "\(state.lead?.djName ?? "none")", "waiting": "\(state.waiting.count)", "sessions": "\(state.sessions.count)",
                "seq": "\(state.lastSeq)", "pending_kicks": "\(state.pendingKicks.count)",
            ]
        )
    }

    // MARK: - Lifecycle

    /// Runs from the start of the service group to its graceful shutdown. The server shuts down
    /// first (it was added last), so the timers outlive every request.
    func run() async throws {
        await start()
        try? await gracefulShutdown()
        stopped = true
        wakeUp?.task.cancel()
        wakeUp = nil
    }

    /// Arms the timers and resumes the kicks a previous run left owed. `run()` starts with it;
    /// tests that drive an engine without a service group call it once after init.
    func start() async {
        await kicks?.connect(
            settled: { [weak self] clientId in await self?.kickSettled(clientId: clientId) },
            stillOwed: { [weak self] clientId in await self?.owesKick(clientId) ?? false }
        )
        await afterCommit()
    }

    // MARK: - Commands

    func publish(_ request: PublishRequest) async throws -> PublishReply {
        let (decided, events) = machine.publish(request, now: clock.now())
        try await commit(events)
        var reply = decided
        if reply.decision == .lead { reply.forwardTargets = forwardTargets }
        Counter(label: "queue_publish_total", dimensions: [("decision", reply.decision.rawValue)]).increment()
        return reply
    }

    func closeSession(_ request: SessionCloseRequest) async throws -> SessionCloseReply {
        let events = machine.closeSession(clientId: request.clientId, now: clock.now())
        try await commit(events)
        return SessionCloseReply(changed: !events.isEmpty)
    }

    /// A deleted or deactivated account leaves the queue, and its SRS sessions are owed kicks
    /// (dispatched after the commit), so its encoder is dropped too.
    func forget(_ userId: UUID) async throws {
        try await commit(machine.forget(userId, now: clock.now()))
    }

    /// An admin action; returns the queue as it is afterwards.
    func admin(_ command: AdminCommand, by admin: UUID) async throws -> PublicQueue {
        let events = try machine.apply(command, by: admin, now: clock.now())
        try await commit(events)
        logger.notice("admin action", metadata: ["action": "\(command.name)", "admin_id": "\(admin)", "events": "\(events.count)"])
        return publicQueue()
    }

    /// The ingest's numbers for every publisher. Most reports change nothing durable (only the
    /// machine's memory of the counters), but each may move the stall wake-up, so it is re-armed.
    func streamHealth(_ report: StreamHealthReport) async throws -> StreamHealthReply {
        let events = machine.streamHealth(report, now: clock.now())
        try await commit(events)
        reschedule()
        return StreamHealthReply(known: report.publishers.filter { machine.state.session(clientId: $0.clientId) != nil }.count)
    }

    /// The broadcast went live or ended; answered once journaled. Returns whether it was news.
    func broadcast(_ change: BroadcastChange) async throws -> Bool {
        let events = machine.broadcast(change, now: clock.now())
        try await commit(events)
        return !events.isEmpty
    }

    private func kickSettled(clientId: String) async {
        let events = machine.kickSettled(clientId: clientId, now: clock.now())
        do {
            try await commit(events)
        } catch {
            logger.error("could not record a settled kick", metadata: ["client_id": "\(clientId)", "error": "\(error)"])
        }
    }

    private func owesKick(_ clientId: String) -> Bool {
        machine.state.pendingKicks.contains { $0.clientId == clientId }
    }

    // MARK: - Timers

    private func tick(scheduledFor due: Date) async {
        wakeUp = nil
        let now = clock.now()
        // Measured against the unrounded wall clock: the event log keeps only milliseconds.
        lateness.recordNanoseconds(Int64(max(0, Date().timeIntervalSince(due)) * 1_000_000_000))
        let events = machine.tick(now: now)
        do {
            if events.isEmpty {
                try await commit(events)
            } else {
                // A turn that ran out is a handover nobody asked for: its own trace begins here.
                try await withSpan("queue timer", ofKind: .internal) { span in
                    span.attributes["queue.events"] = events.map(\.type.rawValue).joined(separator: ",")
                    try await commit(events)
                }
            }
        } catch {
            logger.error("a timer fired but its change could not be saved; retrying in a second", metadata: ["error": "\(error)"])
            try? await clock.sleep(until: clock.now().addingTimeInterval(1))
        }
        reschedule()
    }

    private func reschedule() {
        guard !stopped else { return }
        let next = machine.nextWakeUp
        guard wakeUp?.at != next else { return }
        wakeUp?.task.cancel()
        guard let next else {
            wakeUp = nil
            return
        }
        let clock = self.clock
        wakeUp = (next, Task { [weak self] in
            do {
                try await clock.sleep(until: next)
            } catch {
                return
            }
            await self?.tick(scheduledFor: next)
        })
    }

    private func afterCommit() async {
        recordGauges(of: durable)
        reschedule()
        if let kicks, !durable.pendingKicks.isEmpty {
            await kicks.dispatch(durable.pendingKicks.map(\.clientId))
        }
    }

    // MARK: - Metrics (of committed changes only)

    /// Every way a turn can end, so each `queue_handovers_total` series exists (at 0) from
    /// start-up and `increase()` counts the first handover of each kind too.
    private static let handoverReasons: [DepartureReason] = [.left, .timeLimit, .skipped, .dropped, .removed, .cleared, .stalled]

    private static func handovers(_ reason: String) -> Counter {
        Counter(label: "queue_handovers_total", dimensions: [("reason", reason)])
    }

    private static func declareHandovers() {
        for reason in handoverReasons { _ = handovers(reason.rawValue) }
    }

    /// `queue_handovers_total{reason}`: each turn that ended — the lead changed, to the next DJ or
    /// to nobody — by why the previous lead left.
    private static func countHandovers(_ events: [QueueEvent]) {
        for event in events where event.type == .turnEnded {
            handovers(event.payload.reason?.rawValue ?? "unknown").increment()
        }
    }

    private nonisolated func recordGauges(of state: QueueState) {
        length.record(state.waiting.count + (state.lead == nil ? 0 : 1))
        kicksPending.record(state.pendingKicks.count)
    }

    // MARK: - Reads (durable state only)

    func forwardTargets(clientId: String) -> ForwardReply {
        ForwardReply(urls: durable.isLeadSession(clientId: clientId) ? forwardTargets : [])
    }

    /// `withStreams` only for a caller that holds the stream-reader token.
    func internalState(withStreams: Bool) -> InternalQueueState {
        durable.internalView(seq: durable.lastSeq, withStreams: withStreams)
    }

    /// Every SRS session the queue holds open, oldest first.
    func openSessions() -> [PublisherSession] {
        durable.sessions
    }

    /// The lineup as it is durable, with the machine's latest readings of each stream: those are
    /// never journaled, so reading them from the machine shows nothing that could be lost.
    func lineupHealth(of userId: UUID?) -> LineupHealth {
        machine.watch.lineupHealth(of: durable, rules: machine.rules, now: clock.now(), only: userId)
    }

    func publicQueue() -> PublicQueue {
        durable.publicView(seq: durable.lastSeq, now: clock.now())
    }

    func queueJSON() -> QueueJSON {
        QueueJSON(streamQueue: durable.djNamesInOrder)
    }

    func timeSettings() -> TimeSettings {
        TimeSettings(swapInterval: durable.swapInterval, remainingTime: durable.remainingTime(now: clock.now()))
    }

    func blockStatus() -> BlockStatus {
        BlockStatus(isBlocked: durable.blockEnabled, lastDjName: durable.blockedDJ?.djName)
    }

    // MARK: - Group commit

    /// Waits until the machine's current state is durable. With nothing to write and nothing in
    /// flight it returns at once; otherwise the caller joins the next batch, so no answer is ever
    /// based on a state that could still be lost.
    private func commit(_ events: [QueueEvent]) async throws {
        guard machine.state != durable || flushing else { return }
        // The events carry the trace of what caused them, for OBSBridge and Notifier to go on with.
        let traceparent = TraceCarrier.currentTraceparent()
        let events = traceparent == nil ? events : events.map { event in
            var event = event
            event.traceparent = traceparent
            return event
        }
        try await withSpan("queue journal sync", ofKind: .internal) { _ in
            try await withCheckedThrowingContinuation { continuation in
                pending.append(continuation)
                pendingEvents.append(contentsOf: events)
                if !flushing {
                    flushing = true
                    Task { await self.flush() }
                }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let waiters = pending
            let events = pendingEvents
            let state = machine.state
            pending.removeAll()
            pendingEvents.removeAll()
            batchSize.record(waiters.count)
            do {
                if state != durable {
                    try await journal.append(JournalRecord(events: events, state: state))
                }
                durable = state
                Self.countHandovers(events)
                await feed.append(events)
                waiters.forEach { $0.resume() }
                await afterCommit()
            } catch {
                logger.critical("queue journal write failed; refusing the commands of this batch and rolling back", metadata: ["error": "\(error)"])
                machine = QueueMachine(state: durable, rules: machine.rules, watch: machine.watch)
                let failed = waiters + pending
                pending.removeAll()
                pendingEvents.removeAll()
                failed.forEach { $0.resume(throwing: QueueUnavailable(reason: "\(error)")) }
            }
        }
        flushing = false
    }
}

/// The queue could not make a change durable; the command was not applied.
struct QueueUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { "the queue could not save the change: \(reason)" }
}
