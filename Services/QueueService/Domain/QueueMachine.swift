import Foundation
import Shared

/// The rules of the queue, as a pure value: no I/O, no clock of its own — every command is
/// told what time it is. Each command returns the events it caused; no events means no change.
/// Timers (turn deadlines, reconnect graces, the lead's stall) fire when `tick(now:)` is called
/// at or after the moment `nextWakeUp` names.
struct QueueMachine: Sendable {
    private(set) var state: QueueState
    let rules: QueueRules
    /// The ingest's last readings, from `streamHealth(_:now:)`.
    private(set) var watch: StreamWatch
    /// Connections closed before they published: a publish arriving after its own close is late.
    private var closedConnections = ClosedConnections()

    init(state: QueueState, rules: QueueRules = QueueRules(), watch: StreamWatch = StreamWatch()) {
        self.state = state
        self.rules = rules
        self.watch = watch
    }

    // MARK: - SRS sessions

    /// An SRS session of a verified DJ starts publishing.
    mutating func publish(_ request: PublishRequest, now: Date) -> (reply: PublishReply, events: [QueueEvent]) {
        var log = EventRecorder(after: state.lastSeq, now: now)
        defer { state.lastSeq = log.lastSeq }

        if closedConnections.isClosed(request.clientId, now: now) {
            return (PublishReply(decision: .refused, position: nil, reason: "this connection was already closed; reconnect to publish"), [])
        }
        if state.position(of: request.userId) == nil, isBlocked(request.userId, now: now), state.lead == nil, !state.hasConnectedWaitingDJ {
            return (PublishReply(decision: .refused, position: nil, reason: "\(request.djName)'s turn just ended; someone else goes first"), [])
        }

        let session = PublisherSession(
            clientId: request.clientId, userId: request.userId, djName: request.djName,
            app: request.app, stream: request.stream, openedAt: now
        )
        var opened = true
        if let index = state.sessions.firstIndex(where: { $0.clientId == request.clientId }) {
            let previous = state.sessions[index]
            if previous.userId == request.userId {
                // SRS republishes on one connection under the same client id.
                state.sessions[index].app = request.app
                state.sessions[index].stream = request.stream
                opened = false
            } else {
                // A different key on the same connection: the old publish is over.
                closeSession(previous, log: &log, now: now)
                openSession(session, log: &log)
            }
        } else {
            openSession(session, log: &log)
        }
        // A DJ who changed their picture while in the queue shows the new one from their next
        // connection: that one records an event, so the change is journaled and broadcast.
        if opened { showPicture(of: request) }

        if let lead = state.lead, lead.userId == request.userId, lead.isDisconnected {
            state.lead?.graceEndsAt = nil
            log.record(.leadResumed, QueueEventPayload(userId: lead.userId, djName: lead.djName, position: 0, endsAt: lead.deadline))
        } else if let index = state.waiting.firstIndex(where: { $0.userId == request.userId }) {
            if state.waiting[index].isDisconnected {
                state.waiting[index].graceEndsAt = nil
                log.record(.djResumed, QueueEventPayload(userId: request.userId, djName: request.djName, position: index + 1))
            }
        } else if state.lead?.userId != request.userId {
            let dj = WaitingDJ(userId: request.userId, djName: request.djName, joinedAt: now, pictureUrl: request.pictureUrl)
            if state.lead == nil, !state.paused, !state.hasConnectedWaitingDJ {
                startTurn(dj, log: &log, now: now)
            } else {
                state.waiting.append(dj)
                log.record(.djJoined, QueueEventPayload(userId: request.userId, djName: request.djName, position: state.waiting.count, pictureUrl: request.pictureUrl))
            }
        }

        enforceOvertime(log: &log, now: now)
        promoteIfIdle(log: &log, now: now)
        let position = state.position(of: request.userId)
        return (PublishReply(decision: position == 0 ? .lead : .queued, position: position), log.events)
    }

    /// An SRS session stopped publishing or closed. Unknown or already closed ids change nothing,
    /// except that a session we had asked to be kicked is now known to be gone, and that a publish
    /// on that connection arriving later (one the gateway already gave up on) is refused.
    mutating func closeSession(clientId: String, now: Date) -> [QueueEvent] {
        var log = EventRecorder(after: state.lastSeq, now: now)
        defer { state.lastSeq = log.lastSeq }
        if let session = state.session(clientId: clientId) {
            closeSession(session, log: &log, now: now)
        } else {
            closedConnections.closed(clientId, now: now)
            settleKick(clientId: clientId, log: &log)
        }
        return log.events
    }

