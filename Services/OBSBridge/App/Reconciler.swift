import Foundation
import Logging
import Metrics
import Shared
import Tracing

/// Keeps OBS showing what the queue says: each pass reads OBS (one batch), plans the requests
/// that close the gap, and sends them (one batch). It runs while a session is open, a pass at a
/// time, woken by queue changes and OBS events, and quickly while the programme converges.
actor Reconciler {
    private let policy: ReconcilePolicy
    private let mutationGap: Duration
    private let logger: Logger
    private let clock: any Clock<Duration>
    /// Time on `clock` since this reconciler began: instants of `any Clock` cannot be subtracted,
    /// durations can.
    private let elapsed: @Sendable () -> Duration
    private let now: @Sendable () -> Date
    private let wakeup = Wakeup()
    private var desired: DesiredProgram?
    private var memory: [Slot: SlotMemory] = [:]
    private var lastMutation: Duration?
    private var handoverStarted: (url: String, at: Duration)?
    /// The trace of the queue change being carried out, until OBS shows it.
    private var trace: ServiceContext?
    private var status = ProgrammeStatus()
    private let handoverTimer = Metrics.Timer(label: "obs_handover_seconds", preferredDisplayUnit: .milliseconds)
    private let sent = Counter(label: "obs_requests_total")

    init(
        policy: ReconcilePolicy, mutationGap: Duration, logger: Logger,
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.policy = policy
        self.mutationGap = mutationGap
        self.logger = logger
        self.clock = clock
        self.elapsed = Self.stopwatch(clock)
        self.now = now
    }

    private static func stopwatch<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }

    func currentStatus() -> ProgrammeStatus { status }

    /// The queue's state changed (or was read for the first time); `trace` is the W3C context
    /// of the change, when the queue carried one.
    func want(_ program: DesiredProgram, trace traceparent: String? = nil) {
        if program.leadURL != desired?.leadURL, let url = program.leadURL {
            handoverStarted = (url, elapsed())
        }
        if let context = TraceCarrier.context(traceparent: traceparent) {
            trace = context
        }
        desired = program
        status.desiredLead = program.leadName
        status.desiredLeadURLKnown = program.leadURL != nil
        wakeup.signal()
    }

    /// Something changed in OBS (or an operator asked): look again now.
    func nudge() {
        wakeup.signal()
    }

    /// Runs passes for as long as this session lasts.
    func serve(_ session: any OBSRequests) async {
        memory = [:]
        var converging = true
        while !session.isClosed && !Task.isCancelled {
            if let desired {
                do {
                    converging = try await pass(desired, session)
                } catch {
                    status.lastFailure = "\(error)"
                    logger.warning("reconcile pass failed", metadata: ["error": "\(error)"])
                }
            }
            await wakeup.wait(upTo: converging ? .milliseconds(100) : .seconds(1), clock: clock)
        }
    }

    private func pass(_ desired: DesiredProgram, _ session: any OBSRequests) async throws -> Bool {
        let now = now()
        let observed = OBSObservation.parse(try await session.batch(OBSObservation.requests(policy)), policy)
        memory = ReconcilePlanner.remember(observed, in: memory, now: now, policy: policy)
        noteHandover(observed)
        let plan = ReconcilePlanner.plan(desired: desired, observed: observed, memory: memory, now: now, policy: policy)
        memory = plan.memory
        status.lastPassAt = now
        status.programScene = observed.programScene
        status.slots = Dictionary(uniqueKeysWithValues: Slot.allCases.map { slot in
            let seen = observed.slot(slot)
            let place = ReconcilePlanner.topSlot(observed) == slot ? "on top" : "underneath"
            return (slot.rawValue, "\(place) \(seen.muted == true ? "muted" : "audible") \(seen.mediaState ?? "-") cursor \(seen.mediaCursor.map(String.init) ?? "-")\(seen.url.isEmpty ? " empty" : " loaded")")
        })
        if !plan.requests.isEmpty {
            if let lastMutation, elapsed() - lastMutation < mutationGap {
                try await clock.sleep(for: mutationGap - (elapsed() - lastMutation))
            }
            let requests = plan.requests
            let results = try await withSpan("OBS request batch", context: trace ?? .topLevel, ofKind: .client) { span in
                span.attributes["obs.requests"] = requests.map(\.type).joined(separator: ",")
                return try await session.batch(requests)
            }
            lastMutation = elapsed()
            status.requestsSent += plan.requests.count
            status.lastPassRequests = plan.requests.map(\.type)
            sent.increment(by: plan.requests.count)
            for result in results where !result.ok {
                status.failedRequests += 1
                status.lastFailure = "\(result.type): \(result.code) \(result.comment ?? "")"
                logger.warning("OBS refused a request", metadata: ["request": "\(result.type)", "code": "\(result.code)", "comment": "\(result.comment ?? "")"])
            }
            logger.debug("reconciled", metadata: ["requests": "\(plan.requests.map(\.type))"])
        }
        return plan.converging
    }

    /// The lead is on the programme: their input shown, its cursor moving, the live scene on.
    private func noteHandover(_ observed: ObservedOBS) {
        guard let started = handoverStarted, observed.programScene == policy.liveScene,
              let slot = Slot.allCases.first(where: { observed.slot($0).url == started.url }),
              ReconcilePlanner.topSlot(observed) == slot, memory[slot]?.advancing == true
        else { return }
        let took = elapsed() - started.at
        handoverTimer.recordNanoseconds(Int64(took.components.seconds) * 1_000_000_000 + took.components.attoseconds / 1_000_000_000)
        status.lastHandoverSeconds = took.seconds
        handoverStarted = nil
        trace = nil
    }
}
