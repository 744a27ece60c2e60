import NIOConcurrencyHelpers
import Shared
@testable import HookGateway

/// QueueService as the session-close relay meets it, in memory: it refuses the next closes
/// it is told to, then takes them, and remembers every close it was sent.
final class FakeQueuePeer: QueueSessions {
    struct Close: Equatable {
        var clientId: String
        var requestID: String?
    }

    struct Unavailable: Error {}

    private struct State {
        var closes: [Close] = []
        var failures = 0
    }

    private let state = NIOLockedValueBox(State())

    /// Every close sent, delivered or not, in order.
    var closes: [Close] { state.withLockedValue { $0.closes } }

    /// The next `count` closes fail, as when QueueService is down.
    func failNext(_ count: Int) {
        state.withLockedValue { $0.failures = count }
    }

    func close(_ request: SessionCloseRequest, requestID: String?) async throws {
        let fail = state.withLockedValue { state in
            state.closes.append(Close(clientId: request.clientId, requestID: requestID))
            guard state.failures > 0 else { return false }
            state.failures -= 1
            return true
        }
        if fail { throw Unavailable() }
    }
}
