import Foundation

/// `GET /internal/v1/stream-keys/directory` on AccountService: every active account's publisher,
/// found by its key's digest (`StreamKeyDigest`), never by the key. HookGateway keeps a copy so a
/// publish is answered without a hop; the copy follows this long poll.
public struct StreamKeyDirectory: Codable, Sendable, Equatable {
    /// Names this exact content: equal directories have equal versions on every replica.
    public var version: String
    public var publishers: [Entry]

    public struct Entry: Codable, Sendable, Equatable {
        /// `StreamKeyDigest` of the account's key, lowercase hex.
        public var digest: String
        public var publisher: VerifiedPublisher

        public init(digest: String, publisher: VerifiedPublisher) {
            self.digest = digest
            self.publisher = publisher
        }
    }

    public init(version: String, publishers: [Entry]) {
        self.version = version
        self.publishers = publishers
    }

    /// The long poll's query: the version the caller holds, how long to wait for another, and
    /// who is asking — a write on AccountService waits (briefly) for each recent watcher to hold
    /// it, so a key it revoked is refused by the gateway by the time the write is answered.
    public static func query(after version: String?, waitSeconds: Int, watcher: String) -> String {
        var items = ["wait=\(waitSeconds)", "watcher=\(watcher)"]
        if let version { items.insert("after=\(version)", at: 0) }
        return "/internal/v1/stream-keys/directory?" + items.joined(separator: "&")
    }

    /// The longest wait a caller may ask for.
    public static let maximumWaitSeconds = 10
}
