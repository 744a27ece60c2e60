import Metrics

/// `gateway_hooks_total{action, outcome}`: every hook answered, by what happened to it.
enum HookCounter {
    static func count(_ action: String, _ outcome: String) {
        Counter(label: "gateway_hooks_total", dimensions: [("action", action), ("outcome", outcome)]).increment()
    }
}
