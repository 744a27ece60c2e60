import Foundation
import Logging
import Metrics

/// Keeps OBS showing what the queue says: each pass reads OBS (one batch), plans the requests
/// that close the gap, and sends them (one batch). It runs while a session is open, a pass at a
/// time, woken by queue changes and OBS events, and quickly while the programme converges.
actor Reconciler {
    struct Status: Codable, Sendable {
        var desiredLead: String?
        var desiredLeadURLKnown: Bool
        var programScene: String?
        var slots: [String: String]
        var lastPassAt: Date?
        var lastPassRequests: [String]
        var requestsSent: Int
        var failedRequests: Int
        var lastFailure: String?
        var lastHandoverSeconds: Double?
    }

    private let policy: ReconcilePolicy
    private let mutationGap: Duration
    private let logger: Logger
    private var desired: DesiredProgram?
    private var memory: [Slot: SlotMemory] = [:]
    private var nudged = false
    private var lastMutation: ContinuousClock.Instant?
    private var handoverStarted: (url: String, at: ContinuousClock.Instant)?
    private var status = Status(desiredLeadURLKnown: false, slots: [:], lastPassRequests: [], requestsSent: 0, failedRequests: 0)
    private let handoverTimer = Metrics.Timer(label: "obs_handover_seconds", preferredDisplayUnit: .milliseconds)
    private let sent = Counter(label: "obs_requests_total")

    init(policy: ReconcilePolicy, mutationGap: Duration, logger: Logger) {
        self.policy = policy
        self.mutationGap = mutationGap
        self.logger = logger
    }

    func currentStatus() -> Status { status }

    /// The queue's state changed (or was read for the first time).
    func want(_ program: DesiredProgram, leadName: String?) {
        if program.leadURL != desired?.leadURL, let url = program.leadURL {
            handoverStarted = (url, .now)
        }
        desired = program
        status.desiredLead = leadName
        status.desiredLeadURLKnown = program.leadURL != nil
        nudged = true
    }

    /// Something changed in OBS (or an operator asked): look again now.
    func nudge() {
        nudged = true
    }

    /// Runs passes for as long as this session lasts.
    func serve(_ session: OBSSession) async {
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
            await waitForNudge(upTo: converging ? .milliseconds(100) : .seconds(1))
        }
    }

    private func pass(_ desired: DesiredProgram, _ session: OBSSession) async throws -> Bool {
        let now = Date()
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
            if let lastMutation, ContinuousClock.now - lastMutation < mutationGap {
                try await Task.sleep(for: mutationGap - (ContinuousClock.now - lastMutation))
            }
            let results = try await session.batch(plan.requests)
            lastMutation = .now
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
        let elapsed = ContinuousClock.now - started.at
        handoverTimer.recordNanoseconds(Int64(elapsed.components.seconds) * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        status.lastHandoverSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        handoverStarted = nil
    }

    private func waitForNudge(upTo limit: Duration) async {
        let end = ContinuousClock.now + limit
        while !nudged, ContinuousClock.now < end, !Task.isCancelled {
            try? await Task.sleep(for: min(.milliseconds(20), end - ContinuousClock.now))
        }
        nudged = false
    }
}
