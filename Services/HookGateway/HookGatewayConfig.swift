import Configuration
import Foundation
import Shared

/// HookGateway's settings, read once at start.
struct HookGatewayConfig: Sendable {
    var settings: ServiceSettings
    var internalToken: Secret
    /// The `secret` query parameter the ingest (SRS or nginx-rtmp) must send on every hook (`HOOK_SECRET`).
    var hookSecret: Secret
    /// What a relay publish to another app must carry as `?relay_secret=` (`RELAY_SECRET`).
    var relaySecret: Secret
    /// The media server in front (`INGEST_SERVER`): who sends the hooks, takes the kicks and lists the clients.
    var ingestServer: IngestServer
    /// The app DJs publish to (`INGEST_APP`).
    var ingestApp: String
    var srsAPIURL: String
    var srsAPIAuthorization: Secret?
    /// nginx-rtmp's `rtmp_control` location (`NGINX_RTMP_CONTROL_URL`), e.g. `http://127.0.0.1:8080/control`.
    var nginxRTMPControlURL: String
    /// nginx-rtmp's `rtmp_stat all` location (`NGINX_RTMP_STAT_URL`), e.g. `http://127.0.0.1:8080/stat`.
    var nginxRTMPStatURL: String
    /// How long a hook waits for AccountService or QueueService before refusing (`PEER_TIMEOUT_SECONDS`).
    var peerTimeout: Duration
    /// How often QueueService's open sessions are checked against the ingest's clients
    /// (`SESSION_RECONCILE_SECONDS`, default 10): the longest a ghost can stay after both answer.
    var sessionReconcileInterval: Duration
    /// How often the ingest's numbers are read and reported to QueueService for the lead's stream
    /// health (`STREAM_HEALTH_SECONDS`, default 1).
    var streamHealthInterval: Duration
    /// Verifies the admin sessions the outputs API takes and keys the sealing of the platforms'
    /// stream keys at rest (`JWT_SECRET`, the one every service shares).
    var jwtSecret: Secret
    /// What goes out to the platforms (`OUTPUT_SOURCE`): OBS's programme or the lead's own stream.
    var outputSource: OutputSource
    /// The app OBS publishes its programme to (`OUTPUT_APP`, default `programme`).
    var outputApp: String
    /// The programme's stream name (`PROGRAMME_KEY`); without it no programme publish is accepted.
    var programmeKey: Secret?
    /// Where the output targets are kept: `DATA_DIR/outputs.json`.
    var outputTargetsFile: String
    var recording: RecordingConfig
    var relay: RelayConfig

    init(reader: ConfigReader) throws {
        settings = try ServiceSettings(service: .hookGateway, reader: reader)
        internalToken = try reader.internalToken()
        hookSecret = try reader.requiredSecret("hook.secret", variable: "HOOK_SECRET")
        relaySecret = try reader.requiredSecret("relay.secret", variable: "RELAY_SECRET")
        let server = reader.string(forKey: "ingest.server", default: IngestServer.srs.rawValue)
        guard let ingestServer = IngestServer(rawValue: server) else {
            throw ConfigurationError("INGEST_SERVER must be srs or nginx-rtmp, not \"\(server)\".")
        }
        self.ingestServer = ingestServer
        ingestApp = reader.string(forKey: "ingest.app", default: "live")
        guard !ingestApp.isEmpty, !ingestApp.contains("/") else { throw ConfigurationError("INGEST_APP must be an RTMP app name like live.") }
        srsAPIURL = Self.withoutTrailingSlash(reader.string(forKey: "srs.api.url", default: "http://127.0.0.1:1985"))
        let username = reader.string(forKey: "srs.api.username")
        if username?.contains(":") == true { throw ConfigurationError("SRS_API_USERNAME must not contain \":\" (SRS splits basic auth on it).") }
        srsAPIAuthorization = SRSAPI.authorization(username: username, password: reader.string(forKey: "srs.api.password", isSecret: true).map(Secret.init))
        nginxRTMPControlURL = Self.withoutTrailingSlash(reader.string(forKey: "nginx.rtmp.control.url", default: "http://127.0.0.1:8080/control"))
        nginxRTMPStatURL = reader.string(forKey: "nginx.rtmp.stat.url", default: "http://127.0.0.1:8080/stat")
        let timeout = try reader.seconds("peer.timeout.seconds", variable: "PEER_TIMEOUT_SECONDS", default: 2)
        guard timeout > 0, timeout <= 20 else { throw ConfigurationError("PEER_TIMEOUT_SECONDS must be more than 0 and at most 20 (SRS itself gives up after 30).") }
        peerTimeout = .milliseconds(Int64(timeout * 1000))
        let reconcile = try reader.seconds("session.reconcile.seconds", variable: "SESSION_RECONCILE_SECONDS", default: 10)
        guard reconcile >= 1, reconcile <= 3600 else { throw ConfigurationError("SESSION_RECONCILE_SECONDS must be between 1 and 3600.") }
        sessionReconcileInterval = Duration(seconds: reconcile)
        let health = try reader.seconds("stream.health.seconds", variable: "STREAM_HEALTH_SECONDS", default: 1)
        guard health >= 0.2, health <= 60 else { throw ConfigurationError("STREAM_HEALTH_SECONDS must be between 0.2 and 60.") }
        streamHealthInterval = Duration(seconds: health)
        jwtSecret = try reader.jwtSecret()
        let source = reader.string(forKey: "output.source", default: OutputSource.programme.rawValue)
        guard let outputSource = OutputSource(rawValue: source) else {
            throw ConfigurationError("OUTPUT_SOURCE must be programme or lead, not \"\(source)\".")
        }
        self.outputSource = outputSource
        outputApp = reader.string(forKey: "output.app", default: "programme")
        guard URLSafeToken.isWellFormed(outputApp, maximumLength: 64) else {
            throw ConfigurationError("OUTPUT_APP must be an RTMP app name like programme ([A-Za-z0-9_-], at most 64).")
        }
        guard outputApp != ingestApp else { throw ConfigurationError("OUTPUT_APP must differ from INGEST_APP (\(ingestApp)): DJs publish there.") }
        if reader.string(forKey: "programme.key", isSecret: true) != nil {
            let key = try reader.requiredSecret("programme.key", variable: "PROGRAMME_KEY")
            guard URLSafeToken.isWellFormed(key.value, maximumLength: 128) else {
                throw ConfigurationError("PROGRAMME_KEY is OBS's stream name: use only A-Z, a-z, 0-9, - and _ (at most 128).")
            }
            programmeKey = key
        }
        outputTargetsFile = (settings.dataDirectory as NSString).appendingPathComponent("outputs.json")
        recording = try RecordingConfig(reader: reader, dataDirectory: settings.dataDirectory)
        relay = try RelayConfig(reader: reader, outputSource: outputSource)
    }

    private static func withoutTrailingSlash(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

enum OutputSource: String, Sendable {
    case programme
    case lead
}

enum IngestServer: String, Sendable {
    case srs
    case nginxRTMP = "nginx-rtmp"
}

/// How turns are recorded (the original's `RECORD_STREAM` and `RECORD_DIR`, and the limits beside them).
struct RecordingConfig: Sendable {
    /// Record every turn as its own file (`RECORD_STREAM`, default false).
    var recordStream: Bool
    /// Record the whole programme while it is published to `OUTPUT_APP` (`RECORD_PROGRAMME`,
    /// default false): one file per broadcast, for admins.
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
