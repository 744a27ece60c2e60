import Foundation
import Configuration
import Shared

/// QueueService's settings, read once at start.
struct QueueConfig: Sendable {
    var settings: ServiceSettings
    var internalToken: Secret
    /// Verifies admin sessions and seals stream names in the journal.
    var jwtSecret: Secret
    /// Seconds in a turn for a new journal (`SWAP_INTERVAL`); later changes by an admin are kept in the journal.
    var swapInterval: Double
    /// Where SRS forwards the lead (`FORWARD_TARGETS`, comma-separated RTMP URLs).
    var forwardTargets: [String]

    init(reader: ConfigReader) throws {
        settings = ServiceSettings(service: .queueService, reader: reader)
        internalToken = try reader.internalToken()
        jwtSecret = try reader.jwtSecret()
        swapInterval = try reader.seconds("swap.interval", variable: "SWAP_INTERVAL", default: 3600)
        guard swapInterval > 0 else { throw ConfigurationError("SWAP_INTERVAL must be more than 0 seconds.") }
        forwardTargets = (reader.string(forKey: "forward.targets") ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for target in forwardTargets where !(target.hasPrefix("rtmp://") || target.hasPrefix("rtmps://") || target.hasPrefix("srt://")) {
            throw ConfigurationError("FORWARD_TARGETS entries must be rtmp://, rtmps:// or srt:// URLs (got \"\(target)\").")
        }
    }
}
