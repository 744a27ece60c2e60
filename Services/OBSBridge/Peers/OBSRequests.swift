/// What the reconcile loop needs of an identified obs-websocket session: the real `OBSSession`
/// in production, a scripted fake in the loop's unit tests.
protocol OBSRequests: Sendable {
    /// Several requests in one message, executed in order by OBS (SerialRealtime); one response
    /// per request, in the same order.
    func batch(_ requests: [OBSRequest]) async throws -> [OBSResponse]

    /// The connection is gone: no request will be answered any more.
    var isClosed: Bool { get }
}
