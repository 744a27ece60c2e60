import Metrics

enum PeerCallOutcome: String {
    case answered
    case timedOut = "timed_out"
    case unreachable
}

/// `peer_request_duration_seconds{peer, outcome}`: how long each call to each peer instance
/// took, so an operator sees one slow replica among several and alerts on a p99.
enum PeerCallMetrics {
    static func record(peer base: String, outcome: PeerCallOutcome, duration: Duration) {
        Metrics.Timer(label: "peer_request_duration_seconds", dimensions: [("peer", hostAndPort(base)), ("outcome", outcome.rawValue)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// The instance without its scheme: one label value per replica, never a path or query.
    static func hostAndPort(_ base: String) -> String {
        let afterScheme = base.split(separator: "://", maxSplits: 1).last.map(String.init) ?? base
        return String(afterScheme.prefix { $0 != "/" })
    }
}
