import Synchronization
@testable import OBSBridge

/// An obs-websocket session that answers from a script, for the reconcile loop's unit tests.
/// Reads are answered from `replies` (by request type and the scene or input they name) and,
/// like OBS for a source it does not have, with 600 ResourceNotFound otherwise; changes succeed
/// unless their type is refused. Every batch the loop sends is recorded and streamed to `batches`.
final class FakeOBSSession: OBSRequests {
    private struct State {
        var replies: [String: JSONValue]
        var refused: [String: (code: Int, comment: String)] = [:]
        var sent: [[OBSRequest]] = []
        var closed = false
    }

    private let state: Mutex<State>
    private let continuation: AsyncStream<[OBSRequest]>.Continuation
    /// Each batch as the loop sends it, in order.
    let batches: AsyncStream<[OBSRequest]>

    init(replies: [String: JSONValue]) {
        state = Mutex(State(replies: replies))
        (batches, continuation) = AsyncStream.makeStream()
    }

    /// The key of a reply: `"GetInputSettings Motherstream Lead A"`.
    static func key(_ request: OBSRequest) -> String {
        [request.type, request.data?["sceneName"]?.string ?? request.data?["inputName"]?.string].compactMap { $0 }.joined(separator: " ")
    }

    func refuse(_ type: String, code: Int, comment: String) {
        state.withLock { $0.refused[type] = (code, comment) }
    }

    var sent: [[OBSRequest]] { state.withLock { $0.sent } }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// The connection drops: what the loop sees of OBS quitting.
    func close() {
        state.withLock { $0.closed = true }
        continuation.finish()
    }

    func batch(_ requests: [OBSRequest]) async throws -> [OBSResponse] {
        try state.withLock { state in
            guard !state.closed else { throw OBSSessionError.closed }
            state.sent.append(requests)
        }
        continuation.yield(requests)
        return answers(requests)
    }

    /// What this session answers to `requests`, without sending them.
    func answers(_ requests: [OBSRequest]) -> [OBSResponse] {
        state.withLock { state in
            requests.map { request in
                if request.type.hasPrefix("Get") {
                    guard let data = state.replies[Self.key(request)] else {
                        return OBSResponse(type: request.type, code: 600, comment: "No source was found by the name of `\(Self.key(request))`.")
                    }
                    return OBSResponse(type: request.type, code: 100, data: data)
                }
                if let refusal = state.refused[request.type] {
                    return OBSResponse(type: request.type, code: refusal.code, comment: refusal.comment)
                }
                return OBSResponse(type: request.type, code: 100)
            }
        }
    }
}
