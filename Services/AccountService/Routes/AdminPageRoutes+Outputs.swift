import Foundation
import Hummingbird
import NIOHTTP1
import Shared

/// The night page's Outputs panel: where the broadcast goes out to. Every change goes to
/// HookGateway's admin API with the admin's own session, so HookGateway checks the role and
/// audits it as it does for any other caller; this service never keeps or shows a stream key.
extension AdminPageRoutes {
    static let outputsDone = ["output-added": "Output added.", "output-enabled": "Output enabled.", "output-disabled": "Output disabled.", "output-deleted": "Output deleted."]
    static let outputsLoggedOut = APIError(.unauthorized, code: "not_logged_in", message: "Log in again to see the outputs.")
    static let outputsAdminsOnly = APIError(.forbidden, code: "admins_only", message: "The outputs are for the collective's admins.")

    func addOutputs(to router: RouterGroup<ServiceRequestContext>) {
        router.get("admin/outputs/panel") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user, let token = visit.token else { throw Self.outputsLoggedOut }
            guard user.role == .admin else { throw Self.outputsAdminsOnly }
            let overview: OutputsOverview
            do throws(GatewayDesk.Refusal) {
                overview = try await gateway.outputs(token: token, requestID: context.requestID)
            } catch {
                context.logger.warning("HookGateway did not list the outputs", metadata: ["status": "\(error.status)"])
                throw APIError.unavailable("The outputs are unavailable right now: \(error.message)", code: "gateway_unavailable")
            }
            return try StreamHealthReplies.json(OutputsPanel(overview))
        }
        router.post("admin/outputs") { request, context in
            let visit = await web.visit(request)
            if let refusal = refuse(visit, request) { return refusal }
            let form = try await web.submitted(OutputForm.self, request, context, visit)
            let typed = ["name": Self.trimmed(form.name), "url": Self.trimmed(form.url)]
            let key = Self.trimmed(form.streamKey)
            guard !typed["name"]!.isEmpty, !typed["url"]!.isEmpty, !key.isEmpty else {
                let flash = ["message": "Give the output a name, the platform's RTMP URL and its stream key.", "bad": true] as [String: Any]
                return await nightPage(visit, flash: flash, outputForm: typed, status: .unprocessableContent)
            }
            let body = try JSONCoding.encode(OutputTargetInput(name: typed["name"], url: typed["url"], streamKey: key))
            if let refusal = await gateway.changeOutputs(.POST, "/api/v1/admin/outputs", body: body, token: visit.token ?? "", requestID: context.requestID) {
                let flash = ["message": "The output was not added: \(refusal.message)", "bad": true] as [String: Any]
                return await nightPage(visit, flash: flash, outputForm: typed, status: Self.pageStatus(refusal))
            }
            context.logger.notice("admin added an output", metadata: ["admin_id": "\(visit.user!.id)"])
            return web.redirect("/admin/queue?done=output-added#outputs")
        }
        router.post("admin/outputs/:id/:action") { request, context in
            let visit = await web.visit(request)
            if let refusal = refuse(visit, request) { return refusal }
            _ = try await web.submitted(CSRFOnlyForm.self, request, context, visit)
            guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw APIError.notFound("No such output.") }
            let action = try context.parameters.require("action")
            let (method, body) = try Self.outputCall(action)
            let path = "/api/v1/admin/outputs/\(id.uuidString.lowercased())"
            if let refusal = await gateway.changeOutputs(method, path, body: body, token: visit.token ?? "", requestID: context.requestID) {
                return web.redirect("/admin/queue?error=\(refusal.message.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")#outputs")
            }
            context.logger.notice("admin changed an output", metadata: ["action": "\(action)", "output_id": "\(id)", "admin_id": "\(visit.user!.id)"])
            return web.redirect("/admin/queue?done=output-\(action)d#outputs")
        }
    }

    /// HookGateway's method and JSON body (a Shared contract) for a button in the Outputs panel.
    static func outputCall(_ action: String) throws -> (method: HTTPMethod, body: Data?) {
        switch action {
        case "enable", "disable": return (.PATCH, try JSONCoding.encode(OutputTargetInput(enabled: action == "enable")))
        case "delete": return (.DELETE, nil)
        default: throw APIError.notFound("No such action.")
        }
    }

    private static func trimmed(_ text: String?) -> String {
        (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// HookGateway's refusal of the form as the page's own status; its not answering is a 503.
    private static func pageStatus(_ refusal: GatewayDesk.Refusal) -> HTTPResponse.Status {
        (400..<600).contains(refusal.status) ? HTTPResponse.Status(code: refusal.status) : .badGateway
    }
}
