import Foundation
import Shared
import Synchronization

/// The outcome of the stream-health monitor's last reading of the ingest, for the status page.
final class IngestReadings: Sendable {
    let server: String
    private let last = Mutex<IngestStatus?>(nil)

    init(server: String) {
        self.server = server
    }

    func read(publishers: Int, at moment: Date) {
        last.withLock { $0 = IngestStatus(server: server, reachable: true, publishers: publishers, readAt: moment) }
    }

    func failed(_ reason: String, at moment: Date) {
        last.withLock { $0 = IngestStatus(server: server, reachable: false, lastError: String(reason.prefix(300)), readAt: moment) }
    }

    var status: IngestStatus {
        last.withLock { $0 } ?? IngestStatus(server: server, reachable: false, lastError: "not read yet")
    }
}
