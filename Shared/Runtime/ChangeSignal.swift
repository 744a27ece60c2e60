import Foundation
import Synchronization

/// Fans each value out to every current subscriber, each with its own stream. A slow subscriber
/// sees only the newest value (a buffer of one): what is matters more than what changed on the way.
public final class ChangeSignal<Value: Sendable>: Sendable {
    private struct State {
        var latest: Value?
        var subscribers: [UUID: AsyncStream<Value>.Continuation] = [:]
    }

    private let state: Mutex<State>

    /// - Parameter latest: when given, the signal remembers the last value sent and a new
    ///   subscriber gets it first, so nobody misses the state they joined in.
    public init(latest: Value? = nil) {
        state = Mutex(State(latest: latest))
    }

    public func subscribe() -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream.makeStream(of: Value.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        state.withLock { state in
            if let latest = state.latest { continuation.yield(latest) }
            state.subscribers[id] = continuation
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    public func send(_ value: Value) {
        state.withLock { state in
            if state.latest != nil { state.latest = value }
            for continuation in state.subscribers.values { continuation.yield(value) }
        }
    }
}
