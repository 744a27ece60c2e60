import Foundation
import Hummingbird
import Shared

/// `GET /api/v1/events/stream`: Server-Sent Events for browsers and OBS overlays. Public events
/// only. A fresh connection first gets a `queue` snapshot; a reconnection (`Last-Event-ID`)
/// first gets what it missed. Every batch of events is followed by a new `queue` snapshot, so a
/// page only ever renders snapshots. Open to any origin: overlays may be local files. Past
/// `SSE_MAX_STREAMS` open streams a new one is refused with 503 and `Retry-After`.
struct EventStreamRoutes {
    let hub: EventStreamHub
    /// What a refused stream is told to wait (EventSource itself retries on its own schedule).
    static let retryAfterSeconds = 10

    func add(to router: Router<ServiceRequestContext>) {
        router.get("api/v1/events/stream") { request, _ -> Response in
            let resumeFrom = (request.headers[.lastEventID] ?? request.uri.queryParameters["after"].map(String.init)).flatMap(UInt64.init)
            guard let slot = hub.reserve() else {
                throw APIError(
                    .serviceUnavailable, code: "too_many_streams",
                    message: "This QueueService already serves its \(hub.capacity) event streams; try again shortly.",
                    headers: [.retryAfter: "\(Self.retryAfterSeconds)", .accessControlAllowOrigin: "*"]
                )
            }
            let hub = self.hub
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                    .accessControlAllowOrigin: "*", .accelBuffering: "no",
                ],
                body: ResponseBody { writer in
                    try await hub.serve(resumingAfter: resumeFrom) { try await writer.write($0) }
                    try await writer.finish(nil)
                    withExtendedLifetime(slot) {}
                }
            )
        }
    }
}
