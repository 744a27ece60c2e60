import Foundation

/// One request of nginx-rtmp's notify module (reference/protocols.md §2.1–2.2): a form-encoded
/// body whose `call` says which directive sent it. nginx writes its own fields first and then
/// appends the client's own arguments raw, so the first occurrence of a name is nginx's and a
/// publisher cannot override `call`, `clientid` or `name` through its stream URL.
struct NginxNotification: Sendable {
    /// Every `name=value` pair in order, decoded.
    var fields: [(name: String, value: String)]

    /// The fields nginx writes itself for publish, update and done calls.
    static let ownFields: Set<String> = [
        "app", "flashver", "swfurl", "tcurl", "pageurl", "addr", "clientid", "call", "name", "type", "time", "timestamp", "epoch",
        "start", "duration", "reset", "recorder", "path",
    ]

    enum Call: Equatable, Sendable {
        case publish
        /// `publish_done` and `done`: the session closed (done follows publish_done and play_done).
        case sessionEnd(String)
        case updatePublish
        /// Everything else nginx may send (play, update_play, connect, record_done, …), answered 2xx.
        case other(String)
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func decode(_ body: some Sequence<UInt8>) throws -> NginxNotification {
        guard let text = String(validating: Array(body), as: UTF8.self) else { throw Malformed(description: "body is not UTF-8") }
        var fields: [(name: String, value: String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decodeComponent(parts[0]), !name.isEmpty else { throw Malformed(description: "unreadable field name") }
            let value = parts.count > 1 ? decodeComponent(parts[1]) : ""
            guard let value else { throw Malformed(description: "unreadable value for field \(name)") }
            fields.append((name, value))
        }
        let notification = NginxNotification(fields: fields)
        guard let call = notification["call"], !call.isEmpty else { throw Malformed(description: "missing field call") }
        return notification
    }

    /// The first value sent under `name`.
    subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    var call: Call {
        switch self["call"] ?? "" {
        case "publish": .publish
        case "publish_done", "done": .sessionEnd(self["call"] ?? "")
        case "update_publish": .updatePublish
        case let other: .other(other)
        }
    }

    /// The SRS hook that asks the same question, for the gatekeeper and the metrics.
    var action: HookAction {
        switch call {
        case .publish: .onPublish
        case .sessionEnd(let name): name == "done" ? .onClose : .onUnpublish
        case .updatePublish: .onUpdate
        case .other: .other
        }
    }

    /// The same question in the form the SRS path asks it, so both ingests share one gatekeeper:
    /// nginx's `clientid` is the session key (a duplicate publisher of one name has its own), and
    /// the client's own arguments become SRS's `param`.
    func hookRequest() throws -> HookRequest {
        guard let clientId = self["clientid"] else { throw Malformed(description: "missing field clientid") }
        guard let app = self["app"] else { throw Malformed(description: "missing field app") }
        let arguments = Self.clientArguments(of: fields)
        return HookRequest(
            action: action.rawValue, clientId: clientId, app: app, stream: self["name"],
            param: arguments.isEmpty ? nil : "?" + arguments, ip: self["addr"]
        )
    }

    /// The pairs nginx did not write itself, re-encoded as a query string.
    private static func clientArguments(of fields: [(name: String, value: String)]) -> String {
        var seen: Set<String> = []
        return fields.filter { field in
            // A name nginx wrote is nginx's the first time; a repeat of it comes from the client.
            if ownFields.contains(field.name), seen.insert(field.name).inserted { return false }
            return true
        }
        .map { "\(encodeComponent($0.name))=\(encodeComponent($0.value))" }
        .joined(separator: "&")
    }

    private static func decodeComponent(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func encodeComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
