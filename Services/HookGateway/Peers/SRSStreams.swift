import Foundation
import Shared

/// The ingest's numbers for each client publishing now, for the stream-health monitor: SRS's
/// stream list here, nginx-rtmp's stat XML in `NginxRTMPStat`.
protocol IngestStreamStats: Sendable {
    /// Throws unless the whole list was read: a partial one would make the streams left out
    /// look silent.
    func publishers(requestID: String?) async throws -> [PublisherHealth]
    /// The client publishing this stream now, nil when nobody does (or only a publisher that
    /// stopped sending); throws when the ingest could not be read.
    func publisher(app: String, stream: String, requestID: String?) async throws -> String?
}

/// `GET /api/v1/streams?start=&count=` (reference/protocols.md §1.6), paged as the client list
/// is: every page from the same SRS process with `code` 0, no publisher twice. A stream's
/// publisher is `publish.cid`, the client id the hooks carry; data arriving shows in
/// `recv_bytes` (SRS adds each connection's bytes every few seconds) and `frames`; the bitrate is
/// `kbps.recv_30s`, a 30-second average that reads 0 for a new stream.
struct SRSStreams: IngestStreamStats {
    let client: PeerClient
    /// SRS forces at least 10; one page covers a collective's streams.
    var pageSize = 100
    var maximumPages = 10

    /// SRS's own field names, decoded as they are (`recv_30s` does not survive a snake-case conversion).
    struct Page: Decodable {
        struct Stream: Decodable {
            struct Publish: Decodable {
                var active: Bool
                var cid: String?
            }
            struct Kbps: Decodable {
                var recv30s: Double?
                enum CodingKeys: String, CodingKey { case recv30s = "recv_30s" }
            }
            var app: String?
            var name: String?
            var publish: Publish?
            var frames: UInt64?
            var recvBytes: UInt64?
            var kbps: Kbps?
            enum CodingKeys: String, CodingKey {
                case app, name, publish, frames, kbps
                case recvBytes = "recv_bytes"
            }
        }
        var code: Int
        var service: String?
        var streams: [Stream]?

        /// The streams with an active publisher, as health readings.
        var publishers: [PublisherHealth] {
            (streams ?? []).compactMap { stream in
                guard let publish = stream.publish, publish.active, let cid = publish.cid else { return nil }
                return PublisherHealth(clientId: cid, bytesReceived: stream.recvBytes, frames: stream.frames, kbps: stream.kbps?.recv30s)
            }
        }

        static func decode(_ data: Data) throws -> Page {
            do {
                return try JSONDecoder().decode(Page.self, from: data)
            } catch {
                throw SRSAPIError(message: "SRS's stream list is not the JSON it sends: \(error)")
            }
        }
    }

    func publisher(app: String, stream: String, requestID: String?) async throws -> String? {
        // One page: the programme is one stream among a collective's few.
        let page = try await self.page(start: 0, requestID: requestID)
        guard page.code == 0, let streams = page.streams else { throw SRSAPIError(message: "SRS refused the stream list with code \(page.code)") }
        return streams.first { $0.app == app && $0.name == stream && $0.publish?.active == true }?.publish?.cid
    }

    func publishers(requestID: String?) async throws -> [PublisherHealth] {
        var found: [PublisherHealth] = []
        var seen: Set<String> = []
        var service: String?
        for index in 0..<maximumPages {
            let page = try await self.page(start: index * pageSize, requestID: requestID)
            guard page.code == 0, let streams = page.streams else {
                throw SRSAPIError(message: "SRS refused the stream list with code \(page.code)")
            }
            if index == 0 { service = page.service }
            guard page.service == service else {
                throw SRSAPIError(message: "SRS restarted while its stream list was read (service \(service ?? "-") became \(page.service ?? "-"))")
            }
            for publisher in page.publishers {
                guard seen.insert(publisher.clientId).inserted else {
                    throw SRSAPIError(message: "SRS listed publisher \(publisher.clientId) twice: its streams changed while they were paged")
                }
                found.append(publisher)
            }
            if streams.count < pageSize { return found }
        }
        throw SRSAPIError(message: "SRS lists more than \(maximumPages * pageSize) streams")
    }

    private func page(start: Int, requestID: String?) async throws -> Page {
        let reply = try await client.srsListPage("/api/v1/streams", start: start, count: pageSize, listName: "stream list", requestID: requestID)
        return try Page.decode(Data(reply.body.readableBytesView))
    }
}

/// Where the readings go: QueueService, which decides what they mean.
protocol QueueStreamHealth: Sendable {
    func report(_ report: StreamHealthReport, requestID: String?) async throws
}

extension QueuePeer: QueueStreamHealth {
    func report(_ report: StreamHealthReport, requestID: String?) async throws {
        let reply = try await client.post("/internal/v1/stream-health", json: report, requestID: requestID)
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
    }
}
