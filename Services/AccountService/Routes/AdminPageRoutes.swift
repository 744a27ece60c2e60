import Foundation
import Hummingbird
import Shared

/// The admins' pages: users, the night's queue (its actions go to QueueService with the admin's
/// own session, and every connected DJ's bitrate), the outputs (managed on HookGateway with the
/// admin's own session, `AdminPageRoutes+Outputs`), and every service's status on one panel.
struct AdminPageRoutes {
    let web: WebSession
    let accounts: Accounts
    let queue: QueueDesk
    let gateway: GatewayDesk
    let status: ServiceStatusBoard
    static let pageSize = 25

    func add(to router: RouterGroup<ServiceRequestContext>) {
        router.get("admin/users") { request, _ in
            let visit = await web.visit(request)
            guard let refusal = refuse(visit, request) else { return try await usersPage(visit, request) }
            return refusal
        }
        for action in ["active", "role", "reset-key"] {
            router.post(RouterPath("admin/users/:id/\(action)")) { request, context in
                let visit = await web.visit(request)
                if let refusal = refuse(visit, request) { return refusal }
                let form = try await web.submitted(AccountAdminForm.self, request, context, visit)
                guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AccountError.noSuchAccount }
                // An admin never takes their own rights: that way the last admin can never be lost.
                if id == visit.user?.id, action == "role" || (action == "active" && form.active != "true") {
                    return web.redirect("/admin/users?error=self")
                }
                switch action {
                case "active":
                    let active = form.active == "true"
                    try await accounts.setActive(userId: id, active: active)
                    if !active { await takeOutOfTheQueue(id, context) }
                case "role":
                    guard let role = form.role.flatMap(Role.init(rawValue:)) else { throw APIError.badRequest("Role must be dj or admin.", field: "role") }
                    try await accounts.setRole(userId: id, role: role)
                default:
                    try await accounts.resetStreamKey(userId: id)
                }
                context.logger.notice("admin changed an account", metadata: ["action": "\(action)", "user_id": "\(id)", "admin_id": "\(visit.user!.id)"])
                return web.redirect("/admin/users?done=\(action)")
            }
        }

