import NIOCore
import Shared

/// The ingest's clients as nginx-rtmp's stat page lists them (`NGINX_RTMP_STAT_URL`). The page
/// lists a client only once it publishes (unlike SRS, not from its connect), so the
/// reconciliation pauses before its confirming read: a publish whose hook QueueService has taken
/// but nginx has not yet heard answered is listed by then.
struct NginxRTMPStat: IngestClients {
    /// The stat URL itself: requests go to `client.baseURL` with no path added.
    let client: PeerClient

    func connectedClientIDs(requestID: String?) async throws -> Set<String> {
        let reply = try await client.get("", requestID: requestID)
        guard reply.status == 200 else {
            throw NginxRTMPError(message: "nginx-rtmp's stat page answered HTTP \(reply.status)")
        }
        do {
            return try NginxStat.publishingClientIDs(String(buffer: reply.body))
        } catch {
            throw NginxRTMPError(message: "nginx-rtmp's stat page is not the XML it sends: \(error)")
        }
    }
}
