import Foundation
import Shared

/// What an admin can do to the night, as data (so every action goes through one audited path).
enum AdminCommand: Sendable, Equatable {
    case skip
    case remove(UUID)
    case move(UUID, position: Int)
    case pause
    case resume
    case clear
    case setInterval(seconds: Double, restartClock: Bool)
    case extendTurn(seconds: Double)
    case setBlocking(Bool)
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
        case .setBlocking, .toggleBlocking: "set_blocking"
        }
    }
}

extension QueueMachine {
    mutating func apply(_ command: AdminCommand, by admin: UUID, now: Date) throws(QueueCommandError) -> [QueueEvent] {
        switch command {
        case .skip: try skip(by: admin, now: now)
        case .remove(let userId): try remove(userId, by: admin, now: now)
        case .move(let userId, let position): try move(userId, to: position, by: admin, now: now)
        case .pause: pause(by: admin, now: now)
        case .resume: resume(by: admin, now: now)
        case .clear: clear(by: admin, now: now)
        case .setInterval(let seconds, let restart): try setInterval(seconds, restartClock: restart, by: admin, now: now)
        case .extendTurn(let seconds): try extendTurn(by: seconds, admin: admin, now: now)
        case .setBlocking(let enabled): setBlocking(enabled, by: admin, now: now)
        case .toggleBlocking: setBlocking(!state.blockEnabled, by: admin, now: now)
        }
    }
}
