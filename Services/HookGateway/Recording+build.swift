import Foundation
import Logging
import ServiceLifecycle
import Shared

/// The recording side of the gateway, wired: the library under `RECORD_DIR` (always served, so
/// recordings stay downloadable with `RECORD_STREAM` off) and, when recording is on, the turn
/// recorder following QueueService.
struct RecordingSide: Sendable {
    let library: RecordingLibrary
    let recorder: TurnRecorder?
    let services: [any Service]
    private let minimumFreeBytes: UInt64

    init(_ config: HookGatewayConfig, http: HTTPClientService, logger: Logger) async throws {
        let recording = config.recording
        library = RecordingLibrary(directory: recording.directory)
        minimumFreeBytes = recording.minimumFreeBytes
        guard recording.recordStream, let readerToken = recording.streamReaderToken else {
            recorder = nil
            services = []
            return
        }
        let queue = PeerClient(baseURL: config.settings.queueServiceURL, http: http.client, token: config.internalToken, timeout: .seconds(5))
        let follower = try QueueFollower(
            source: QueueEventLog(queue: queue), cursorPath: (config.settings.dataDirectory as NSString).appendingPathComponent("recording-cursor"),
            logger: logger
        )
        let recorder = TurnRecorder(
            library: library, capture: FFmpegRecordingCapture(),
            queue: QueueStateClient(queue: queue.sending(header: "X-Stream-Reader-Token", value: readerToken)),
            settings: .init(pullTemplate: recording.leadPullURL, minimumFreeBytes: recording.minimumFreeBytes, retentionDays: recording.retentionDays),
            logger: logger
        )
        await follower.onPage { page in try await recorder.queueMoved(page.events) }
        self.recorder = recorder
        services = [follower, recorder]
    }

    func status() async -> RecordingStatus {
        await recorder?.currentStatus() ?? RecordingStatus(state: .off, minimumFreeMegabytes: minimumFreeBytes / 1_048_576)
    }
}
