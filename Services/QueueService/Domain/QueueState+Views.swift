import Foundation
import Shared

extension QueueState {
    /// The internal view for OBSBridge and other reconciling consumers. Stream names are stream
    /// keys: without `withStreams` every session's `stream` is empty (the contract's field is a
    /// required string, and an empty one names no key).
    func internalView(seq: UInt64, withStreams: Bool) -> InternalQueueState {
        let lead = lead.map { lead in
            LineupEntry(
                userId: lead.userId, djName: lead.djName, joinedAt: lead.joinedAt, turnStartedAt: lead.turnStartedAt,
                turnEndsAt: lead.deadline, graceEndsAt: lead.graceEndsAt, sessions: sessionViews(of: lead.userId, withStreams: withStreams),
                stalledSince: lead.stalledSince
            )
        }
        let waiting = waiting.map { dj in
            LineupEntry(
                userId: dj.userId, djName: dj.djName, joinedAt: dj.joinedAt, turnStartedAt: nil, turnEndsAt: nil,
                graceEndsAt: dj.graceEndsAt, sessions: sessionViews(of: dj.userId, withStreams: withStreams)
            )
        }
        return InternalQueueState(seq: seq, lead: lead, waiting: waiting, swapIntervalSeconds: swapInterval, paused: paused)
    }

    /// The public view: names and times, never keys or client ids.
    func publicView(seq: UInt64, now: Date) -> PublicQueue {
        let lead = lead.map { lead in
            PublicQueue.Lead(
                userId: lead.userId, djName: lead.djName, startedAt: lead.turnStartedAt, endsAt: lead.deadline,
                remainingSeconds: remainingTime(now: now), disconnected: lead.isDisconnected,
                stalled: lead.isStalled, lowBitrate: lead.lowBitrateSince != nil, pictureUrl: lead.pictureUrl
            )
        }
        let waiting = waiting.enumerated().map { index, dj in
            PublicQueue.Waiting(
                userId: dj.userId, djName: dj.djName, position: index + 1, joinedAt: dj.joinedAt, disconnected: dj.isDisconnected, pictureUrl: dj.pictureUrl
            )
        }
        return PublicQueue(
            seq: seq, serverTime: now, lead: lead, waiting: waiting, swapInterval: swapInterval, paused: paused,
            blocking: PublicQueue.Blocking(enabled: blockEnabled, lastDjName: blockedDJ?.djName)
        )
    }

    /// The original's `/queue-json`: lead first, then the waiting DJs.
    var djNamesInOrder: [String] {
        (lead.map { [$0.djName] } ?? []) + waiting.map(\.djName)
    }

    private func sessionViews(of userId: UUID, withStreams: Bool) -> [SessionView] {
        sessions(of: userId).map { SessionView(clientId: $0.clientId, app: $0.app, stream: withStreams ? $0.stream : "", openedAt: $0.openedAt) }
    }
}
