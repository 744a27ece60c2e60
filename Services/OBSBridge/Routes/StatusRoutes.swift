import Foundation
import Hummingbird
import Shared

/// `GET /status` for operators; `POST /internal/v1/reconnect` to connect again after a kick.
struct StatusRoutes {
    let client: OBSClient
    let follower: QueueFollower
    let reconciler: Reconciler

    func add(to router: Router<ServiceRequestContext>, internalGroup: RouterGroup<ServiceRequestContext>) {
        router.get("status") { _, _ in
            await status()
        }
        internalGroup.post("reconnect") { _, context -> OBSBridgeStatus in
            await client.reconnect()
            context.logger.notice("reconnect to OBS requested")
            return await status()
        }
    }

    private func status() async -> OBSBridgeStatus {
        OBSBridgeStatus(obs: await client.status, queue: await follower.currentStatus(), programme: await reconciler.currentStatus())
    }
}
