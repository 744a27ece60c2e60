import Hummingbird
import Shared

/// The timer and block state, as the original's overlays and admin page read them.
struct TimerRoutes {
    let engine: QueueEngine

    func add(to router: RouterGroup<ServiceRequestContext>) {
        router.get("time-settings") { _, _ in await engine.timeSettings() }
        router.get("timer-data") { _, _ in TimerData(remainingTime: await engine.timeSettings().remainingTime) }
        router.get("block-toggle") { _, _ in await engine.blockStatus() }
    }
}
