import Foundation
import Shared
import Synchronization

/// Whether OBS's programme is published to `OUTPUT_APP` now, from the ingest's hooks: live from
/// the accepted publish until that same client's unpublish or close (nginx-rtmp sends
/// `publish_done` and then `done`; SRS `on_unpublish` and then `on_close` — the first ends it,
/// the second finds nothing). In programme mode its changes are the broadcast's.
final class ProgrammeTracker: ProgrammeSource {
    private let live = Mutex<(clientId: String, feed: ProgrammeFeed)?>(nil)
    private let changes = ChangeSignal<ProgrammeFeed?>(latest: .some(nil))
    /// Told of each change when the programme is what goes out (`OUTPUT_SOURCE=programme`).
    private let broadcast: (any BroadcastReporting)?

    init(broadcast: (any BroadcastReporting)?) {
        self.broadcast = broadcast
    }

    func programme() -> ProgrammeFeed? {
        live.withLock { $0?.feed }
    }

    /// The ingest client publishing the programme, as the hooks last said.
    func liveClient() -> String? {
        live.withLock { $0?.clientId }
    }

    func programmeChanges() -> AsyncStream<ProgrammeFeed?> {
        changes.subscribe()
    }

    /// A publish to `OUTPUT_APP` with the programme key was accepted. A second publisher (OBS
    /// reconnecting before the ingest noticed the old connection is gone) takes over.
    func published(clientId: String, feed: ProgrammeFeed) async {
        live.withLock { live in
            if live?.feed != feed { changes.send(feed) }
            live = (clientId, feed)
        }
        await reportBroadcast()
    }

    /// An unpublish or close on the programme app; only the live publisher's own ends it.
    func ended(clientId: String) async {
        let ended = live.withLock { live in
            guard live?.clientId == clientId else { return false }
            live = nil
            changes.send(nil)
            return true
        }
        if ended { await reportBroadcast() }
    }

    /// Reports the state as it is by the time of the call, so two hooks racing each other
    /// cannot leave the broadcast reported in the state that lost.
    private func reportBroadcast() async {
        await broadcast?.report(live: programme() != nil)
    }
}
