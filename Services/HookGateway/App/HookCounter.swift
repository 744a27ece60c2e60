import Metrics

/// `gateway_hooks_total{action, outcome}`: every hook answered, by what happened to it. Both
/// labels come from fixed sets — SRS's `action` is whatever the sender wrote, and one series per
/// string sent would let a stranger grow `/metrics` without bound.
enum HookCounter {
    enum Outcome: String, CaseIterable, Sendable {
        case accepted
        case badSecret = "bad_secret"
        case malformed
        case tooLarge = "too_large"
        case lead, queued, refused, relay, programme
        case unknownKey = "unknown_key"
        case none, forwarded
        case peerFailure = "peer_failure"
    }

    /// `action` is nil for a hook refused before its body was read.
    static func count(_ action: HookAction?, _ outcome: Outcome) {
        Counter(label: "gateway_hooks_total", dimensions: [("action", label(for: action)), ("outcome", outcome.rawValue)]).increment()
    }

    /// The action's SRS name, `other` for any action SRS does not send, `unknown` when not read.
    static func label(for action: HookAction?) -> String {
        action?.rawValue ?? "unknown"
    }
}
