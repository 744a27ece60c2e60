import Configuration
import Foundation
import Shared

/// AccountService's settings, read once at start.
struct AccountServiceConfig: Sendable {
    var settings: ServiceSettings
    var internalToken: Secret
    var jwtSecret: Secret
    var database: DatabaseLocation
    /// How long a session token is valid (`JWT_EXPIRY_SECONDS`, default 12 h).
    var tokenLifetime: TimeInterval
    var argon2: Argon2Cost
    /// Argon2 hashes running at once (`ARGON2_THREADS`, default 2) and waiting for one of those
    /// threads (`ARGON2_WAITING`, default 16); past both a signup or login gets 503 at once.
    var argon2Threads: Int
    var argon2Waiting: Int
    /// The addresses browsers are given (`PUBLIC_URL`, `QUEUE_PUBLIC_URL`, `RTMP_PUBLIC_URL`).
    var links: WebLinks
    /// `SENDMAIL_COMMAND` (e.g. `msmtp -t`), or nil: mail goes to `DATA_DIR/outbox`.
    var sendmailCommand: String?
    /// How long the sendmail command may take before it is killed (`SENDMAIL_TIMEOUT_SECONDS`, default 30).
    var sendmailTimeout: Duration
    var mailFrom: String
    /// `COOKIE_SECURE=true` behind HTTPS.
    var secureCookies: Bool
    var obsBridgeURL: String
    var notifierURL: String
    /// The ffmpeg that makes profile pictures (`FFMPEG_PATH`, default Debian's `/usr/bin/ffmpeg`).
    var ffmpegPath: String
    /// `TRUSTED_PROXIES`: the reverse proxies whose `X-Forwarded-For` names the client for the
    /// attempt limits (default none: the TCP peer is the client).
    var trustedProxies: TrustedProxies

    init(reader: ConfigReader) throws {
        settings = try ServiceSettings(service: .accountService, reader: reader)
        internalToken = try reader.internalToken()
        jwtSecret = try reader.jwtSecret()
        database = try DatabaseLocation(reader: reader, dataDirectory: settings.dataDirectory)
        tokenLifetime = try reader.seconds("jwt.expiry.seconds", variable: "JWT_EXPIRY_SECONDS", default: 12 * 3600)
        guard tokenLifetime >= 60 else { throw ConfigurationError("JWT_EXPIRY_SECONDS must be at least 60.") }
        argon2 = Argon2Cost(
            iterations: UInt32(try Self.cost(reader, "argon2.iterations", "ARGON2_ITERATIONS", default: 3, range: 1...100)),
            memoryKiB: UInt32(try Self.cost(reader, "argon2.memory.kib", "ARGON2_MEMORY_KIB", default: 65536, range: 8...4_194_304)),
            parallelism: UInt32(try Self.cost(reader, "argon2.parallelism", "ARGON2_PARALLELISM", default: 4, range: 1...64))
        )
        argon2Threads = try Self.cost(reader, "argon2.threads", "ARGON2_THREADS", default: 2, range: 1...64)
        argon2Waiting = try Self.cost(reader, "argon2.waiting", "ARGON2_WAITING", default: 16, range: 0...10_000)
        func url(_ key: ConfigKey, _ fallback: String) -> String {
            let value = reader.string(forKey: key, default: fallback)
            return value.hasSuffix("/") ? String(value.dropLast()) : value
        }
        links = WebLinks(
            publicURL: url("public.url", "http://127.0.0.1:\(settings.port)"),
            queuePublicURL: url("queue.public.url", settings.queueServiceURL),
            liveEventsURL: reader.string(forKey: "queue.public.url") == nil ? "" : url("queue.public.url", settings.queueServiceURL),
            rtmpURL: url("rtmp.public.url", "rtmp://127.0.0.1:1935/live")
        )
        sendmailCommand = reader.string(forKey: "sendmail.command").flatMap { $0.isEmpty ? nil : $0 }
        let sendmailSeconds = try reader.seconds("sendmail.timeout.seconds", variable: "SENDMAIL_TIMEOUT_SECONDS", default: 30)
        guard sendmailSeconds > 0 else { throw ConfigurationError("SENDMAIL_TIMEOUT_SECONDS must be more than 0.") }
        sendmailTimeout = Duration(seconds: sendmailSeconds)
        mailFrom = reader.string(forKey: "mail.from", default: "Motherstream <no-reply@localhost>")
        secureCookies = reader.string(forKey: "cookie.secure") == "true"
        obsBridgeURL = url("obs.bridge.url", ServiceName.obsBridge.defaultURL)
        notifierURL = url("notifier.url", ServiceName.notifier.defaultURL)
        ffmpegPath = reader.string(forKey: "ffmpeg.path", default: "/usr/bin/ffmpeg")
        do {
            trustedProxies = try TrustedProxies(parsing: reader.string(forKey: "trusted.proxies", default: ""))
        } catch {
            throw ConfigurationError("TRUSTED_PROXIES must be comma-separated addresses or networks like 10.0.0.0/8 (\(error)).")
        }
    }

    private static func cost(_ reader: ConfigReader, _ key: ConfigKey, _ variable: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = reader.string(forKey: key) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError("\(variable) must be a whole number in \(range.lowerBound)…\(range.upperBound) (got \"\(text)\").")
        }
        return number
    }
}
