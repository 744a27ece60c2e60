import Configuration
import Shared

/// HookGateway's settings, read once at start.
struct HookGatewayConfig: Sendable {
    var settings: ServiceSettings
    var internalToken: Secret
    /// The `secret` query parameter SRS must send on every hook (`HOOK_SECRET`).
    var hookSecret: Secret
    /// What a relay publish to another app must carry as `?relay_secret=` (`RELAY_SECRET`).
    var relaySecret: Secret
    /// The SRS app DJs publish to (`INGEST_APP`).
    var ingestApp: String
    var srsAPIURL: String
    var srsAPIAuthorization: Secret?
    /// How long a hook waits for AccountService or QueueService before refusing (`PEER_TIMEOUT_SECONDS`).
    var peerTimeout: Duration
    /// How often QueueService's open sessions are checked against the ingest's clients
    /// (`SESSION_RECONCILE_SECONDS`, default 10): the longest a ghost can stay after both answer.
    var sessionReconcileInterval: Duration

    init(reader: ConfigReader) throws {
        settings = ServiceSettings(service: .hookGateway, reader: reader)
        internalToken = try reader.internalToken()
        hookSecret = try reader.requiredSecret("hook.secret", variable: "HOOK_SECRET")
        relaySecret = try reader.requiredSecret("relay.secret", variable: "RELAY_SECRET")
        ingestApp = reader.string(forKey: "ingest.app", default: "live")
        guard !ingestApp.isEmpty, !ingestApp.contains("/") else { throw ConfigurationError("INGEST_APP must be an SRS app name like live.") }
        let apiURL = reader.string(forKey: "srs.api.url", default: "http://127.0.0.1:1985")
        srsAPIURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        let username = reader.string(forKey: "srs.api.username")
        if username?.contains(":") == true { throw ConfigurationError("SRS_API_USERNAME must not contain \":\" (SRS splits basic auth on it).") }
        srsAPIAuthorization = SRSAPI.authorization(username: username, password: reader.string(forKey: "srs.api.password", isSecret: true).map(Secret.init))
        let timeout = try reader.seconds("peer.timeout.seconds", variable: "PEER_TIMEOUT_SECONDS", default: 2)
        guard timeout > 0, timeout <= 20 else { throw ConfigurationError("PEER_TIMEOUT_SECONDS must be more than 0 and at most 20 (SRS itself gives up after 30).") }
        peerTimeout = .milliseconds(Int64(timeout * 1000))
        let reconcile = try reader.seconds("session.reconcile.seconds", variable: "SESSION_RECONCILE_SECONDS", default: 10)
        guard reconcile >= 1, reconcile <= 3600 else { throw ConfigurationError("SESSION_RECONCILE_SECONDS must be between 1 and 3600.") }
        sessionReconcileInterval = Duration(seconds: reconcile)
    }
}
