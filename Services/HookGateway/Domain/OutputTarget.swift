import Foundation
import Shared

/// A platform the broadcast goes out to: its RTMP(S) ingest URL and stream key. The key is a
/// credential: it lives in memory only here, is sealed at rest, and reads back only as `keyHint`;
/// `description` leaves it out so no log line can carry it.
struct OutputTarget: Sendable, Equatable, CustomStringConvertible {
    let id: UUID
    var name: String
    /// Without a trailing slash, so `destination` is `<url>/<key>`.
    var url: String
    var streamKey: String
    var enabled: Bool

    static let maximumNameLength = 64
    static let maximumURLLength = 512
    static let maximumKeyLength = 512

    /// A new target from a `POST`: name, url and stream key are required, `enabled` defaults to true.
    init(id: UUID, input: OutputTargetInput) throws(OutputTargetProblem) {
        guard let name = input.name else { throw .missing("name") }
        guard let url = input.url else { throw .missing("url") }
        guard let key = input.streamKey else { throw .missing("stream_key") }
        self.id = id
        self.name = try Self.validName(name)
        self.url = try Self.validURL(url)
        self.streamKey = try Self.validKey(key)
        self.enabled = input.enabled ?? true
    }

    init(id: UUID, name: String, url: String, streamKey: String, enabled: Bool) {
        self.id = id
        self.name = name
        self.url = url
        self.streamKey = streamKey
        self.enabled = enabled
    }

    /// This target with a `PATCH`'s fields applied; a field left out stays as it is.
    func applying(_ input: OutputTargetInput) throws(OutputTargetProblem) -> OutputTarget {
        var changed = self
        if let name = input.name { changed.name = try Self.validName(name) }
        if let url = input.url { changed.url = try Self.validURL(url) }
        if let key = input.streamKey { changed.streamKey = try Self.validKey(key) }
        if let enabled = input.enabled { changed.enabled = enabled }
        return changed
    }

    /// Where the relay publishes: the platform's URL with the key as the stream name.
    var destination: String { "\(url)/\(streamKey)" }

    var keyHint: String { Self.hint(for: streamKey) }

    var description: String { "OutputTarget(\(id), \(name), \(url), key \(keyHint), \(enabled ? "enabled" : "disabled"))" }

    func view(_ report: RelayReport?) -> OutputTargetView {
        let report = enabled ? (report ?? .off) : .off
        return OutputTargetView(
            id: id, name: name, url: url, keyHint: keyHint, enabled: enabled, state: report.state, lastError: report.lastError,
            retryInSeconds: report.retryInSeconds, kbps: report.kbps, uptimeSeconds: report.uptimeSeconds
        )
    }

    /// The masked tail: enough to tell two keys apart, never enough to guess one. Short keys show
    /// less, and keys under 8 characters nothing.
    static func hint(for key: String) -> String {
        let shown = key.count >= 16 ? 4 : key.count >= 8 ? 2 : 0
        return "••••" + key.suffix(shown)
    }

    private static func validName(_ name: String) throws(OutputTargetProblem) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid("name", "Give the target a name, like \"YouTube\".") }
        guard trimmed.count <= maximumNameLength else { throw .invalid("name", "A target's name is at most \(maximumNameLength) characters.") }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw .invalid("name", "A target's name cannot contain control characters.")
        }
        return trimmed
    }

    /// An `rtmp://` or `rtmps://` URL with a host and an app path, as platforms give them
    /// (e.g. `rtmp://a.rtmp.youtube.com/live2`). No credentials, query or fragment: the key goes
    /// after the path, and the URL is shown back to every admin.
    private static func validURL(_ text: String) throws(OutputTargetProblem) -> String {
        var url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while url.hasSuffix("/") { url.removeLast() }
        guard url.utf8.count <= maximumURLLength else { throw .invalid("url", "The URL is at most \(maximumURLLength) bytes.") }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), scheme == "rtmp" || scheme == "rtmps" else {
            throw .invalid("url", "The URL must start with rtmp:// or rtmps://, like rtmp://a.rtmp.youtube.com/live2.")
        }
        guard let host = parts.host, !host.isEmpty else { throw .invalid("url", "The URL needs a host, like rtmp://a.rtmp.youtube.com/live2.") }
        guard parts.user == nil, parts.password == nil else {
            throw .invalid("url", "Put no credentials in the URL: it is shown to every admin. The stream key goes in stream_key.")
        }
        guard parts.query == nil, parts.fragment == nil else {
            throw .invalid("url", "The URL cannot have a query or fragment; anything after the app belongs in stream_key.")
        }
        guard parts.path.split(separator: "/").count >= 1 else {
            throw .invalid("url", "The URL needs the platform's app path, like rtmp://live.twitch.tv/app.")
        }
        guard !url.contains(where: \.isWhitespace) else { throw .invalid("url", "The URL cannot contain spaces.") }
        return url
    }

    private static func validKey(_ key: String) throws(OutputTargetProblem) -> String {
        let trimmed = key.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid("stream_key", "The stream key is empty; copy it from the platform's stream settings.") }
        guard trimmed.utf8.count <= maximumKeyLength else { throw .invalid("stream_key", "The stream key is at most \(maximumKeyLength) bytes.") }
        guard trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .invalid("stream_key", "The stream key can hold only printable ASCII without spaces.")
        }
        return trimmed
    }
}

/// Why a target's input was refused: which field, and what to do about it.
struct OutputTargetProblem: Error, Equatable, CustomStringConvertible {
    var field: String
    var message: String

    static func missing(_ field: String) -> OutputTargetProblem {
        OutputTargetProblem(field: field, message: "\(field) is required.")
    }

    static func invalid(_ field: String, _ message: String) -> OutputTargetProblem {
        OutputTargetProblem(field: field, message: message)
    }

    var description: String { message }
}
