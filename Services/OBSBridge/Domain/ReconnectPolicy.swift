import Foundation

/// What a closed obs-websocket connection means for the next attempt.
enum ReconnectPolicy: Equatable, Sendable {
    /// A network error or an ordinary close: retry with backoff.
    case retry
    /// The password is wrong or the RPC version unsupported: an operator must fix the
    /// configuration; retry slowly so a fix is picked up, never in a tight loop.
    case configurationError(String)
    /// Someone pressed "Kick" in OBS's UI (4011): do not reconnect until an operator asks.
    case stop(String)

    static func after(closeCode: UInt16?) -> ReconnectPolicy {
        switch closeCode {
        case OBSCloseCode.authenticationFailed: .configurationError("OBS refused the password (4009): check OBS_PASSWORD")
        case OBSCloseCode.unsupportedRPCVersion: .configurationError("OBS does not speak obs-websocket RPC 1 (4010): OBS 28+ is needed")
        case OBSCloseCode.sessionInvalidated: .stop("kicked from OBS's UI (4011): POST /reconnect to connect again")
        default: .retry
        }
    }
}
