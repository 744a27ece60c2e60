import Configuration
import Foundation
import Shared

/// How turns are recorded (the original's `RECORD_STREAM` and `RECORD_DIR`, and the limits beside them).
struct RecordingConfig: Sendable {
    /// Record every turn as its own file (`RECORD_STREAM`, default false).
    var recordStream: Bool
    /// Record the whole night's programme too (`RECORD_PROGRAMME`, default false).
    var recordProgramme: Bool
    /// Where the files go (`RECORD_DIR`, default `DATA_DIR/recordings`).
    var directory: String
    /// Files older than this many days are deleted (`RECORDING_RETENTION_DAYS`; 0, the default, keeps them).
    var retentionDays: Int
    /// Below this much free space under `directory` nothing is recorded (`RECORDING_MIN_FREE_MB`, default 1024).
    var minimumFreeBytes: UInt64
    /// Where the recorder pulls the lead from (`LEAD_PULL_URL`, as OBSBridge has it), with `{app}` and `{stream}`.
    var leadPullURL: String
    /// Sent as `X-Stream-Reader-Token` when reading QueueService's state (`STREAM_READER_TOKEN`):
    /// only with it does the state name the stream to pull. Required while recording.
    var streamReaderToken: Secret?

    init(reader: ConfigReader, dataDirectory: String) throws {
        recordStream = try Self.flag(reader.string(forKey: "record.stream"), variable: "RECORD_STREAM")
        recordProgramme = try Self.flag(reader.string(forKey: "record.programme"), variable: "RECORD_PROGRAMME")
        directory = reader.string(forKey: "record.dir", default: (dataDirectory as NSString).appendingPathComponent("recordings"))
        guard !directory.isEmpty else { throw ConfigurationError("RECORD_DIR must name a directory.") }
        let days = reader.string(forKey: "recording.retention.days") ?? "0"
        guard let retentionDays = Int(days), retentionDays >= 0 else {
            throw ConfigurationError("RECORDING_RETENTION_DAYS must be a whole number of days ≥ 0 (0 keeps recordings; got \"\(days)\").")
        }
        self.retentionDays = retentionDays
        let megabytes = reader.string(forKey: "recording.min.free.mb") ?? "1024"
        guard let minimumFree = UInt64(megabytes), minimumFree <= 1 << 40 else {
            throw ConfigurationError("RECORDING_MIN_FREE_MB must be a whole number of megabytes ≥ 0 (got \"\(megabytes)\").")
        }
        minimumFreeBytes = minimumFree * 1_048_576
        leadPullURL = reader.string(forKey: "lead.pull.url", default: "rtmp://127.0.0.1:1935/{app}/{stream}")
        guard leadPullURL.contains("{stream}") else { throw ConfigurationError("LEAD_PULL_URL must contain {stream} (e.g. rtmp://127.0.0.1:1935/{app}/{stream}).") }
        streamReaderToken = recordStream ? try reader.requiredSecret("stream.reader.token", variable: "STREAM_READER_TOKEN") : nil
    }

    private static func flag(_ text: String?, variable: String) throws -> Bool {
        do {
            return try Validation.flag(text, field: variable)
        } catch {
            throw ConfigurationError("\(variable) must be true or false (got \"\(text ?? "")\").")
        }
    }
}
