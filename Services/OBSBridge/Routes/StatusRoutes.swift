import Foundation
import Hummingbird
import Shared

struct BridgeStatus: Codable, ResponseEncodable {
    var obs: OBSConnectionStatus
    var queue: QueueFollower.Status
    var programme: Reconciler.Status
}

/// `GET /status` for operators; `POST /internal/v1/reconnect` to connect again after a kick.
struct StatusRoutes {
    let client: OBSClient
    let follower: QueueFollower
    let reconciler: Reconciler

    func add(to router: Router<ServiceRequestContext>, internalGroup: RouterGroup<ServiceRequestContext>) {
        router.get("status") { _, _ in
            BridgeStatus(obs: await client.status, queue: await follower.currentStatus(), programme: await reconciler.currentStatus())
        }
        internalGroup.post("reconnect") { _, context -> BridgeStatus in
            await client.reconnect()
            context.logger.notice("reconnect to OBS requested")
            return BridgeStatus(obs: await client.status, queue: await follower.currentStatus(), programme: await reconciler.currentStatus())
        }
    }
}
