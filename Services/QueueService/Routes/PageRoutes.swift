import Hummingbird
import Shared

/// The queue page and the OBS overlays.
struct PageRoutes {
    func add(to router: Router<ServiceRequestContext>) {
        let pages: [(String, String)] = [
            ("queue-list", OverlayPages.queueList), ("overlays/queue", OverlayPages.queue),
            ("overlays/timer", OverlayPages.timer), ("overlays/now-playing", OverlayPages.nowPlaying),
        ]
        for (path, html) in pages {
            router.get(RouterPath(path)) { _, _ in Self.respond(html, type: "text/html; charset=utf-8") }
        }
    }

    static func respond(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
