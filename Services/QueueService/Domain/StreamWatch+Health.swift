import Foundation
import Shared

extension StreamWatch {
    /// How each DJ in `state`'s lineup streams at `now`, by the same rules the machine judges the
    /// lead with: no data for `stallAfter` is a stall, and a bitrate under `lowBitrateKbps` counts
    /// only after the warm-up. Unlike the machine this judges every session, waiting ones too, so
    /// a DJ can fix their encoder before their turn. `only` keeps one DJ.
    func lineupHealth(of state: QueueState, rules: QueueRules, now: Date, only userId: UUID? = nil) -> LineupHealth {
        let lineup = (state.lead.map { [($0.userId, $0.djName)] } ?? []) + state.waiting.map { ($0.userId, $0.djName) }
        let djs = lineup.enumerated().filter { userId == nil || $0.element.0 == userId }.map { position, dj in
            let sessions = state.sessions(of: dj.0)
            let readings = sessions.compactMap { session in
                progress[session.clientId].map { $0.reading(openedAt: session.openedAt, rules: rules, now: now) }
            }
            return LineupHealth.DJ(userId: dj.0, djName: dj.1, position: position, sessions: sessions.count, reading: readings.max(by: Self.worse))
        }
        return LineupHealth(serverTime: now, djs: djs)
    }

    /// A stalled stream is worse than a live one; among equals, the lower bitrate is.
    private static func worse(_ a: LineupHealth.Reading, _ b: LineupHealth.Reading) -> Bool {
        if a.stalled != b.stalled { return a.stalled }
        return (a.kbps ?? 0) < (b.kbps ?? 0)
    }
}

extension StreamProgress {
    func reading(openedAt: Date, rules: QueueRules, now: Date) -> LineupHealth.Reading {
        // No data yet in this run means the lead was already stalled when QueueService restarted.
        let stalled = lastProgressAt.map { now >= $0.addingTimeInterval(rules.stallAfter) } ?? true
        let warm = now >= openedAt.addingTimeInterval(rules.bitrateWarmUp)
        let low = !stalled && warm && rules.lowBitrateKbps.map { threshold in kbps.map { $0 < threshold } ?? false } ?? false
        return LineupHealth.Reading(
            kbps: kbps, lastDataAt: lastProgressAt, secondsSinceData: lastProgressAt.map { max(0, now.timeIntervalSince($0)) },
            stalled: stalled, lowBitrate: low
        )
    }
}
