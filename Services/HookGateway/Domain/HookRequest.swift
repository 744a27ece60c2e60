import Foundation

/// The body of an SRS `http_hooks` or forward-backend request. SRS sends different fields per
/// action (on_close has no stream); only those every action carries are required. Decoded with a
/// plain decoder (explicit keys): this runs on every hook.
struct HookRequest: Decodable, Sendable, Equatable {
    var action: String
    var clientId: String
    var app: String
    var stream: String?
    var param: String?
    var ip: String?

    enum CodingKeys: String, CodingKey {
        case action, app, stream, param, ip
        case clientId = "client_id"
    }

    private static let decoder = JSONDecoder()

    static func decode(_ body: some DataProtocol) throws -> HookRequest {
        try decoder.decode(HookRequest.self, from: Data(body))
    }

    var kind: HookAction { HookAction(rawValue: action) ?? .other }

    /// The value of one query parameter in `param` (SRS keeps the leading `?`).
    func parameter(_ name: String) -> String? {
        guard let param else { return nil }
        let query = param.hasPrefix("?") ? param.dropFirst() : Substring(param)
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name {
                return parts.count > 1 ? String(parts[1]).removingPercentEncoding ?? String(parts[1]) : ""
            }
        }
        return nil
    }
}

enum HookAction: String, CaseIterable, Sendable {
    case onConnect = "on_connect"
    case onClose = "on_close"
    case onPublish = "on_publish"
    case onUnpublish = "on_unpublish"
    case onPlay = "on_play"
    case onStop = "on_stop"
    case onForward = "on_forward"
    case onDVR = "on_dvr"
    case onHLS = "on_hls"
    /// nginx-rtmp's `update_publish` (SRS has no such hook).
    case onUpdate = "on_update"
    case other
}
