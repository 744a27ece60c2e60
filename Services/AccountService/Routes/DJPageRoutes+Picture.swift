import Foundation
import Hummingbird
import Shared

extension DJPageRoutes {
    /// The settings page's picture forms: upload (in `uploads`, under the picture forms' body
    /// limit) and remove.
    func addPictureForms(uploads: RouterGroup<ServiceRequestContext>, to router: RouterGroup<ServiceRequestContext>) {
        uploads.post("settings/picture") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            let (_, upload) = try await web.submittedWithFile(CSRFOnlyForm.self, file: "picture", request, context, visit)
            do {
                guard let upload else { throw AccountError.invalidField(field: "picture", message: "Choose a picture first.") }
                _ = try await accounts.setPicture(of: user.id, upload: upload)
                context.logger.info("profile picture set from the settings page", metadata: ["user_id": "\(user.id)"])
                return web.redirect("/settings?done=picture")
            } catch let error as AccountError {
                return settingsPage(visit, user: user, form: Self.profile(of: user), errors: PublicPageRoutes.fieldErrors(error), status: error.apiError.status)
            }
        }
        router.post("settings/picture/remove") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            _ = try await web.submitted(CSRFOnlyForm.self, request, context, visit)
            try await accounts.removePicture(of: user.id)
            context.logger.info("profile picture removed from the settings page", metadata: ["user_id": "\(user.id)"])
            return web.redirect("/settings?done=picture")
        }
    }

    private static func profile(of user: UserRecord) -> [String: String] {
        ["email": user.email, "djName": user.djName, "timezone": user.timezone]
    }
}
