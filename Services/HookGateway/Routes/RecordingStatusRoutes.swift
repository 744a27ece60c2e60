import Hummingbird
import Shared

/// `GET /status` for operators: whether turns are being recorded, and if not, why.
struct RecordingStatusRoutes {
    let recording: RecordingSide
    /// The relays' side of the status.
    var outputs: @Sendable () async -> OutputsStatus? = { nil }
    var ingest: @Sendable () -> IngestStatus? = { nil }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("status") { _, _ in
            HookGatewayStatus(recording: await recording.status(), outputs: await outputs(), ingest: ingest())
        }
    }
}