    /// SRS confirmed a kick, or no longer knew the client: the kick is no longer owed.
    mutating func kickSettled(clientId: String, now: Date) -> [QueueEvent] {
        var log = EventRecorder(after: state.lastSeq, now: now)
        defer { state.lastSeq = log.lastSeq }
        settleKick(clientId: clientId, log: &log)
        return log.events
    }

    // MARK: - Timers

    /// The next moment something is due: a grace ending, a turn's deadline, or the lead's stream
    /// stalling or its stall ending the turn. Nil when nothing is scheduled — in particular no
    /// timer runs with nobody on air, and a lead alone past their deadline (with `kickWhenAlone`
    /// off) waits for the next DJ to join instead.
    var nextWakeUp: Date? {
        var moments = state.waiting.compactMap(\.graceEndsAt)
        if let lead = state.lead {
            if let grace = lead.graceEndsAt { moments.append(grace) }
            if deadlineApplies { moments.append(lead.deadline) }
        }
        if let stall = stallWakeUp { moments.append(stall) }
        return moments.min()
    }

    /// Fires everything due at `now`, earliest first.
    mutating func tick(now: Date) -> [QueueEvent] {
        var log = EventRecorder(after: state.lastSeq, now: now)
        defer { state.lastSeq = log.lastSeq }
        while let due = nextWakeUp, due <= now {
            if let lead = state.lead, let grace = lead.graceEndsAt, grace == due {
                endTurn(reason: .dropped, actor: nil, log: &log, now: now)
            } else if let index = state.waiting.firstIndex(where: { $0.graceEndsAt == due }) {
                let dj = state.waiting.remove(at: index)
                log.record(.djLeft, QueueEventPayload(userId: dj.userId, djName: dj.djName, position: index + 1, reason: .dropped))
            } else if state.lead?.deadline == due {
                endTurn(reason: .timeLimit, actor: nil, log: &log, now: now)
            } else if stallWakeUp == due {
                judgeStall(log: &log, now: now)
            }
            promoteIfIdle(log: &log, now: now)
        }
        return log.events
    }

    /// An account was deleted or deactivated: its DJ leaves the queue wherever they are, and their sessions are kicked.
    mutating func forget(_ userId: UUID, now: Date) -> [QueueEvent] {
        record(now) { machine, log in
            if machine.state.lead?.userId == userId {
                machine.endTurn(reason: .removed, actor: nil, log: &log, now: now)
                machine.promoteIfIdle(log: &log, now: now)
            } else if let index = machine.state.waiting.firstIndex(where: { $0.userId == userId }) {
                let dj = machine.state.waiting.remove(at: index)
                log.record(.djLeft, QueueEventPayload(userId: dj.userId, djName: dj.djName, position: index + 1, reason: .removed))
            }
            let djName = machine.state.sessions(of: userId).first?.djName ?? ""
            machine.kickSessions(of: userId, djName: djName, now: now)
            if machine.state.blockedDJ?.userId == userId { machine.state.blockedDJ = nil }
        }
    }

    // MARK: - Stream health

    /// The ingest's numbers at one reading. Data arriving is a counter that grew; the lead is
    /// stalled once none arrived for `stallAfter` — whether the readings showed no growth or did
    /// not come at all (the stall is also a wake-up, so a gateway that stops reporting cannot
    /// keep a dead stream on air). Health is judged only once the lead's session has been in a
    /// report: without a monitor (or before its first reading) nobody is ever marked stalled.
    /// A stall ends the turn (`turn.ended`, reason `stalled`, with a kick) `stallSkipAfter` after
    /// the last data. Bitrate is judged from the readings only, after each session's warm-up.
    mutating func streamHealth(_ report: StreamHealthReport, now: Date) -> [QueueEvent] {
        if let last = watch.lastReadAt, report.readAt <= last { return [] }
        watch.lastReadAt = report.readAt
        var readings: [String: PublisherHealth] = [:]
        for reading in report.publishers where readings[reading.clientId] == nil {
            readings[reading.clientId] = reading
        }
        var progress: [String: StreamProgress] = [:]
        for session in state.sessions {
            let previous = watch.progress[session.clientId]
            guard let reading = readings[session.clientId] else {
                progress[session.clientId] = previous
                continue
            }
            let silentLead = state.lead.map { $0.userId == session.userId && $0.isStalled } ?? false
            progress[session.clientId] = previous?.updated(by: reading, now: now) ?? StreamProgress(first: reading, now: now, assumeSilent: silentLead)
        }
        watch.progress = progress
        return record(now) { machine, log in
            machine.judgeStall(log: &log, now: now)
            machine.promoteIfIdle(log: &log, now: now)
            machine.judgeBitrate(log: &log, now: now)
        }
    }

