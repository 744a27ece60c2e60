import Foundation
import Shared

// What the output side's two halves share. Application+build.swift makes one of each:
// `OutputTargetStore` (OutputTargetsSource), `ProgrammeTracker` (ProgrammeSource, fed by the
// Gatekeeper) and `BroadcastAnnouncer` (BroadcastReporting; in programme mode the tracker calls
// it, in lead mode the relay side must). The relay side's RelayReports goes to `OutputDesk`,
// which merges it into `GET /api/v1/admin/outputs`.

/// The platforms the broadcast goes out to, as the relays need them: with the plaintext stream
/// keys, which exist only in memory (the store keeps them sealed). `targets()` holds disabled ones
/// too; a relay runs for each `enabled` one while the source is live.
protocol OutputTargetsSource: Sendable {
    func targets() async -> [OutputTarget]
    /// Yields after every add, edit or removal (read `targets()` again then). Each call is its own
    /// subscription; it ends when the subscriber stops iterating.
    func targetChanges() -> AsyncStream<Void>
}

/// The programme OBS publishes to `OUTPUT_APP` with `PROGRAMME_KEY`, while it is live.
struct ProgrammeFeed: Sendable, Equatable {
    var app: String
    /// The stream name: the programme key itself, so a pull URL built from it is a credential.
    var stream: String
}

/// Whether the programme is live now (`OUTPUT_SOURCE=programme`), from the ingest's hooks.
protocol ProgrammeSource: Sendable {
    /// nil while nothing is published to `OUTPUT_APP`.
    func programme() async -> ProgrammeFeed?
    /// Yields the feed at each publish and nil at each unpublish; starts with the current state.
    func programmeChanges() -> AsyncStream<ProgrammeFeed?>
}

/// One relay's status as the relay side reports it, merged into each target's `OutputTargetView`.
struct RelayReport: Sendable, Equatable {
    var state: OutputState
    var lastError: String?
    var retryInSeconds: Double?
    var kbps: Double?
    var uptimeSeconds: Double?

    static let off = RelayReport(state: .off)
}

/// The relay side's per-target statuses (keyed by target id). A target without a report is `off`.
protocol RelayReports: Sendable {
    func relayReports() async -> [UUID: RelayReport]
}

/// Tells QueueService (and so Notifier) that the broadcast went live or ended. In programme mode
/// the programme's publish and unpublish call it; in lead mode the relay side does, when a lead
/// goes on air and when the last one leaves. Repeated calls with the same value are no-ops.
protocol BroadcastReporting: Sendable {
    func report(live: Bool) async
    /// The last reported state: `source_live` in the overview.
    func isLive() async -> Bool
}
