import Foundation

/// `POST /internal/v1/stream-health`: what the ingest said about every publishing client at one
/// reading (HookGateway reads it about every second). The numbers are the ingest's own; whether
/// a stream stalled or runs thin is QueueService's decision, not the gateway's.
public struct StreamHealthReport: Codable, Sendable, Equatable {
    /// When the gateway read the ingest, on its own clock: only orders the reports.
    public var readAt: Date
    public var publishers: [PublisherHealth]

    public init(readAt: Date, publishers: [PublisherHealth]) {
        self.readAt = readAt
        self.publishers = publishers
    }
}

/// One publishing client at one reading. A counter that grew since the previous reading is
/// progress: data arrived. Counters are optional because ingests keep different ones (SRS:
/// `recv_bytes`, `frames`; nginx-rtmp: `bytes_in`).
public struct PublisherHealth: Codable, Sendable, Equatable {
    /// The client id the hooks carry (SRS `publish.cid`, nginx-rtmp `clientid`).
    public var clientId: String
    /// Bytes received from the publisher so far.
    public var bytesReceived: UInt64?
    /// Frames received so far.
    public var frames: UInt64?
    /// The ingest's incoming bitrate (SRS: a 30-second average; nginx-rtmp: a 10-second one).
    public var kbps: Double?

    public init(clientId: String, bytesReceived: UInt64? = nil, frames: UInt64? = nil, kbps: Double? = nil) {
        self.clientId = clientId
        self.bytesReceived = bytesReceived
        self.frames = frames
        self.kbps = kbps
    }
}

/// What `POST /internal/v1/stream-health` answers: how many of the report's clients are sessions the queue holds.
public struct StreamHealthReply: Codable, Sendable, Equatable {
    public var known: Int

    public init(known: Int) {
        self.known = known
    }
}