    /// When data last arrived from the lead, never before their turn started; nil while their
    /// health is not watched (no reading of their session yet, or they are in their reconnect grace).
    private var leadLastData: Date? {
        guard let lead = state.lead, !lead.isDisconnected else { return nil }
        let seen = state.sessions(of: lead.userId).compactMap { watch.progress[$0.clientId] }
        guard !seen.isEmpty || lead.isStalled else { return nil }
        return ([lead.turnStartedAt] + [lead.stalledSince].compactMap { $0 } + seen.compactMap(\.lastProgressAt)).max()
    }

    /// The moment the lead counts as stalled, or, while stalled, the moment their turn ends.
    private var stallWakeUp: Date? {
        guard let lead = state.lead, let last = leadLastData else { return nil }
        guard let since = lead.stalledSince else { return last.addingTimeInterval(rules.stallAfter) }
        guard last <= since else { return nil }
        return rules.stallSkipAfter.map { since.addingTimeInterval($0) }
    }

    private mutating func judgeStall(log: inout EventRecorder, now: Date) {
        guard let lead = state.lead, let last = leadLastData else { return }
        if let since = lead.stalledSince {
            if last > since {
                state.lead?.stalledSince = nil
                log.record(.leadRecovered, QueueEventPayload(userId: lead.userId, djName: lead.djName, position: 0, seconds: last.timeIntervalSince(since)))
            } else if let skip = rules.stallSkipAfter, now >= since.addingTimeInterval(skip) {
                endTurn(reason: .stalled, actor: nil, log: &log, now: now)
            }
        } else if now >= last.addingTimeInterval(rules.stallAfter) {
            state.lead?.stalledSince = last
            log.record(.leadStalled, QueueEventPayload(
                userId: lead.userId, djName: lead.djName, position: 0, startedAt: last, endsAt: rules.stallSkipAfter.map { last.addingTimeInterval($0) }
            ))
        }
    }

    /// The lead's highest bitrate among their sessions past the warm-up, against `lowBitrateKbps`.
    /// Not judged while stalled: the stall says more.
    private mutating func judgeBitrate(log: inout EventRecorder, now: Date) {
        guard let threshold = rules.lowBitrateKbps, let lead = state.lead, !lead.isDisconnected, !lead.isStalled else { return }
        let rates = state.sessions(of: lead.userId)
            .filter { now >= $0.openedAt.addingTimeInterval(rules.bitrateWarmUp) }
            .compactMap { watch.progress[$0.clientId]?.kbps }
        guard let kbps = rates.max() else { return }
        let low = kbps < threshold
        guard low != (lead.lowBitrateSince != nil) else { return }
        state.lead?.lowBitrateSince = low ? now : nil
        log.record(.leadLowBitrate, QueueEventPayload(userId: lead.userId, djName: lead.djName, position: 0, enabled: low))
    }

    // MARK: - Broadcast

    /// HookGateway says the broadcast went live or ended. Only a change is an event: a report
    /// repeated (a retry the first answer of which was lost) changes nothing, and an end without
    /// a start (HookGateway restarted) is not announced.
    mutating func broadcast(_ change: BroadcastChange, now: Date) -> [QueueEvent] {
        record(now) { machine, log in
            switch (change.live, machine.state.broadcast) {
            case (true, nil):
                machine.state.broadcast = Broadcast(source: change.source, startedAt: now)
                log.record(.broadcastStarted, QueueEventPayload(startedAt: now, source: change.source))
            case (false, let broadcast?):
                machine.state.broadcast = nil
                log.record(.broadcastEnded, QueueEventPayload(startedAt: broadcast.startedAt, seconds: now.timeIntervalSince(broadcast.startedAt), source: broadcast.source))
            case (true, _?), (false, nil):
                break
            }
        }
    }

