import Configuration
import Foundation
import Shared

/// How the relays to the platforms run.
struct RelayConfig: Sendable {
    /// Sent as `X-Stream-Reader-Token` when reading QueueService's state (`STREAM_READER_TOKEN`):
    /// only with it does the state name the lead's stream. Required with `OUTPUT_SOURCE=lead`.
    var streamReaderToken: Secret?
    var policy: RelayPolicy

    init(reader: ConfigReader, outputSource: OutputSource) throws {
        streamReaderToken = outputSource == .lead ? try reader.requiredSecret("stream.reader.token", variable: "STREAM_READER_TOKEN") : nil
        policy = RelayPolicy()
        // The longest a platform that came back waits for its relay (`OUTPUT_RETRY_MAX_SECONDS`, default 30).
        let cap = try reader.seconds("output.retry.max.seconds", variable: "OUTPUT_RETRY_MAX_SECONDS", default: 30)
        guard cap >= 1, cap <= 600 else { throw ConfigurationError("OUTPUT_RETRY_MAX_SECONDS must be between 1 and 600.") }
        policy.backoff = Backoff(base: .seconds(1), cap: Duration(seconds: cap))
        // A relay that sends nothing for this long is restarted (`OUTPUT_STALL_SECONDS`, default 20).
        let stall = try reader.seconds("output.stall.seconds", variable: "OUTPUT_STALL_SECONDS", default: 20)
        guard stall >= 5, stall <= 600 else { throw ConfigurationError("OUTPUT_STALL_SECONDS must be between 5 and 600.") }
        policy.stallLimit = Duration(seconds: stall)
    }
}
