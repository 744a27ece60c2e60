import Foundation

/// Ingest connections reported closed before the queue ever heard them publish. The gateway gives
/// up on a publish after `PEER_TIMEOUT_SECONDS` and refuses it, but the request may still reach
/// the queue after the ingest reported that connection's close (the close travels on another
/// connection): taken then, it would seat a DJ with no encoder. So a publish on a connection
/// already closed is refused. Memory only: a restart ends every request in flight with it.
struct ClosedConnections: Sendable {
    /// Longer than any publish can be in flight (the gateway's deadline is at most 20 s), short
    /// enough that an ingest restarting its connection numbers (nginx-rtmp) costs a DJ at most one
    /// refused reconnect.
    static let remembered: TimeInterval = 60
    static let capacity = 4096

    private var closedAt: [String: Date] = [:]

    mutating func closed(_ clientId: String, now: Date) {
        if closedAt.count >= Self.capacity { forgetOld(now: now) }
        if closedAt.count >= Self.capacity, let oldest = closedAt.min(by: { $0.value < $1.value })?.key { closedAt[oldest] = nil }
        closedAt[clientId] = now
    }

    func isClosed(_ clientId: String, now: Date) -> Bool {
        closedAt[clientId].map { now.timeIntervalSince($0) < Self.remembered } ?? false
    }

    private mutating func forgetOld(now: Date) {
        closedAt = closedAt.filter { now.timeIntervalSince($0.value) < Self.remembered }
    }
}
