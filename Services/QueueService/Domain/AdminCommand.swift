import Foundation

/// What an admin can do to the night, as data (so every action goes through one audited path,
/// `QueueMachine.apply(_:by:now:)`).
enum AdminCommand: Sendable, Equatable {
    case skip
    case remove(UUID)
    case move(UUID, position: Int)
    case pause
    case resume
    case clear
    case setInterval(seconds: Double, restartClock: Bool)
    case extendTurn(seconds: Double)
    case toggleBlocking

    var name: String {
        switch self {
        case .skip: "skip"
        case .remove: "remove"
        case .move: "move"
        case .pause: "pause"
        case .resume: "resume"
        case .clear: "clear"
        case .setInterval: "set_interval"
        case .extendTurn: "extend_turn"
        case .toggleBlocking: "set_blocking"
        }
    }
}