    // MARK: - Admin

    /// Carries out an admin's command; its events name the admin.
    mutating func apply(_ command: AdminCommand, by admin: UUID, now: Date) throws(QueueCommandError) -> [QueueEvent] {
        switch command {
        case .skip: try skip(by: admin, now: now)
        case .remove(let userId): try remove(userId, by: admin, now: now)
        case .move(let userId, let position): try move(userId, to: position, by: admin, now: now)
        case .pause: pause(by: admin, now: now)
        case .resume: resume(by: admin, now: now)
        case .clear: clear(by: admin, now: now)
        case .setInterval(let seconds, let restart): try setInterval(seconds, restartClock: restart, by: admin, now: now)
        case .extendTurn(let seconds): try extendTurn(by: seconds, admin: admin, now: now)
        case .toggleBlocking: setBlocking(!state.blockEnabled, by: admin, now: now)
        }
    }

    mutating func skip(by admin: UUID, now: Date) throws(QueueCommandError) -> [QueueEvent] {
        guard state.lead != nil else { throw .nobodyOnAir }
        return record(now) { machine, log in
            machine.endTurn(reason: .skipped, actor: admin, log: &log, now: now)
            machine.promoteIfIdle(log: &log, now: now)
        }
    }

    mutating func remove(_ userId: UUID, by admin: UUID, now: Date) throws(QueueCommandError) -> [QueueEvent] {
        if state.lead?.userId == userId { throw .isOnAir }
        guard let index = state.waiting.firstIndex(where: { $0.userId == userId }) else { throw .notInQueue }
        return record(now) { machine, log in
            let dj = machine.state.waiting.remove(at: index)
            machine.kickSessions(of: dj.userId, djName: dj.djName, now: now)
            log.record(.djLeft, QueueEventPayload(userId: dj.userId, djName: dj.djName, position: index + 1, reason: .removed, actorId: admin))
        }
    }

    /// Moves a waiting DJ to `position` (1 = next up).
    mutating func move(_ userId: UUID, to position: Int, by admin: UUID, now: Date) throws(QueueCommandError) -> [QueueEvent] {
        if state.lead?.userId == userId { throw .isOnAir }
        guard let index = state.waiting.firstIndex(where: { $0.userId == userId }) else { throw .notInQueue }
        guard (1...state.waiting.count).contains(position) else { throw .noSuchPosition(state.waiting.count) }
        guard index + 1 != position else { return [] }
        return record(now) { machine, log in
            let dj = machine.state.waiting.remove(at: index)
            machine.state.waiting.insert(dj, at: position - 1)
            log.record(.djMoved, QueueEventPayload(userId: dj.userId, djName: dj.djName, position: position, actorId: admin, fromPosition: index + 1))
        }
    }

    mutating func pause(by admin: UUID, now: Date) -> [QueueEvent] {
        guard !state.paused else { return [] }
        return record(now) { machine, log in
            machine.state.paused = true
            log.record(.queuePaused, QueueEventPayload(actorId: admin))
        }
    }

    mutating func resume(by admin: UUID, now: Date) -> [QueueEvent] {
        guard state.paused else { return [] }
        return record(now) { machine, log in
            machine.state.paused = false
            log.record(.queueResumed, QueueEventPayload(actorId: admin))
            machine.promoteIfIdle(log: &log, now: now)
        }
    }

    /// Ends the turn and empties the line; everyone's SRS sessions are kicked.
    mutating func clear(by admin: UUID, now: Date) -> [QueueEvent] {
        guard state.lead != nil || !state.waiting.isEmpty else { return [] }
        return record(now) { machine, log in
            if machine.state.lead != nil {
                machine.endTurn(reason: .cleared, actor: admin, log: &log, now: now)
            }
            for (index, dj) in machine.state.waiting.enumerated() {
                machine.kickSessions(of: dj.userId, djName: dj.djName, now: now)
                log.record(.djLeft, QueueEventPayload(userId: dj.userId, djName: dj.djName, position: index + 1, reason: .cleared, actorId: admin))
            }
            machine.state.waiting.removeAll()
            log.record(.queueCleared, QueueEventPayload(actorId: admin))
        }
    }