        router.get("admin/queue") { request, _ in
            let visit = await web.visit(request)
            if let refusal = refuse(visit, request) { return refusal }
            let flash: [String: Any]? = request.uri.queryParameters["error"].map { ["message": String($0), "bad": true] }
                ?? request.uri.queryParameters["done"].flatMap { Self.outputsDone[String($0)] ?? Self.queueDone[String($0)] }.map { ["message": $0] }
            return await nightPage(visit, flash: flash)
        }
        router.get("admin/queue/health") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { throw StreamHealthReplies.loggedOut }
            guard user.role == .admin else { throw StreamHealthReplies.adminsOnly }
            return try StreamHealthReplies.json(NightStreams(try await StreamHealthReplies.lineup(queue, of: nil, context)))
        }
        router.post("admin/queue/:action") { request, context in
            let visit = await web.visit(request)
            if let refusal = refuse(visit, request) { return refusal }
            let form = try await web.submitted(QueueActionForm.self, request, context, visit)
            let action = try context.parameters.require("action")
            let (path, body) = try Self.queueCall(action, form)
            if let refusal = await queue.admin(path, body: body, token: visit.token ?? "", requestID: context.requestID) {
                return web.redirect("/admin/queue?error=\(refusal.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            }
            return web.redirect(Self.queueDone[action] == nil ? "/admin/queue" : "/admin/queue?done=\(action)")
        }

        router.get("admin/status") { request, _ in
            let visit = await web.visit(request)
            if let refusal = refuse(visit, request) { return refusal }
            let board = await status.read()
            return web.page("admin_status", visit, title: "Status", [
                "mainClass": "wide", "services": board.services.map { ["name": $0.name, "ok": $0.ok, "state": $0.state, "detail": $0.detail] }, "obs": board.obs,
                "obsOK": board.obsOK, "notifier": board.notifier, "ingest": board.ingest, "ingestOK": board.ingestOK, "recording": board.recording, "outputs": board.outputs,
            ])
        }
        addOutputs(to: router)
    }

    /// The night page; `outputForm` is a refused new target's name and URL, typed again for the
    /// admin (its stream key never: that field is write-only).
    func nightPage(_ visit: WebVisit, flash: [String: Any]?, outputForm: [String: String] = [:], status: HTTPResponse.Status = .ok) async -> Response {
        let settings = await queue.get("/time-settings", as: TimeSettings.self)
        let block = await queue.get("/block-toggle", as: BlockStatus.self)
        return web.page("admin_queue", visit, title: "Tonight", status: status, [
            "mainClass": "wide", "intervalMinutes": Int((settings?.swapInterval ?? 3600) / 60), "blocking": block?.isBlocked ?? false,
            "lastDj": block?.lastDjName as Any, "flash": flash as Any, "outputForm": outputForm,
        ])
    }

    /// QueueService's admin route and JSON body (a Shared contract) for a form on the night page.
    static func queueCall(_ action: String, _ form: QueueActionForm) throws -> (path: String, body: Data?) {
        func minutes(_ range: ClosedRange<Int>) throws -> Int {
            guard let value = form.minutes.flatMap(Int.init), range.contains(value) else {
                throw APIError.badRequest("Give a number of minutes between \(range.lowerBound) and \(range.upperBound).", field: "minutes")
            }
            return value
        }
        func user() throws -> UUID {
            guard let id = form.userId.flatMap(UUID.init(uuidString:)) else { throw APIError.badRequest("No DJ chosen.", field: "user_id") }
            return id
        }
        switch action {
        case "skip", "pause", "resume", "clear": return ("/api/v1/admin/queue/\(action)", nil)
        case "remove": return ("/api/v1/admin/queue/remove", try JSONCoding.encode(RemoveFromQueueRequest(userId: try user())))
        case "move":
            guard let position = form.position.flatMap(Int.init) else { throw APIError.badRequest("No position given.", field: "position") }
            return ("/api/v1/admin/queue/move", try JSONCoding.encode(MoveInQueueRequest(userId: try user(), position: position)))
        case "extend": return ("/api/v1/turn/extend", try JSONCoding.encode(ExtendTurnRequest(seconds: Double(try minutes(1...600) * 60))))
        case "interval": return ("/update-timer/\(try minutes(1...1440) * 60)?reset_time=\(form.reset == "true")", nil)
        case "block": return ("/block-toggle", nil)
        default: throw APIError.notFound("No such action.")
        }
    }

    /// A deactivated DJ leaves the queue like a deleted one, and QueueService kicks their encoder.
    private func takeOutOfTheQueue(_ userId: UUID, _ context: ServiceRequestContext) async {
        do {
            try await queue.forget(userId: userId, requestID: context.requestID)
        } catch {
            context.logger.error("account deactivated, but QueueService did not take it out of the queue", metadata: ["user_id": "\(userId)", "error": "\(error)"])
        }
    }

    func refuse(_ visit: WebVisit, _ request: Request) -> Response? {
        guard let user = visit.user else { return web.requireLogin(request) }
        guard user.role == .admin else { return web.message(visit, heading: "Admins only", text: "This page is for the collective's admins.", status: .forbidden) }
        return nil
    }

    static let usersDone = ["active": "Account updated.", "role": "Role changed.", "reset-key": "A new stream key was made; the old one no longer works."]

    /// The line the night page shows after each action went through.
    static let queueDone = [
        "skip": "Skipped: the next DJ is on air.", "pause": "Paused: nobody is promoted when this turn ends.", "resume": "Resumed: turns hand over again.",
        "clear": "Cleared: the queue is empty.", "move": "Moved.", "remove": "Removed from the queue.", "extend": "This turn was extended.",
        "interval": "Turn length set.", "block": "Block rule changed.",
    ]

    private func usersPage(_ visit: WebVisit, _ request: Request) async throws -> Response {
        let query = request.uri.queryParameters["q"].map(String.init) ?? ""
        let page = min(max(1, request.uri.queryParameters["page"].flatMap { Int($0) } ?? 1), Accounts.lastPage)
        let (users, total) = try await accounts.users(matching: query, page: page, pageSize: Self.pageSize)
        let pages = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        let flash: [String: Any]? = request.uri.queryParameters["error"] == "self"
            ? ["message": "You cannot deactivate yourself or change your own role: ask another admin.", "bad": true]
            : request.uri.queryParameters["done"].flatMap { Self.usersDone[String($0)] }.map { ["message": $0] }
        return web.page("admin_users", visit, title: "Users", [
            "flash": flash as Any, "me": visit.user?.id.uuidString.lowercased() ?? "", "mainClass": "wide", "query": query, "searched": query.isEmpty ? false : query, "page": page, "pages": pages, "total": total,
            "accountsWord": total == 1 ? "account" : "accounts",
            "previous": page > 1 ? page - 1 : false, "next": page < pages ? page + 1 : false,
            "users": users.map { user -> [String: Any] in
                [
                    "id": user.id.uuidString.lowercased(), "djName": user.djName, "email": user.email, "joined": formatter.string(from: user.createdAt),
                    "isMe": user.id == visit.user?.id,
                    "role": user.role.rawValue, "otherRole": user.role == .admin ? "dj" : "admin", "isActive": user.isActive, "legacyKey": user.legacyKey,
                ]
            },
        ])
    }
}
