import Foundation

/// The connection as an operator sees it at `GET /status`.
struct OBSConnectionStatus: Codable, Sendable, Equatable {
    enum State: String, Codable, Sendable {
        case connecting, connected, disconnected
        /// Wrong password or unsupported RPC version: retried slowly until fixed.
        case configurationError = "configuration_error"
        /// Kicked from OBS's UI (4011): waiting for `POST /reconnect`.
        case kicked
    }

    var state: State = .connecting
    var url: String
    var lastError: String?
    var obsVersion: String?
    var websocketVersion: String?
    var connectedSince: Date?
    var nextAttemptAt: Date?
    var attempts = 0
}