    /// Sets the turn length for this and later turns (the original's `/update-timer`); with
    /// `restartClock` the current turn gets the full new length from now.
    mutating func setInterval(_ seconds: Double, restartClock: Bool, by admin: UUID?, now: Date) throws(QueueCommandError) -> [QueueEvent] {
        guard seconds > 0, seconds <= 7 * 24 * 3600 else { throw .invalidSeconds }
        return record(now) { machine, log in
            let previous = machine.state.swapInterval
            machine.state.swapInterval = seconds
            if let lead = machine.state.lead {
                machine.state.lead?.deadline = restartClock ? now.addingTimeInterval(seconds) : lead.deadline.addingTimeInterval(seconds - previous)
            }
            log.record(.timerChanged, QueueEventPayload(endsAt: machine.state.lead?.deadline, actorId: admin, swapInterval: seconds))
            machine.enforceOvertime(log: &log, now: now)
        }
    }

    /// Gives the current turn `seconds` more.
    mutating func extendTurn(by seconds: Double, admin: UUID, now: Date) throws(QueueCommandError) -> [QueueEvent] {
        guard let lead = state.lead else { throw .nobodyOnAir }
        guard seconds > 0, seconds <= 24 * 3600 else { throw .invalidSeconds }
        return record(now) { machine, log in
            machine.state.lead?.deadline = lead.deadline.addingTimeInterval(seconds)
            log.record(.turnExtended, QueueEventPayload(
                userId: lead.userId, djName: lead.djName, endsAt: machine.state.lead?.deadline, actorId: admin, seconds: seconds
            ))
        }
    }

    mutating func setBlocking(_ enabled: Bool, by admin: UUID, now: Date) -> [QueueEvent] {
        guard state.blockEnabled != enabled else { return [] }
        return record(now) { machine, log in
            machine.state.blockEnabled = enabled
            log.record(.blockChanged, QueueEventPayload(actorId: admin, enabled: enabled))
        }
    }

    // MARK: - Rules

    /// Whether the block rule holds this DJ back right now.
    func isBlocked(_ userId: UUID, now: Date) -> Bool {
        guard state.blockEnabled, let blocked = state.blockedDJ, blocked.userId == userId else { return false }
        guard let cooldown = rules.blockCooldown else { return true }
        return now < blocked.since.addingTimeInterval(cooldown)
    }

    /// A deadline ends the turn only when someone is waiting to take over, unless `kickWhenAlone`.
    private var deadlineApplies: Bool {
        rules.kickWhenAlone || state.hasConnectedWaitingDJ
    }

    /// A lead alone past their deadline plays on until someone is ready to take over.
    private mutating func enforceOvertime(log: inout EventRecorder, now: Date) {
        guard let lead = state.lead, lead.deadline <= now, deadlineApplies else { return }
        endTurn(reason: .timeLimit, actor: nil, log: &log, now: now)
        promoteIfIdle(log: &log, now: now)
    }

    private mutating func openSession(_ session: PublisherSession, log: inout EventRecorder) {
        state.sessions.append(session)
        log.record(.sessionOpened, QueueEventPayload(userId: session.userId, djName: session.djName, clientId: session.clientId))
    }

    private mutating func closeSession(_ session: PublisherSession, log: inout EventRecorder, now: Date) {
        state.sessions.removeAll { $0.clientId == session.clientId }
        log.record(.sessionClosed, QueueEventPayload(userId: session.userId, djName: session.djName, clientId: session.clientId))
        guard !state.hasSession(of: session.userId) else { return }

        if let lead = state.lead, lead.userId == session.userId {
            if rules.leadGrace > 0 {
                let ends = now.addingTimeInterval(rules.leadGrace)
                state.lead?.graceEndsAt = ends
                // The grace rules now; a returning encoder starts its health afresh.
                state.lead?.stalledSince = nil
                state.lead?.lowBitrateSince = nil
                log.record(.leadDisconnected, QueueEventPayload(userId: lead.userId, djName: lead.djName, position: 0, endsAt: ends))
            } else {
                endTurn(reason: .left, actor: nil, log: &log, now: now)
                promoteIfIdle(log: &log, now: now)
            }
        } else if let index = state.waiting.firstIndex(where: { $0.userId == session.userId }) {
            let dj = state.waiting[index]
            if rules.waitingGrace > 0 {
                let ends = now.addingTimeInterval(rules.waitingGrace)
                state.waiting[index].graceEndsAt = ends
                log.record(.djDisconnected, QueueEventPayload(userId: dj.userId, djName: dj.djName, position: index + 1, endsAt: ends))
            } else {
                state.waiting.remove(at: index)
                log.record(.djLeft, QueueEventPayload(userId: dj.userId, djName: dj.djName, position: index + 1, reason: .left))
            }
        }
    }

