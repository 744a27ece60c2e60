import NIOConcurrencyHelpers
@testable import QueueService

/// HookGateway's kick endpoint as the queue sees it: records every attempt, and fails the
/// first `failFirst` of them the way a busy SRS does.
final class FakeKickSender: KickSender, @unchecked Sendable {
    struct SRSBusy: Error {}

    private let box: NIOLockedValueBox<(sent: [String], failuresLeft: Int)>

    init(failFirst: Int = 0) {
        box = NIOLockedValueBox((sent: [], failuresLeft: failFirst))
    }

    var sent: [String] { box.withLockedValue { $0.sent } }

    func kick(clientId: String) async throws {
        let fail = box.withLockedValue { box -> Bool in
            box.sent.append(clientId)
            guard box.failuresLeft > 0 else { return false }
            box.failuresLeft -= 1
            return true
        }
        if fail { throw SRSBusy() }
    }
}
