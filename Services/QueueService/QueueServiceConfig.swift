import Foundation
import Configuration
import Shared

/// QueueService's settings, read once at start.
struct QueueServiceConfig: Sendable {
    var settings: ServiceSettings
    var internalToken: Secret
    /// Verifies admin sessions and seals stream names in the journal.
    var jwtSecret: Secret
    /// Seconds in a turn for a new journal (`SWAP_INTERVAL`); later changes by an admin are kept in the journal.
    var swapInterval: Double
    /// Where SRS forwards the lead (`FORWARD_TARGETS`, comma-separated RTMP URLs).
    var forwardTargets: [String]
    /// Reconnect graces, the alone rule, the block cooldown and the stream-health thresholds.
    var rules: QueueRules
    /// The second secret (`STREAM_READER_TOKEN`, given to OBSBridge only) that `/internal/v1/state`
    /// wants beside the internal token before it shows stream names; unset, it shows them to nobody.
    var streamReaderToken: Secret?
    /// Open event streams this instance serves at most (`SSE_MAX_STREAMS`); past it, 503.
    var maxEventStreams: Int

    init(reader: ConfigReader) throws {
        settings = try ServiceSettings(service: .queueService, reader: reader)
        internalToken = try reader.internalToken()
        jwtSecret = try reader.jwtSecret()
        swapInterval = try reader.seconds("swap.interval", variable: "SWAP_INTERVAL", default: 3600)
        guard swapInterval > 0 else { throw ConfigurationError("SWAP_INTERVAL must be more than 0 seconds.") }
        forwardTargets = (reader.string(forKey: "forward.targets") ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        rules = QueueRules(
            leadGrace: try reader.seconds("lead.grace.seconds", variable: "LEAD_GRACE_SECONDS", default: 15),
            waitingGrace: try reader.seconds("waiting.grace.seconds", variable: "WAITING_GRACE_SECONDS", default: 15),
            kickWhenAlone: try Self.flag(reader.string(forKey: "kick.when.alone"), variable: "KICK_WHEN_ALONE"),
            blockCooldown: try reader.string(forKey: "block.cooldown.seconds").map { _ in
                try reader.seconds("block.cooldown.seconds", variable: "BLOCK_COOLDOWN_SECONDS", default: 0)
            },
            stallAfter: try reader.seconds("stall.seconds", variable: "STALL_SECONDS", default: 5)
        )
        guard rules.stallAfter > 0 else { throw ConfigurationError("STALL_SECONDS must be more than 0 seconds.") }
        let skip = try reader.seconds("stall.skip.seconds", variable: "STALL_SKIP_SECONDS", default: 30)
        guard skip == 0 || skip > rules.stallAfter else {
            throw ConfigurationError("STALL_SKIP_SECONDS must be 0 (never skip) or more than STALL_SECONDS (\(rules.stallAfter)).")
        }
        rules.stallSkipAfter = skip == 0 ? nil : skip
        rules.lowBitrateKbps = try reader.string(forKey: "low.bitrate.kbps").flatMap { text in
            guard let kbps = Double(text), kbps >= 0, kbps.isFinite else {
                throw ConfigurationError("LOW_BITRATE_KBPS must be a number of kbps ≥ 0, 0 or unset for off (got \"\(text)\").")
            }
            return kbps == 0 ? nil : kbps
        }
        let readerTokenSet = reader.string(forKey: "stream.reader.token", isSecret: true).map { !$0.isEmpty } ?? false
        streamReaderToken = readerTokenSet ? try reader.requiredSecret("stream.reader.token", variable: "STREAM_READER_TOKEN") : nil
        guard streamReaderToken != internalToken else {
            throw ConfigurationError("STREAM_READER_TOKEN must differ from INTERNAL_TOKEN: it guards the stream names from the services that hold only the internal one.")
        }
        maxEventStreams = try reader.string(forKey: "sse.max.streams").map { text in
            guard let count = Int(text), (1...100_000).contains(count) else {
                throw ConfigurationError("SSE_MAX_STREAMS must be a whole number from 1 to 100000 (got \"\(text)\").")
            }
            return count
        } ?? 200
        for target in forwardTargets where !(target.hasPrefix("rtmp://") || target.hasPrefix("rtmps://") || target.hasPrefix("srt://")) {
            throw ConfigurationError("FORWARD_TARGETS entries must be rtmp://, rtmps:// or srt:// URLs (got \"\(target)\").")
        }
    }

    private static func flag(_ text: String?, variable: String) throws -> Bool {
        do {
            return try Validation.flag(text, field: variable)
        } catch {
            throw ConfigurationError("\(variable) must be true or false (got \"\(text ?? "")\").")
        }
    }
}
