import Foundation
import Hummingbird
import Logging
import Metrics
import Shared

/// Runs the queue machine and makes its changes durable. Commands are applied one at a time
/// (the actor); their records are written by group commit — while one batch is being synced,
/// the next commands queue up and share the following sync. A command is answered only once
/// its change is on disk; readers only ever see durable state.
actor QueueEngine {
    private var machine: QueueMachine
    private var durable: QueueState
    private let journal: any QueueJournal
    let feed: EventFeed
    private let clock: any QueueClock
    private let forwardTargets: [String]
    private let logger: Logger
    private var pending: [CheckedContinuation<Void, any Error>] = []
    private var pendingEvents: [QueueEvent] = []
    private var flushing = false
    private let batchSize = Recorder(label: "queue_commit_batch_size")

    init(journal: any QueueJournal, clock: any QueueClock, swapInterval: Double, forwardTargets: [String], logger: Logger) throws {
        let contents = try journal.load()
        let state = contents.state ?? QueueState(swapInterval: swapInterval)
        self.machine = QueueMachine(state: state)
        self.durable = state
        self.journal = journal
        self.feed = EventFeed(events: contents.events, lastSeq: state.lastSeq)
        self.clock = clock
        self.forwardTargets = forwardTargets
        self.logger = logger
        logger.info(
            "queue restored",
            metadata: ["lead": "\(state.lead?.djName ?? "none")", "waiting": "\(state.waiting.count)", "sessions": "\(state.sessions.count)", "seq": "\(state.lastSeq)"]
        )
    }

    // MARK: - Commands

    func publish(_ request: PublishRequest) async throws -> PublishReply {
        let (reply, events) = machine.publish(request, now: clock.now())
        try await commit(events)
        Counter(label: "queue_publish_total", dimensions: [("decision", reply.decision.rawValue)]).increment()
        return reply
    }

    func closeSession(_ request: SessionCloseRequest) async throws -> SessionCloseReply {
        let events = machine.closeSession(clientId: request.clientId, now: clock.now())
        try await commit(events)
        return SessionCloseReply(changed: !events.isEmpty)
    }

    // MARK: - Reads (durable state only)

    func forwardTargets(clientId: String) -> ForwardReply {
        ForwardReply(urls: durable.isLeadSession(clientId: clientId) ? forwardTargets : [])
    }

    func internalState() -> InternalQueueState {
        durable.internalView(seq: durable.lastSeq)
    }

    func publicQueue() -> PublicQueue {
        durable.publicView(seq: durable.lastSeq, now: clock.now())
    }

    func queueJSON() -> QueueJSON {
        QueueJSON(streamQueue: durable.djNamesInOrder)
    }

    // MARK: - Group commit

    /// Waits until the machine's current state is durable. With nothing to write and nothing in
    /// flight it returns at once; otherwise the caller joins the next batch, so no answer is ever
    /// based on a state that could still be lost.
    private func commit(_ events: [QueueEvent]) async throws {
        guard machine.state != durable || flushing else { return }
        try await withCheckedThrowingContinuation { continuation in
            pending.append(continuation)
            pendingEvents.append(contentsOf: events)
            if !flushing {
                flushing = true
                Task { await self.flush() }
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
                await feed.append(events)
                waiters.forEach { $0.resume() }
            } catch {
                logger.critical("queue journal write failed; refusing the commands of this batch and rolling back", metadata: ["error": "\(error)"])
                machine = QueueMachine(state: durable)
                let failed = waiters + pending
                pending.removeAll()
                pendingEvents.removeAll()
                failed.forEach { $0.resume(throwing: QueueUnavailable(reason: "\(error)")) }
            }
        }
        flushing = false
    }
}

/// The queue could not make a change durable; the command was not applied (HTTP 503).
struct QueueUnavailable: HTTPResponseError, CustomStringConvertible {
    var reason: String
    var description: String { "the queue could not save the change: \(reason)" }
    var status: HTTPResponse.Status { .serviceUnavailable }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError.unavailable("The queue could not save this change, so it was not made. Try again.", code: "queue_not_durable")
            .response(from: request, context: context)
    }
}
