import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Shared

/// Records every turn as its own file (`RECORD_STREAM`): follows the queue, and while a lead is on
/// air runs one supervised capture of their stream as received into an opaquely named partial
/// file, closes it cleanly when the turn ends and only then gives it its DJ-and-turn name. Below
/// `RECORDING_MIN_FREE_MB` it stops recording and says so; it never touches the stream itself.
///
/// The DJ up next is pre-rolled, as OBSBridge pre-rolls their picture: their capture runs before
/// their turn, becomes the turn's recording when it starts, and the seconds before are cut off
/// when it is finished (at the keyframe nearest the turn's start). A pre-roll that does not become
/// a turn is deleted; one running longer than `standbyLimit` is started afresh, so waiting never
/// fills the disk.
actor TurnRecorder: Service {
    struct Settings: Sendable {
        /// `LEAD_PULL_URL`, with `{app}` and `{stream}`.
        var pullTemplate: String
        var minimumFreeBytes: UInt64
        var retentionDays: Int
        /// For the date and time in file names: the gateway's own (`TZ`).
        var timeZone = TimeZone.current
        /// How often free space is looked at while running.
        var spaceCheckInterval: Duration = .seconds(2)
        /// How often old recordings are looked for (also at start).
        var sweepInterval: Duration = .seconds(3600)
        /// How long a capture has to close its file after SIGINT before it is killed.
        var stopGrace: Duration = .seconds(10)
        /// Restarts of a capture that ended on its own while its turn goes on.
        var backoff = Backoff(base: .seconds(1), cap: .seconds(30))
        /// A pre-roll this old is restarted, so an hour in the queue is not an hour on disk.
        var standbyLimit: Duration = .seconds(300)
        /// After a pre-roll failed on its own, the next try waits this long.
        var standbyRetry: Duration = .seconds(5)
    }

    private struct Active {
        var job: RecordingJob
        var id: String
        var run: any RecordingCaptureRun
        var startedAt: Date
        var watcher: Task<Void, Never>?
        var stopping = false
        /// Seconds of the file captured before the turn began (a pre-roll's), cut at finish.
        var preRoll: Double?
    }

    private struct Standby {
        var job: StandbyJob
        var id: String
        var run: any RecordingCaptureRun
        var startedAt: ContinuousClock.Instant
        var watcher: Task<Void, Never>?
        var stopping = false
        /// Started at the publish that began the turn: everything it holds is the turn's.
        var atPublish = false
    }

    private let library: RecordingLibrary
    private let capture: any RecordingCapture
    /// nil when only the programme is recorded (`RECORD_STREAM` off).
    private let queue: (any QueueStateReading)?
    private let settings: Settings
    private let clock: any Clock<Duration>
    private let logger: Logger

    private var numbers = TurnNumbers()
    private let programme: (any ProgrammeSource)?
    private var turnJobs: [RecordingJob] = []
    private var programmeJob: RecordingJob?
    private var standbyJob: StandbyJob?
    private var standby: Standby?
    private var standbyRetryAt: ContinuousClock.Instant?
    private var wanted: [RecordingJob] = []
    private var active: [RecordingJob.TurnKey: Active] = [:] { didSet { recordingsActive.record(active.count) } }
    /// `gateway_recordings_active`: captures writing a turn's or the programme's file (pre-rolls
    /// of the DJ up next not counted until their turn starts).
    private let recordingsActive = Gauge(label: "gateway_recordings_active")
    private var parts: [RecordingJob.TurnKey: Int] = [:]
    private var failures: [RecordingJob.TurnKey: Int] = [:]
    private var retrying: Set<RecordingJob.TurnKey> = []
    /// nil until free space was first looked at: nothing starts before.
    private var room: Bool?
    private var freeBytes: UInt64?
    private var shuttingDown = false
    /// False until the state was read once: a gateway started mid-turn records that turn at once,
    /// not only from the queue's next event.
    private var stateRead = false
    private var lastError: (message: String, at: Date)?

    init(
        library: RecordingLibrary, capture: any RecordingCapture, queue: (any QueueStateReading)?, programme: (any ProgrammeSource)? = nil,
        settings: Settings, clock: any Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.programme = programme
        self.library = library
        self.capture = capture
        self.queue = queue
        self.settings = settings
        self.clock = clock
        self.logger = logger
        recordingsActive.record(0)
    }

    /// The queue moved: learn the turns' numbers from the events, then read the whole state again.
    /// Throws when the state cannot be read, so the follower offers the page again.
    func queueMoved(_ events: [QueueEvent]) async throws {
        guard let queue else { return }
        numbers.learn(events)
        let state = try await queue.state(timeout: nil)
        stateRead = true
        turnJobs = RecordingPlan.jobs(state: state, numbers: numbers)
        standbyJob = RecordingPlan.standby(state: state)
        want()
    }

    /// A DJ went on air at their publish: pre-rolled from now, their capture becomes the turn's
    /// when the queue's event arrives. Nothing changes when that event came first.
    func leadPublished(_ job: StandbyJob) {
        guard queue != nil, !active.keys.contains(where: { $0.userId == job.userId }) else { return }
        standbyJob = job
        reconcile()
        if standby?.job == job { standby?.atPublish = true }
    }

    /// The programme was published (a feed) or ended (nil).
    func programmeChanged(_ feed: ProgrammeFeed?) {
        guard (feed == nil) != (programmeJob == nil) else { return }
        programmeJob = RecordingPlan.programme(feed, since: Date())
        want()
    }

    func currentStatus() -> RecordingStatus {
        let now = active.values.min { $0.startedAt < $1.startedAt }
        let state: RecordingStatus.State = room == false ? .stoppedForSpace : (now == nil ? .idle : .recording)
        return RecordingStatus(
            state: state, djName: now?.job.djName, recordingSince: now?.startedAt, freeMegabytes: freeBytes.map { $0 / 1_048_576 },
            minimumFreeMegabytes: settings.minimumFreeBytes / 1_048_576, lastError: lastError?.message, lastErrorAt: lastError?.at
        )
    }

    func run() async throws {
        do {
            try await onDisk { [library] in try library.prepare() }
        } catch {
            note("cannot prepare the recordings directory: \(error)")
        }
        await finishLeftovers()
        let following = programme.map { source in
            Task { for await feed in source.programmeChanges() { await self.programmeChanged(feed) } }
        }
        await cancelWhenGracefulShutdown {
            await self.watch()
        }
        following?.cancel()
        await stopAll()
    }

    // MARK: - Reconciling wanted turns with running captures

    private func want() {
        let jobs = turnJobs + [programmeJob].compactMap { $0 }
        wanted = jobs
        let keys = Set(jobs.map(\.key))
        parts = parts.filter { keys.contains($0.key) }
        failures = failures.filter { keys.contains($0.key) }
        reconcile()
    }

    private func reconcile() {
        for job in wanted where active[job.key] == nil {
            if let waiting = standby, !waiting.stopping, waiting.job.matches(job), room == true, !shuttingDown { adopt(waiting, as: job) }
        }
        reconcileStandby()
        let keys = Set(wanted.map(\.key))
        for (key, running) in active where !running.stopping && (!keys.contains(key) || room != true || shuttingDown) {
            active[key]?.stopping = true
            Task { [grace = settings.stopGrace] in await running.run.stop(within: grace) }
        }
        guard room == true, !shuttingDown else { return }
        for job in wanted where active[job.key] == nil && !retrying.contains(job.key) {
            start(job)
        }
    }

    private func start(_ job: RecordingJob) {
        // Looked at again just before: the last periodic look may be two seconds old.
        freeBytes = library.freeBytes()
        guard RecordingPlan.hasRoom(free: freeBytes, minimum: settings.minimumFreeBytes) else {
            noteRoom(false)
            return
        }
        let part = parts[job.key, default: 0] + 1
        let id = Self.randomID()
        let recording = stored(job, id: id, part: part, preRoll: nil)
        let url = job.pullURL(template: settings.pullTemplate)
        let run: any RecordingCaptureRun
        do {
            let path = try library.begin(recording)
            run = try capture.start(pulling: url, into: path, redacting: [url, job.stream])
        } catch {
            note("cannot start recording \(job.djName)'s turn: \(error)")
            retry(job.key)
            return
        }
        parts[job.key] = part
        active[job.key] = Active(job: job, id: id, run: run, startedAt: recording.startedAt)
        active[job.key]?.watcher = watch(run, id: id)
        logger.info("recording started", metadata: ["dj_name": "\(job.djName)", "turn": "\(job.turn.map(String.init) ?? "programme")", "part": "\(part)", "recording_id": "\(id)"])
    }

    private func stored(_ job: RecordingJob, id: String, part: Int, preRoll: Double?) -> StoredRecording {
        let slug = RecordingName.slug(job.djName, avoiding: [job.stream])
        return StoredRecording(
            id: id, userId: job.key.userId, djName: job.djName, turn: job.turn, part: part, startedAt: Date(), endedAt: nil, durationSeconds: nil,
            fileName: RecordingName.fileName(turnStartedAt: job.key.turnStartedAt, slug: slug, turn: job.turn, part: part, timeZone: settings.timeZone),
            preRollSeconds: preRoll
        )
    }

    private func watch(_ run: any RecordingCaptureRun, id: String) -> Task<Void, Never> {
        Task { [weak self] in
            let end = await run.finished()
            await self?.captureEnded(id: id, end: end)
        }
    }

    private func captureEnded(id: String, end: RecordingCaptureEnd) async {
        if standby?.id == id {
            standbyEnded(end)
        } else if let key = active.first(where: { $0.value.id == id })?.key {
            await ended(key, id: id, end: end)
        } else {
            await ended(nil, id: id, end: end)
        }
    }

    // MARK: - Pre-roll of the DJ up next

    private func reconcileStandby() {
        let wantedStandby = (room == true && !shuttingDown) ? standbyJob : nil
        if let running = standby, !running.stopping,
            running.job != wantedStandby || ContinuousClock.now - running.startedAt > settings.standbyLimit
        {
            standby?.stopping = true
            Task { [grace = settings.stopGrace] in await running.run.stop(within: grace) }
        }
        guard standby == nil, let job = wantedStandby, standbyRetryAt.map({ ContinuousClock.now >= $0 }) ?? true else { return }
        let id = Self.randomID()
        let url = job.pullURL(template: settings.pullTemplate)
        do {
            // Not registered: a crash now leaves media that the next start deletes, never a recording.
            let run = try capture.start(pulling: url, into: library.partialMediaPath(id), redacting: [url, job.stream])
            standby = Standby(job: job, id: id, run: run, startedAt: .now)
            standby?.watcher = watch(run, id: id)
            logger.debug("pre-rolling the next DJ's recording", metadata: ["dj_name": "\(job.djName)", "recording_id": "\(id)"])
        } catch {
            standbyRetryAt = .now + settings.standbyRetry
            logger.warning("cannot pre-roll the next DJ's recording", metadata: ["dj_name": "\(job.djName)", "error": "\(error)"])
        }
    }

    /// The next DJ's turn began: their pre-roll becomes the turn's recording, from here on.
    private func adopt(_ waiting: Standby, as job: RecordingJob) {
        standby = nil
        let preRoll = waiting.atPublish ? nil : waiting.run.position()
        let part = parts[job.key, default: 0] + 1
        let recording = stored(job, id: waiting.id, part: part, preRoll: preRoll)
        do {
            _ = try library.begin(recording)
        } catch {
            note("cannot register the recording of \(job.djName)'s turn: \(error)")
            standby = waiting
            standby?.stopping = true
            Task { [grace = settings.stopGrace] in await waiting.run.stop(within: grace) }
            return
        }
        parts[job.key] = part
        active[job.key] = Active(
            job: job, id: waiting.id, run: waiting.run, startedAt: recording.startedAt, watcher: waiting.watcher, preRoll: preRoll
        )
        logger.info("recording started", metadata: [
            "dj_name": "\(job.djName)", "turn": "\(job.turn.map(String.init) ?? "-")", "part": "\(part)", "recording_id": "\(waiting.id)",
            "pre_roll_seconds": "\(preRoll.map { String(format: "%.2f", $0) } ?? "none")",
        ])
    }

    private func standbyEnded(_ end: RecordingCaptureEnd) {
        guard let ended = standby else { return }
        standby = nil
        library.discard(id: ended.id)
        if !end.stopped {
            standbyRetryAt = .now + settings.standbyRetry
            logger.info("the next DJ's pre-roll stopped; retrying", metadata: ["dj_name": "\(ended.job.djName)", "complaint": "\(end.complaint ?? "-")"])
        }
        reconcile()
    }

    private func ended(_ key: RecordingJob.TurnKey?, id: String, end: RecordingCaptureEnd) async {
        var ran = 0.0
        if let key, let running = active[key], running.id == id {
            ran = Date().timeIntervalSince(running.startedAt)
            active[key] = nil
        }
        let endedAt = Date()
        await cutPreRoll(id)
        let duration = await capture.duration(of: library.partialMediaPath(id))
        do {
            if let view = try await onDisk({ [library] in try library.finish(id: id, endedAt: endedAt, durationSeconds: duration) }) {
                logger.info("recording finished", metadata: [
                    "file": "\(view.fileName)", "recording_id": "\(id)", "seconds": "\(view.durationSeconds ?? 0)", "bytes": "\(view.bytes)",
                    "exit_status": "\(end.status)",
                ])
            } else {
                logger.info("nothing playable was recorded: dropped", metadata: ["recording_id": "\(id)", "exit_status": "\(end.status)"])
            }
        } catch {
            note("cannot finish recording \(id): \(error)")
        }
        if let key, !end.stopped {
            if let complaint = end.complaint { note("the recorder stopped: \(complaint)") }
            // A capture that ran a while had a working stream: start counting failures again.
            if ran > 60 { failures[key] = nil }
            retry(key)
        }
        reconcile()
    }

    /// The seconds a pre-rolled file holds from before its turn go, as its metadata says.
    private func cutPreRoll(_ id: String) async {
        guard let preRoll = library.pending(id)?.preRollSeconds, preRoll > 0.2 else { return }
        if !(await capture.cutHead(of: library.partialMediaPath(id), at: preRoll)) {
            note("cannot cut the \(String(format: "%.1f", preRoll)) s before the turn from recording \(id); it is kept whole")
        }
    }

    private func retry(_ key: RecordingJob.TurnKey) {
        guard wanted.contains(where: { $0.key == key }), !retrying.contains(key) else { return }
        let attempt = failures[key, default: 0]
        failures[key] = attempt + 1
        retrying.insert(key)
        let delay = settings.backoff.delay(attempt: attempt)
        Task { [clock] in
            try? await clock.sleep(for: delay)
            self.retryDue(key)
        }
    }

    private func retryDue(_ key: RecordingJob.TurnKey) {
        retrying.remove(key)
        reconcile()
    }

    // MARK: - Free space, retention, leftovers

    private func watch() async {
        var sinceSweep = Duration.zero
        await sweep()
        while !Task.isCancelled {
            await checkSpace()
            if !stateRead { await readFirstState() }
            reconcileStandby()
            do {
                try await clock.sleep(for: settings.spaceCheckInterval)
            } catch {
                return
            }
            sinceSweep += settings.spaceCheckInterval
            if sinceSweep >= settings.sweepInterval {
                sinceSweep = .zero
                await sweep()
            }
        }
    }

    private func readFirstState() async {
        guard let queue else {
            stateRead = true
            return
        }
        do {
            let state = try await queue.state(timeout: nil)
            guard !stateRead else { return }
            stateRead = true
            turnJobs = RecordingPlan.jobs(state: state, numbers: numbers)
            standbyJob = RecordingPlan.standby(state: state)
            want()
        } catch {
            logger.debug("queue state not readable yet", metadata: ["error": "\(error)"])
        }
    }

    private func checkSpace() async {
        let free = try? await onDisk { [library] in library.freeBytes() }
        freeBytes = free ?? nil
        noteRoom(RecordingPlan.hasRoom(free: freeBytes, minimum: settings.minimumFreeBytes))
    }

    private func noteRoom(_ roomy: Bool) {
        guard roomy != room else { return }
        let first = room == nil
        room = roomy
        let metadata: Logger.Metadata = [
            "free_mb": "\(freeBytes.map { "\($0 / 1_048_576)" } ?? "unknown")", "minimum_mb": "\(settings.minimumFreeBytes / 1_048_576)",
        ]
        if roomy {
            if !first { logger.notice("room to record again", metadata: metadata) }
        } else {
            logger.warning("recording stopped: free space under RECORD_DIR is below RECORDING_MIN_FREE_MB (the broadcast goes on)", metadata: metadata)
        }
        reconcile()
    }

    private func sweep() async {
        let recordings = (try? await onDisk { [library] in library.list() }) ?? []
        let expired = RecordingPlan.expired(recordings, now: Date(), days: settings.retentionDays)
        for recording in expired {
            do {
                _ = try await onDisk { [library] in try library.delete(recording.id) }
                logger.info("old recording deleted", metadata: ["file": "\(recording.fileName)", "recording_id": "\(recording.id)"])
            } catch {
                note("cannot delete the old recording \(recording.fileName): \(error)")
            }
        }
    }

    /// A crash or kill left recordings in `.partial`: Matroska written so far is playable, so
    /// they are finished like any other, ending when the file was last written.
    private func finishLeftovers() async {
        for id in (try? await onDisk { [library] in library.leftovers() }) ?? [] {
            let path = library.partialMediaPath(id)
            let modified = ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? Date()
            await cutPreRoll(id)
            let duration = await capture.duration(of: path)
            do {
                if let view = try await onDisk({ [library] in try library.finish(id: id, endedAt: modified, durationSeconds: duration) }) {
                    logger.notice("recording left by an earlier run finished", metadata: ["file": "\(view.fileName)", "recording_id": "\(id)"])
                }
            } catch {
                note("cannot finish the recording \(id) left by an earlier run: \(error)")
            }
        }
    }

    private func stopAll() async {
        shuttingDown = true
        let running = active.values.map { ($0.run, $0.watcher) } + [standby].compactMap { $0 }.map { ($0.run, $0.watcher) }
        await withTaskGroup(of: Void.self) { group in
            for (run, _) in running {
                group.addTask { [grace = settings.stopGrace] in await run.stop(within: grace) }
            }
        }
        for (_, watcher) in running { await watcher?.value }
    }

    private func note(_ message: String) {
        lastError = (message, Date())
        logger.error("\(message)")
    }

    private static func randomID() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// Off the concurrency pool: an fsync can take milliseconds on a busy disk.
    private func onDisk<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await BlockingWork.run("recordings-disk", work)
    }
}
