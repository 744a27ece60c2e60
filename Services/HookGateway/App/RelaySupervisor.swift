import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Shared

/// What the relays pull from while something is live: the programme, or the lead's own stream.
struct RelaySource: Sendable, Equatable {
    var url: String
    /// Parts of `url` that are credentials (the programme key, a DJ's stream key), never repeated
    /// in a status or a log.
    var secrets: [String]
}

/// One supervised ffmpeg per enabled target while the source is live. Each relay is its own
/// task: one target's change, failure or backoff never stops or restarts another, and a relay
/// is restarted only when its own source or destination changed.
actor RelaySupervisor: Service, RelayReports {
    private struct Relay {
        /// What it copies from and to; a relay whose spec changed is replaced, nothing else is.
        var spec: Spec
        var name: String
        /// Tells this relay's task from a later one for the same target.
        var generation: UInt64
        var state = RelayState()
        var task: Task<Void, Never>?
        var run: (any RelayRun)?
    }

    private struct Spec: Equatable {
        var source: RelaySource
        var destination: String
        var secrets: [String]
    }

    private let targetsSource: any OutputTargetsSource
    private let sources: @Sendable () -> AsyncStream<RelaySource?>
    private let launcher: any RelayLauncher
    private let policy: RelayPolicy
    /// How long a stopped ffmpeg has to finish before SIGKILL.
    private let stopGrace: Duration
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Duration
    private let random: @Sendable () -> Double
    private let logger: Logger

    private var targets: [OutputTarget] = [] { didSet { recordGauges() } }
    private var source: RelaySource? { didSet { recordGauges() } }
    private var relays: [UUID: Relay] = [:] { didSet { recordGauges() } }
    /// `gateway_relays_running`: relays live (ffmpeg sending to its platform);
    /// `gateway_relays_wanted`: enabled targets while the source is live. Running below wanted is
    /// a platform not receiving the broadcast.
    private let running = Gauge(label: "gateway_relays_running")
    private let wantedGauge = Gauge(label: "gateway_relays_wanted")
    private var lastGeneration: UInt64 = 0
    private let wanted = Wakeup()

    /// - Parameter sources: a new subscription to the source, starting with its current state.
    init(
        targets: any OutputTargetsSource, sources: @escaping @Sendable () -> AsyncStream<RelaySource?>, launcher: any RelayLauncher,
        policy: RelayPolicy = RelayPolicy(), stopGrace: Duration = .seconds(5), clock: any Clock<Duration> = ContinuousClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }, logger: Logger
    ) {
        self.targetsSource = targets
        self.sources = sources
        self.launcher = launcher
        self.policy = policy
        self.stopGrace = stopGrace
        self.clock = clock
        self.now = Self.elapsed(on: clock)
        self.random = random
        self.logger = logger
        running.record(0)
        wantedGauge.record(0)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followTargets() }
                group.addTask { await self.followSource() }
                group.addTask { await self.reconcile() }
                group.addTask { await self.watchForStalls() }
            }
        }
        await stop(Array(relays.keys))
    }

    func relayReports() -> [UUID: RelayReport] {
        let now = now()
        return relays.mapValues { $0.state.report(at: now) }
    }

    /// Every target (disabled ones `off`), for `GET /status`: names and states, no URL or key.
    func statuses() -> [OutputRelayStatus] {
        let reports = relayReports()
        return targets.map { target in
            let report = target.enabled ? reports[target.id] ?? .off : .off
            return OutputRelayStatus(
                id: target.id, name: target.name, enabled: target.enabled, state: report.state, lastError: report.lastError,
                retryInSeconds: report.retryInSeconds, kbps: report.kbps, uptimeSeconds: report.uptimeSeconds
            )
        }
    }

    var sourceLive: Bool { source != nil }

    private func recordGauges() {
        running.record(relays.values.count(where: { $0.state.phase == .live }))
        wantedGauge.record(source == nil ? 0 : targets.count(where: \.enabled))
    }

    /// The process ids of the relays running now (for measuring what each costs).
    func processIDs() -> [UUID: Int32] {
        relays.compactMapValues { $0.run?.processID }
    }

    // MARK: - Following the targets and the source

    private func followTargets() async {
        // Subscribed before the first read, so a change between the two is not missed.
        let changes = targetsSource.targetChanges()
        set(targets: await targetsSource.targets())
        for await _ in changes {
            set(targets: await targetsSource.targets())
        }
    }

    private func followSource() async {
        for await source in sources() {
            set(source: source)
        }
    }

    private func set(targets: [OutputTarget]) {
        self.targets = targets
        for target in targets {
            relays[target.id]?.name = target.name
        }
        wanted.signal()
    }

    private func set(source: RelaySource?) {
        guard source != self.source else { return }
        // Never the URL: it holds the programme key or a DJ's stream key.
        logger.info(source == nil ? "relay source gone" : "relay source changed", metadata: ["relays": "\(relays.count)"])
        self.source = source
        wanted.signal()
    }

    /// One pass at a time, so a relay is stopped (and its connection to the platform closed)
    /// before its replacement connects with the same key.
    private func reconcile() async {
        repeat {
            let desired = desiredSpecs()
            let outdated = relays.filter { id, relay in desired[id]?.spec != relay.spec }.map(\.key)
            await stop(outdated)
            for (id, want) in desiredSpecs() where relays[id] == nil {
                start(id, spec: want.spec, name: want.name)
            }
        } while await wanted.wait()
    }

    private func desiredSpecs() -> [UUID: (spec: Spec, name: String)] {
        guard let source else { return [:] }
        var desired: [UUID: (spec: Spec, name: String)] = [:]
        for target in targets where target.enabled {
            desired[target.id] = (Spec(source: source, destination: target.destination, secrets: source.secrets + [target.streamKey, target.destination]), target.name)
        }
        return desired
    }

    // MARK: - One relay

    private func start(_ id: UUID, spec: Spec, name: String) {
        lastGeneration += 1
        let generation = lastGeneration
        relays[id] = Relay(spec: spec, name: name, generation: generation)
        relays[id]?.task = Task { await self.supervise(id, generation: generation, spec: spec) }
        logger.info("relay started", metadata: ["target": "\(name)", "target_id": "\(id)"])
    }

    /// Runs ffmpeg, again and again with backoff when it fails, until the task is cancelled.
    private func supervise(_ id: UUID, generation: UInt64, spec: Spec) async {
        while !Task.isCancelled {
            guard update(id, generation, { $0.state.started(at: now()) }) != nil else { return }
            var status: Int32 = -1
            do {
                let run = try launcher.start(pulling: spec.source.url, to: spec.destination, redacting: spec.secrets)
                update(id, generation) { $0.run = run }
                var parser = RelayProgressParser()
                for await output in run.output {
                    switch output {
                    case .progress(let line):
                        if let block = parser.feed(line) { update(id, generation) { $0.state.heard(block, at: now()) } }
                    case .said(let line):
                        update(id, generation) { $0.state.said(line) }
                    case .exited(let code):
                        status = code
                    }
                }
            } catch {
                update(id, generation) { $0.state.said("cannot start ffmpeg: \(error)") }
            }
            // Stopped on purpose: `stop` owns the process now and the state is gone.
            if Task.isCancelled { return }
            let random = random()
            guard let (delay, name, problem) = update(id, generation, { relay in
                relay.run = nil
                let delay = relay.state.exited(status: status, at: now(), policy: policy, random: random)
                return (delay, relay.name, relay.state.lastError ?? "")
            }) else { return }
            logger.warning(
                "relay failed; retrying", metadata: ["target": "\(name)", "target_id": "\(id)", "error": "\(problem)", "retry_in_seconds": "\(delay.seconds)"]
            )
            do { try await clock.sleep(for: delay) } catch { return }
        }
    }

    /// Stops these relays together: SIGTERM, SIGKILL after the grace, and back once all exited.
    /// The waits are tasks of their own, so a shutdown that cancels the caller still waits.
    private func stop(_ ids: [UUID]) async {
        let stopping = ids.compactMap { relays.removeValue(forKey: $0) }
        let exits = stopping.compactMap { relay -> Task<Void, Never>? in
            relay.task?.cancel()
            return relay.run.map(finish)
        }
        for exit in exits { await exit.value }
        for relay in stopping {
            logger.info("relay stopped", metadata: ["target": "\(relay.name)"])
        }
    }

    /// Stops relays that hold a connection and send nothing; their exit is then a failure and retried.
    private func watchForStalls() async {
        while (try? await clock.sleep(for: .seconds(1))) != nil {
            let now = now()
            for (id, relay) in relays where relay.run != nil && relay.state.isStalled(at: now, limit: policy.stallLimit) {
                relays[id]?.state.stalled(for: policy.stallLimit)
                if let run = relay.run { _ = finish(run) }
            }
        }
    }

    /// Ends a run: SIGTERM, once more after half a second (ffmpeg only checks for the first
    /// between packets, and a read from a source that went quiet blocks until the second), then
    /// SIGKILL after the grace. The task ends when the process has.
    private func finish(_ run: any RelayRun) -> Task<Void, Never> {
        run.terminate()
        return Task { [clock, stopGrace] in
            let signals = Task {
                try await clock.sleep(for: .milliseconds(500))
                run.terminate()
                try await clock.sleep(for: stopGrace - .milliseconds(500))
                run.kill()
            }
            _ = await run.waitForExit()
            signals.cancel()
        }
    }

    @discardableResult
    private func update<T>(_ id: UUID, _ generation: UInt64, _ change: (inout Relay) -> T) -> T? {
        guard relays[id]?.generation == generation else { return nil }
        return change(&relays[id]!)
    }

    /// Time on `clock` since now, as the offsets `RelayState` works with.
    private static func elapsed<C: Clock<Duration>>(on clock: C) -> @Sendable () -> Duration {
        let origin = clock.now
        return { origin.duration(to: clock.now) }
    }
}
