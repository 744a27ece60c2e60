import Configuration
import Logging

/// What every service reads from its environment: where it listens, where its data lives,
/// where its peers are and the shared secrets. Each service adds its own settings beside these.
public struct ServiceSettings: Sendable {
    public var service: ServiceName
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var logLevel: Logger.Level
    public var accountServiceURL: String
    public var queueServiceURL: String
    public var hookGatewayURL: String

    public init(service: ServiceName, reader: ConfigReader) throws {
        self.service = service
        self.host = reader.string(forKey: "http.host", default: "127.0.0.1")
        self.port = reader.int(forKey: "http.port", default: service.defaultPort)
        self.dataDirectory = reader.string(forKey: "data.dir", default: service.defaultDataDirectory)
        self.logLevel = reader.string(forKey: "log.level").flatMap(Logger.Level.init(rawValue:)) ?? .info
        // AccountService's replicas are interchangeable, so its variable may list several; the
        // queue and the gateway each have one writer, and a second URL there would be a mistake.
        self.accountServiceURL = try Self.urls(reader.string(forKey: "account.service.url", default: ServiceName.accountService.defaultURL), variable: "ACCOUNT_SERVICE_URL", several: true)
        self.queueServiceURL = try Self.urls(reader.string(forKey: "queue.service.url", default: ServiceName.queueService.defaultURL), variable: "QUEUE_SERVICE_URL", several: false)
        self.hookGatewayURL = try Self.urls(reader.string(forKey: "hook.gateway.url", default: ServiceName.hookGateway.defaultURL), variable: "HOOK_GATEWAY_URL", several: false)
    }

    /// One base URL, or several separated by commas, each without a trailing slash.
    private static func urls(_ text: String, variable: String, several: Bool) throws -> String {
        let urls = PeerInstances.split(text)
        guard !urls.isEmpty, urls.allSatisfy({ $0.hasPrefix("http://") || $0.hasPrefix("https://") }) else {
            throw ConfigurationError("\(variable) must be an http:// or https:// URL (got \"\(text)\").")
        }
        guard several || urls.count == 1 else {
            throw ConfigurationError("\(variable) takes one URL: that service runs as a single instance (got \(urls.count)).")
        }
        return urls.joined(separator: ",")
    }
}

private let secretHint = "Outside `make run` every secret must come from the environment; `make run` generates them into ./data/secrets.env."

extension ConfigReader {
    /// A secret every production start must provide; missing or too short fails the start.
    public func requiredSecret(_ key: ConfigKey, variable: String, minimumBytes: Int = 16) throws -> Secret {
        guard let value = string(forKey: key, isSecret: true), !value.isEmpty else {
            throw ConfigurationError.missing(variable, hint: secretHint)
        }
        guard value.utf8.count >= minimumBytes else {
            throw ConfigurationError("\(variable) must be at least \(minimumBytes) bytes long (it is \(value.utf8.count)).")
        }
        return Secret(value)
    }

    /// `JWT_SECRET` signs sessions and keys the stream-key digest; HS256 wants at least 32 bytes.
    public func jwtSecret() throws -> Secret {
        try requiredSecret("jwt.secret", variable: "JWT_SECRET", minimumBytes: 32)
    }

    public func internalToken() throws -> Secret {
        try requiredSecret("internal.token", variable: "INTERNAL_TOKEN")
    }

    /// A positive number of seconds, or a clear error naming the variable.
    public func seconds(_ key: ConfigKey, variable: String, default defaultValue: Double) throws -> Double {
        guard let text = string(forKey: key) else { return defaultValue }
        guard let value = Double(text), value >= 0, value.isFinite else {
            throw ConfigurationError("\(variable) must be a number of seconds ≥ 0 (got \"\(text)\").")
        }
        return value
    }
}
