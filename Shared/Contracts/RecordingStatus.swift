import Foundation

/// The turn recorder as HookGateway's `GET /status` shows it. Never a stream key or a pull URL.
public struct RecordingStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// `RECORD_STREAM` is off.
        case off
        /// On, with nobody on air to record.
        case idle
        case recording
        /// Free space under `RECORD_DIR` fell below `RECORDING_MIN_FREE_MB`: nothing is recorded
        /// until there is room again (the broadcast goes on).
        case stoppedForSpace = "stopped_for_space"
    }

    public var state: State
    /// The DJ being recorded now, and since when.
    public var djName: String?
    public var recordingSince: Date?
    public var freeMegabytes: UInt64?
    public var minimumFreeMegabytes: UInt64
    public var lastError: String?
    public var lastErrorAt: Date?

    public init(
        state: State, djName: String? = nil, recordingSince: Date? = nil, freeMegabytes: UInt64? = nil, minimumFreeMegabytes: UInt64,
        lastError: String? = nil, lastErrorAt: Date? = nil
    ) {
        self.state = state
        self.djName = djName
        self.recordingSince = recordingSince
        self.freeMegabytes = freeMegabytes
        self.minimumFreeMegabytes = minimumFreeMegabytes
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }
}

/// HookGateway's `GET /status`: what an operator checks on the output side.
public struct HookGatewayStatus: Codable, Sendable, Equatable {
    public var recording: RecordingStatus
    /// The relays to the platforms.
    public var outputs: OutputsStatus?
    /// The media server, as the gateway's last stream-health reading found it.
    public var ingest: IngestStatus?

    public init(recording: RecordingStatus, outputs: OutputsStatus? = nil, ingest: IngestStatus? = nil) {
        self.recording = recording
        self.outputs = outputs
        self.ingest = ingest
    }
}

/// The ingest (SRS or nginx-rtmp) from HookGateway's side: could it be read, and how many
/// streams were being published (DJs, the programme, relays) when it last was.
public struct IngestStatus: Codable, Sendable, Equatable {
    public var server: String
    public var reachable: Bool
    public var publishers: Int?
    public var lastError: String?
    public var readAt: Date?

    public init(server: String, reachable: Bool, publishers: Int? = nil, lastError: String? = nil, readAt: Date? = nil) {
        self.server = server
        self.reachable = reachable
        self.publishers = publishers
        self.lastError = lastError
        self.readAt = readAt
    }
}
