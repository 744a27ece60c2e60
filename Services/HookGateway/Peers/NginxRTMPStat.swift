import NIOCore
import Shared

/// nginx-rtmp's stat page (`NGINX_RTMP_STAT_URL`): the ingest's clients for the reconciliation,
/// and the DJs' counters for the stream-health monitor. The page lists a client only once it
/// publishes (unlike SRS, not from its connect), so the reconciliation pauses before its
/// confirming read: a publish whose hook QueueService has taken but nginx has not yet heard
/// answered is listed by then.
struct NginxRTMPStat: IngestClients, IngestStreamStats {
    /// The stat URL itself: requests go to `client.baseURL` with no path added.
    let client: PeerClient
    /// The application DJs publish to (`INGEST_APP`): the only one whose publishers have a health.
    let app: String

    func connectedClientIDs(requestID: String?) async throws -> Set<String> {
        let document = try await read(requestID: requestID)
        do {
            return try NginxStat.publishingClientIDs(document)
        } catch {
            throw NginxRTMPError(message: "nginx-rtmp's stat page is not the XML it sends: \(error)")
        }
    }

    /// Each DJ publisher's `bytes_in`, which grows with every message nginx receives: the
    /// progress QueueService judges stalls by. The bitrate is `bw_in`, a 10-second figure.
    func publishers(requestID: String?) async throws -> [PublisherHealth] {
        let document = try await read(requestID: requestID)
        do {
            return try NginxStat.health(document, app: app)
        } catch {
            throw NginxRTMPError(message: "nginx-rtmp's stat page is not the XML it sends: \(error)")
        }
    }

    func publisher(app: String, stream: String, requestID: String?) async throws -> String? {
        let document = try await read(requestID: requestID)
        do {
            return try NginxStat.publishers(document).first { $0.app == app && $0.stream == stream }?.clientId
        } catch {
            throw NginxRTMPError(message: "nginx-rtmp's stat page is not the XML it sends: \(error)")
        }
    }

    /// Whether a client plays this stream (e.g. the recorder's capture, waiting for its publisher).
    func isPlayed(app: String, stream: String) async throws -> Bool {
        let document = try await read(requestID: nil)
        do {
            return try NginxStat.players(document)[NginxStat.StreamName(app: app, stream: stream), default: 0] > 0
        } catch {
            throw NginxRTMPError(message: "nginx-rtmp's stat page is not the XML it sends: \(error)")
        }
    }

    private func read(requestID: String?) async throws -> String {
        let reply = try await client.get("", requestID: requestID)
        guard reply.status == 200 else {
            throw NginxRTMPError(message: "nginx-rtmp's stat page answered HTTP \(reply.status)")
        }
        return String(buffer: reply.body)
    }
}
