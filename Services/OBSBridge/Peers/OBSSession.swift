import Foundation
import NIOConcurrencyHelpers
import WSClient

/// One identified obs-websocket connection: requests go out as text frames with their own ids,
/// answers are matched back by id, with a deadline on the injected clock.
final class OBSSession: OBSRequests {
    let obsVersion: String
    let websocketVersion: String
    private let outbound: WebSocketOutboundWriter
    private let clock: any Clock<Duration>
    private let state = NIOLockedValueBox((next: 0, pending: [String: CheckedContinuation<JSONValue, any Error>](), closed: false))
    private static let encoder = JSONEncoder()

    private static let timeout: Duration = .seconds(5)

    init(outbound: WebSocketOutboundWriter, obsVersion: String, websocketVersion: String, clock: any Clock<Duration> = ContinuousClock()) {
        self.outbound = outbound
        self.obsVersion = obsVersion
        self.websocketVersion = websocketVersion
        self.clock = clock
    }

    var isClosed: Bool { state.withLockedValue { $0.closed } }

    func batch(_ requests: [OBSRequest]) async throws -> [OBSResponse] {
        guard !requests.isEmpty else { return [] }
        let answer = try await roundTrip(op: .requestBatch) { id in
            .object([
                "requestId": .string(id), "haltOnFailure": false, "executionType": 0,
                "requests": .array(requests.map { request in
                    var item: [String: JSONValue] = ["requestType": .string(request.type)]
                    if let data = request.data { item["requestData"] = data }
                    return .object(item)
                }),
            ])
        }
        return (answer["results"]?.array ?? []).map(OBSResponse.init)
    }

    /// A RequestResponse or RequestBatchResponse arrived.
    func deliver(_ d: JSONValue) {
        guard let id = d["requestId"]?.string else { return }
        let waiter = state.withLockedValue { $0.pending.removeValue(forKey: id) }
        waiter?.resume(returning: d)
    }

    /// The connection is gone: every open request fails.
    func close() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<JSONValue, any Error>] in
            state.closed = true
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        waiters.forEach { $0.resume(throwing: OBSSessionError.closed) }
    }

    private func roundTrip(op: OBSOpCode, _ body: (String) -> JSONValue) async throws -> JSONValue {
        let id = state.withLockedValue { state -> String in
            state.next += 1
            return "ms-\(state.next)"
        }
        let text = String(decoding: try Self.encoder.encode(OBSFrame(op: op, d: body(id))), as: UTF8.self)
        let clock = self.clock
        let deadline = Task { [weak self] in
            try await clock.sleep(for: Self.timeout)
            self?.fail(id, OBSSessionError.timedOut)
        }
        defer { deadline.cancel() }
        let outbound = self.outbound
        // Registered before the frame leaves, so even an instant answer finds its waiter.
        return try await withCheckedThrowingContinuation { continuation in
            let closed = state.withLockedValue { state -> Bool in
                if state.closed { return true }
                state.pending[id] = continuation
                return false
            }
            if closed {
                continuation.resume(throwing: OBSSessionError.closed)
                return
            }
            Task { [weak self] in
                do {
                    try await outbound.writeTextMessage(text)
                } catch {
                    self?.fail(id, error)
                }
            }
        }
    }

    private func fail(_ id: String, _ error: any Error) {
        let waiter = state.withLockedValue { $0.pending.removeValue(forKey: id) }
        waiter?.resume(throwing: error)
    }
}

enum OBSSessionError: Error, CustomStringConvertible {
    case closed
    case timedOut
    case handshake(String)

    var description: String {
        switch self {
        case .closed: "the OBS connection closed"
        case .timedOut: "OBS did not answer in time"
        case .handshake(let detail): "obs-websocket handshake failed: \(detail)"
        }
    }
}
