import Foundation
import Shared

/// The rules of the queue, as a pure value: no I/O, no clock of its own — every command is
/// told what time it is. Each command returns the events it caused; no events means no change.
struct QueueMachine: Sendable {
    private(set) var state: QueueState

    init(state: QueueState) {
        self.state = state
    }

    /// An SRS session of a verified DJ starts publishing.
    mutating func publish(_ request: PublishRequest, now: Date) -> (reply: PublishReply, events: [QueueEvent]) {
        var log = EventRecorder(after: state.lastSeq, now: now)
        defer { state.lastSeq = log.lastSeq }

        let session = PublisherSession(
            clientId: request.clientId, userId: request.userId, djName: request.djName,
            app: request.app, stream: request.stream, openedAt: now
        )
        if let index = state.sessions.firstIndex(where: { $0.clientId == request.clientId }) {
            let previous = state.sessions[index]
            if previous.userId == request.userId {
                // SRS republishes on one connection under the same client id.
                state.sessions[index].app = request.app
                state.sessions[index].stream = request.stream
            } else {
                // A different key on the same connection: the old publish is over.
                closeSession(previous, log: &log, now: now)
                openSession(session, log: &log)
            }
        } else {
            openSession(session, log: &log)
        }

        if let position = state.position(of: request.userId) {
            return (PublishReply(decision: position == 0 ? .lead : .queued, position: position), log.events)
        }
        if state.lead == nil && state.waiting.isEmpty {
            startTurn(userId: request.userId, djName: request.djName, joinedAt: now, log: &log, now: now)
            return (PublishReply(decision: .lead, position: 0), log.events)
        }
        state.waiting.append(WaitingDJ(userId: request.userId, djName: request.djName, joinedAt: now))
        let position = state.waiting.count
        log.record(.djJoined, QueueEventPayload(userId: request.userId, djName: request.djName, position: position))
        return (PublishReply(decision: .queued, position: position), log.events)
    }

    /// An SRS session stopped publishing or closed. Unknown or already closed ids change nothing.
    mutating func closeSession(clientId: String, now: Date) -> [QueueEvent] {
        guard let session = state.session(clientId: clientId) else { return [] }
        var log = EventRecorder(after: state.lastSeq, now: now)
        closeSession(session, log: &log, now: now)
        state.lastSeq = log.lastSeq
        return log.events
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
            state.lead = nil
            log.record(.turnEnded, QueueEventPayload(userId: lead.userId, djName: lead.djName, reason: .left, startedAt: lead.turnStartedAt))
            promoteNext(log: &log, now: now)
        } else if let index = state.waiting.firstIndex(where: { $0.userId == session.userId }) {
            let dj = state.waiting.remove(at: index)
            log.record(.djLeft, QueueEventPayload(userId: dj.userId, djName: dj.djName, position: index + 1, reason: .left))
        }
    }

    private mutating func promoteNext(log: inout EventRecorder, now: Date) {
        guard !state.waiting.isEmpty else { return }
        let next = state.waiting.removeFirst()
        startTurn(userId: next.userId, djName: next.djName, joinedAt: next.joinedAt, log: &log, now: now)
    }

    private mutating func startTurn(userId: UUID, djName: String, joinedAt: Date, log: inout EventRecorder, now: Date) {
        state.lead = Lead(userId: userId, djName: djName, joinedAt: joinedAt, turnStartedAt: now)
        log.record(.turnStarted, QueueEventPayload(userId: userId, djName: djName, position: 0, startedAt: now, endsAt: turnEnd(startedAt: now)))
    }

    func turnEnd(startedAt: Date) -> Date {
        startedAt.addingTimeInterval(state.swapInterval)
    }
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
