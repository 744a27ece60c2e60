import Foundation
import NIOConcurrencyHelpers
import Shared
@testable import HookGateway

/// QueueService as the session-close relay and the reconciliation meet it, in memory: it refuses
/// the next closes (or session listings) it is told to, then takes them, remembers every close it
/// was sent, and — like QueueService — a close it takes ends that open session.
final class FakeQueuePeer: QueueSessions, QueueOpenSessions {
    struct Close: Equatable {
        var clientId: String
        var requestID: String?
    }

    struct Unavailable: Error {}

    private struct State {
        var closes: [Close] = []
        var actions: [String] = []
        var failures = 0
        var open: [String] = []
        var listings = 0
        var listingFailures = 0
    }

    private let state = NIOLockedValueBox(State())

    /// Every close sent, delivered or not, in order.
    var closes: [Close] { state.withLockedValue { $0.closes } }

    /// The `action` of every close sent, in order.
    var actions: [String] { state.withLockedValue { $0.actions } }

    /// How many times the open sessions were asked for.
    var listings: Int { state.withLockedValue { $0.listings } }

    /// The client ids of the sessions open now.
    var open: [String] {
        get { state.withLockedValue { $0.open } }
        set { state.withLockedValue { $0.open = newValue } }
    }

    /// The next `count` closes fail, as when QueueService is down.
    func failNext(_ count: Int) {
        state.withLockedValue { $0.failures = count }
    }

    /// The next `count` listings of the open sessions fail.
    func failNextListings(_ count: Int) {
        state.withLockedValue { $0.listingFailures = count }
    }

    func close(_ request: SessionCloseRequest, requestID: String?) async throws {
        let fail = state.withLockedValue { state in
            state.closes.append(Close(clientId: request.clientId, requestID: requestID))
            state.actions.append(request.action)
            guard state.failures > 0 else {
                state.open.removeAll { $0 == request.clientId }
                return false
            }
            state.failures -= 1
            return true
        }
        if fail { throw Unavailable() }
    }

    func openSessions(requestID: String?) async throws -> [OpenSessionsReply.Session] {
        let open = state.withLockedValue { state -> [String]? in
            state.listings += 1
            guard state.listingFailures == 0 else {
                state.listingFailures -= 1
                return nil
            }
            return state.open
        }
        guard let open else { throw Unavailable() }
        return open.map { OpenSessionsReply.Session(clientId: $0, userId: UUID(), openedAt: Date(timeIntervalSince1970: 0)) }
    }
}

/// The ingest's client list, in memory: each read answers the next scripted result (the last
/// one again once the script runs out), after running `onRead`.
final class FakeIngest: IngestClients {
    struct Unreadable: Error {}

    private struct State {
        var script: [Result<Set<String>, Unreadable>] = [.success([])]
        var reads = 0
        var onRead: (@Sendable () -> Void)?
    }

    private let state = NIOLockedValueBox(State())

    /// How many reads were made.
    var reads: Int { state.withLockedValue { $0.reads } }

    /// The clients every read finds from now on.
    func hold(_ clients: Set<String>) {
        answer([clients])
    }

    /// What the next reads answer, in order; nil is a failed read.
    func answer(_ reads: [Set<String>?]) {
        let script = reads.map { clients -> Result<Set<String>, Unreadable> in clients.map { .success($0) } ?? .failure(Unreadable()) }
        state.withLockedValue { $0.script = script }
    }

    /// Runs on every read, before it answers (e.g. QueueService opening a session meanwhile).
    func onRead(_ action: @escaping @Sendable () -> Void) {
        state.withLockedValue { $0.onRead = action }
    }

    func connectedClientIDs(requestID: String?) async throws -> Set<String> {
        let (result, action) = state.withLockedValue { state in
            state.reads += 1
            let result = state.script.count > 1 ? state.script.removeFirst() : state.script[0]
            return (result, state.onRead)
        }
        action?()
        return try result.get()
    }
}
