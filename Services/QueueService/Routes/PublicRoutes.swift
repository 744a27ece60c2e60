import Hummingbird
import Shared

/// What anyone may read: the queue by DJ name, never a key.
struct PublicRoutes {
    let engine: QueueEngine

    func add(to router: RouterGroup<ServiceRequestContext>) {
        router.get("queue-json") { _, _ in
            await engine.queueJSON()
        }
        router.get("api/v1/queue") { _, _ in
            await engine.publicQueue()
        }
    }
}
