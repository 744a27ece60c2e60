import Configuration
import Foundation
import Shared

/// OBSBridge's settings, read once at start (names of the original where it had them).
struct OBSBridgeConfig: Sendable {
    var settings: ServiceSettings
    var internalToken: Secret
    /// Sent as `X-Stream-Reader-Token` when reading QueueService's state (`STREAM_READER_TOKEN`):
    /// only with it does the state carry the stream names OBS pulls the lead from.
    var streamReaderToken: Secret
    var obsURL: String
    var obsPassword: String?
    var policy: ReconcilePolicy
    /// Where OBS pulls a DJ from (`LEAD_PULL_URL`), with `{app}` and `{stream}`.
    var leadPullURL: String
    /// The least time between two mutating batches (`OBS_MUTATION_GAP_MS`, default 0: OBS needs none measured here).
    var mutationGap: Duration

    init(reader: ConfigReader) throws {
        settings = try ServiceSettings(service: .obsBridge, reader: reader)
        internalToken = try reader.internalToken()
        streamReaderToken = try reader.requiredSecret("stream.reader.token", variable: "STREAM_READER_TOKEN")
        let host = reader.string(forKey: "obs.host", default: "127.0.0.1")
        let port = try Validation.port(reader.string(forKey: "obs.port"), variable: "OBS_PORT", default: 4455)
        obsURL = "ws://\(host):\(port)"
        obsPassword = reader.string(forKey: "obs.password", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        leadPullURL = reader.string(forKey: "lead.pull.url", default: "rtmp://127.0.0.1:1935/{app}/{stream}")
        guard leadPullURL.contains("{stream}") else { throw ConfigurationError("LEAD_PULL_URL must contain {stream} (e.g. rtmp://127.0.0.1:1935/{app}/{stream}).") }
        let prefix = reader.string(forKey: "obs.input.prefix", default: "Motherstream Lead")
        policy = ReconcilePolicy(
            liveScene: reader.string(forKey: "obs.live.scene", default: "MOTHERSTREAM"),
            holdScene: reader.string(forKey: "obs.hold.scene", default: "BRB"),
            inputNames: [.a: "\(prefix) A", .b: "\(prefix) B"],
            reconnectDelay: try reader.seconds("obs.reconnect.delay.seconds", variable: "OBS_RECONNECT_DELAY_SECONDS", default: 1),
            pictureTimeout: try reader.seconds("obs.picture.timeout.seconds", variable: "OBS_PICTURE_TIMEOUT_SECONDS", default: 8),
            timerSource: reader.string(forKey: "obs.timer.source").flatMap { $0.isEmpty ? nil : $0 }
        )
        policy.ffmpegOptions = reader.string(forKey: "obs.ffmpeg.options", default: policy.ffmpegOptions)
        let transitionName = reader.string(forKey: "obs.transition", default: "cut")
        let transitionMilliseconds = try reader.seconds("obs.transition.ms", variable: "OBS_TRANSITION_MS", default: 300)
        guard (50...20000).contains(transitionMilliseconds) else {
            throw ConfigurationError("OBS_TRANSITION_MS must be 50…20000 (OBS's own range).")
        }
        guard let transition = SceneTransition(name: transitionName, milliseconds: Int(transitionMilliseconds)) else {
            throw ConfigurationError("OBS_TRANSITION must be cut or fade (got \(transitionName)).")
        }
        policy.transition = transition
        guard policy.reconnectDelay >= 1, policy.reconnectDelay <= 60 else {
            throw ConfigurationError("OBS_RECONNECT_DELAY_SECONDS must be 1…60 (OBS's own range).")
        }
        mutationGap = .milliseconds(Int64(try reader.seconds("obs.mutation.gap.ms", variable: "OBS_MUTATION_GAP_MS", default: 0)))
    }
}
