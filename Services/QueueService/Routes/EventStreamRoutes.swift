import Foundation
import Hummingbird
import Shared

/// `GET /api/v1/events/stream`: Server-Sent Events for browsers and OBS overlays. Public events
/// only. A fresh connection first gets a `queue` snapshot; a reconnection (`Last-Event-ID`)
/// first gets what it missed. Every batch of events is followed by a new `queue` snapshot, so a
/// page only ever renders snapshots. Open to any origin: overlays may be local files.
struct EventStreamRoutes {
    let engine: QueueEngine
    var keepAlive: Duration = .seconds(15)

    func add(to router: Router<ServiceRequestContext>) {
        router.get("api/v1/events/stream") { request, _ -> Response in
            let resumeFrom = (request.headers[.lastEventID] ?? request.uri.queryParameters["after"].map(String.init)).flatMap(UInt64.init)
            let engine = self.engine
            let keepAlive = self.keepAlive
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                    .accessControlAllowOrigin: "*", .accelBuffering: "no",
                ],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                    var cursor: UInt64
                    if let resumeFrom {
                        cursor = resumeFrom
                    } else {
                        let snapshot = await engine.publicQueue()
                        cursor = snapshot.seq
                        try await writer.write(Self.frame(event: "queue", id: cursor, snapshot))
                    }
                    while !Task.isCancelled, await !engine.feed.isClosed {
                        let page = await engine.feed.page(after: cursor, wait: keepAlive, limit: 500)
                        if page.events.isEmpty && !page.truncated {
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            continue
                        }
                        for event in page.events.compactMap(\.publicView) {
                            try await writer.write(Self.frame(event: event.type.rawValue, id: event.seq, event))
                        }
                        let snapshot = await engine.publicQueue()
                        cursor = max(page.next, snapshot.seq)
                        try await writer.write(Self.frame(event: "queue", id: cursor, snapshot))
                    }
                    try await writer.finish(nil)
                }
            )
        }
    }

    static func frame(event: String, id: UInt64, _ value: some Encodable) throws -> ByteBuffer {
        let json = String(decoding: try JSONCoding.encode(value), as: UTF8.self)
        return ByteBuffer(string: "id: \(id)\nevent: \(event)\ndata: \(json)\n\n")
    }
}