    /// Takes the lead off air. A turn ended by the clock, an admin or a stall kicks the DJ's
    /// sessions (their encoder may reconnect and queue again); the clock and an admin's skip arm
    /// the block rule.
    private mutating func endTurn(reason: DepartureReason, actor: UUID?, log: inout EventRecorder, now: Date) {
        guard let lead = state.lead else { return }
        state.lead = nil
        if [.timeLimit, .skipped, .cleared, .removed, .stalled].contains(reason) {
            kickSessions(of: lead.userId, djName: lead.djName, now: now)
        }
        if reason == .timeLimit || reason == .skipped {
            state.blockedDJ = BlockedDJ(userId: lead.userId, djName: lead.djName, since: now)
        }
        log.record(.turnEnded, QueueEventPayload(
            userId: lead.userId, djName: lead.djName, reason: reason, startedAt: lead.turnStartedAt, endsAt: lead.deadline, actorId: actor,
            pictureUrl: lead.pictureUrl
        ))
    }

    /// With nobody on air and the queue not paused, the first connected waiting DJ goes on air.
    private mutating func promoteIfIdle(log: inout EventRecorder, now: Date) {
        guard state.lead == nil, !state.paused, let index = state.waiting.firstIndex(where: { !$0.isDisconnected }) else { return }
        startTurn(state.waiting.remove(at: index), log: &log, now: now)
    }

    private mutating func startTurn(_ next: WaitingDJ, log: inout EventRecorder, now: Date) {
        let deadline = now.addingTimeInterval(state.swapInterval)
        state.lead = Lead(userId: next.userId, djName: next.djName, joinedAt: next.joinedAt, turnStartedAt: now, deadline: deadline, pictureUrl: next.pictureUrl)
        if let blocked = state.blockedDJ, blocked.userId != next.userId {
            state.blockedDJ = nil
        }
        log.record(.turnStarted, QueueEventPayload(
            userId: next.userId, djName: next.djName, position: 0, startedAt: now, endsAt: deadline, pictureUrl: next.pictureUrl
        ))
    }

    private mutating func showPicture(of request: PublishRequest) {
        if state.lead?.userId == request.userId { state.lead?.pictureUrl = request.pictureUrl }
        if let index = state.waiting.firstIndex(where: { $0.userId == request.userId }) { state.waiting[index].pictureUrl = request.pictureUrl }
    }

    /// Drops a DJ's sessions from the queue and owes SRS a kick for each.
    private mutating func kickSessions(of userId: UUID, djName: String, now: Date) {
        for session in state.sessions(of: userId) {
            state.pendingKicks.append(PendingKick(clientId: session.clientId, userId: userId, djName: djName, requestedAt: now))
        }
        state.sessions.removeAll { $0.userId == userId }
    }

    private mutating func settleKick(clientId: String, log: inout EventRecorder) {
        guard let index = state.pendingKicks.firstIndex(where: { $0.clientId == clientId }) else { return }
        let kick = state.pendingKicks.remove(at: index)
        log.record(.kickSettled, QueueEventPayload(userId: kick.userId, djName: kick.djName, clientId: clientId))
    }

    private mutating func record(_ now: Date, _ change: (inout QueueMachine, inout EventRecorder) -> Void) -> [QueueEvent] {
        var log = EventRecorder(after: state.lastSeq, now: now)
        change(&self, &log)
        state.lastSeq = log.lastSeq
        return log.events
    }
}

/// An admin command that cannot be carried out as asked.
enum QueueCommandError: Error, Equatable {
    case nobodyOnAir
    case isOnAir
    case notInQueue
    case noSuchPosition(Int)
    case invalidSeconds
}

/// Numbers and timestamps the events of one command.
struct EventRecorder {
    private(set) var events: [QueueEvent] = []
    private(set) var lastSeq: UInt64
    let now: Date

    init(after seq: UInt64, now: Date) {
        self.lastSeq = seq
        self.now = now
    }

    mutating func record(_ type: QueueEventType, _ payload: QueueEventPayload) {
        lastSeq += 1
        events.append(QueueEvent(seq: lastSeq, time: now, type: type, payload: payload))
    }
}
