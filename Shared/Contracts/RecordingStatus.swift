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

    public init(recording: RecordingStatus, outputs: OutputsStatus? = nil) {
        self.recording = recording
        self.outputs = outputs
    }
}
