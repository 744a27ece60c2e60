import Foundation
import Shared

/// What OBS should show, as a pure function of QueueService's state.
struct DesiredProgram: Sendable, Equatable {
    /// The lead's pull URL while they are on air and connected; nil shows the holding scene.
    var leadURL: String?
    var leadName: String?
    /// The first connected waiting DJ, pre-rolled hidden so their handover is a visibility swap.
    var nextURL: String?
    /// When the lead's turn ends, for the timer text.
    var turnEndsAt: Date?
    /// The lead's URL while they are in their reconnect grace: kept loaded (hidden behind the
    /// holding scene) so a quick return is back on air at once.
    var resumingURL: String?
    /// The lead is connected but nothing arrives from their encoder: the holding scene covers
    /// their frozen picture while their input stays loaded, so their return is a cut back.
    var leadStalled = false

    static let holding = DesiredProgram()

    /// `template` has `{app}` and `{stream}` (e.g. `rtmp://127.0.0.1:1935/{app}/{stream}`).
    init(state: InternalQueueState, template: String) {
        func url(_ entry: LineupEntry?, evenInGrace: Bool = false) -> String? {
            guard let entry, evenInGrace || entry.graceEndsAt == nil, let session = entry.sessions.first else { return nil }
            return template.replacingOccurrences(of: "{app}", with: session.app).replacingOccurrences(of: "{stream}", with: session.stream)
        }
        leadURL = url(state.lead)
        leadName = leadURL == nil ? nil : state.lead?.djName
        nextURL = url(state.waiting.first { $0.graceEndsAt == nil && !$0.sessions.isEmpty })
        turnEndsAt = leadURL == nil ? nil : state.lead?.turnEndsAt
        resumingURL = state.lead?.graceEndsAt == nil ? nil : url(state.lead, evenInGrace: true)
        leadStalled = leadURL != nil && state.lead?.stalledSince != nil
    }

    init(leadURL: String? = nil, nextURL: String? = nil, turnEndsAt: Date? = nil, leadStalled: Bool = false) {
        self.leadURL = leadURL
        self.nextURL = nextURL
        self.turnEndsAt = turnEndsAt
        self.leadStalled = leadStalled
    }

    /// `HH:MM:SS` left in the turn, or an empty text with nobody on air.
    func timerText(now: Date) -> String {
        guard let turnEndsAt else { return "" }
        let seconds = max(0, Int(turnEndsAt.timeIntervalSince(now).rounded(.up)))
        return String(format: "%02d:%02d:%02d", seconds / 3600, seconds % 3600 / 60, seconds % 60)
    }
}
