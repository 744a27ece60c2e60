import Foundation
import NIOConcurrencyHelpers

/// The interchangeable instances behind one peer (AccountService's replicas) and which of them
/// to try first. Calls take turns across the instances that answer; one that failed is tried
/// last for 15 seconds, so a dead replica costs the first caller a retry, not every caller.
public final class PeerInstances: Sendable {
    public let urls: [String]
    private let shunned: Duration
    private let state: NIOLockedValueBox<State>

    private struct State {
        var next = 0
        var failedAt: [ContinuousClock.Instant?]
    }

    /// `text` is one base URL or several separated by commas.
    public init(_ text: String, shunned: Duration = .seconds(15)) {
        let urls = Self.split(text)
        self.urls = urls.isEmpty ? [text] : urls
        self.shunned = shunned
        self.state = NIOLockedValueBox(State(failedAt: Array(repeating: nil, count: self.urls.count)))
    }

    /// The instances in the order this call should try them: healthy ones first, starting
    /// from the next in turn, then the recently failed ones.
    public func order(now: ContinuousClock.Instant = .now) -> [Int] {
        guard urls.count > 1 else { return [0] }
        return state.withLockedValue { state in
            let start = state.next
            state.next = (state.next + 1) % urls.count
            let rotation = (0..<urls.count).map { (start + $0) % urls.count }
            let healthy = rotation.filter { index in
                guard let failed = state.failedAt[index] else { return true }
                return now - failed >= shunned
            }
            return healthy + rotation.filter { !healthy.contains($0) }
        }
    }

    public func failed(_ index: Int, now: ContinuousClock.Instant = .now) {
        guard urls.count > 1 else { return }
        state.withLockedValue { $0.failedAt[index] = now }
    }

    public func answered(_ index: Int) {
        guard urls.count > 1 else { return }
        state.withLockedValue { $0.failedAt[index] = nil }
    }

    /// Base URLs from a comma-separated list, trimmed, without trailing slashes.
    public static func split(_ text: String) -> [String] {
        text.split(separator: ",").map { part in
            var url = part.trimmingCharacters(in: .whitespaces)
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }.filter { !$0.isEmpty }
    }
}
