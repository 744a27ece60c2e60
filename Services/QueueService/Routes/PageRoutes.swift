import Hummingbird
import Shared

/// The queue page and the OBS overlays.
struct PageRoutes {
    let pages: OverlayPages

    func add(to router: Router<ServiceRequestContext>) {
        for page in pages.pages {
            router.get(RouterPath(page.path)) { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                    body: .init(byteBuffer: ByteBuffer(string: page.html))
                )
            }
        }
    }
}
