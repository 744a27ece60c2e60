import Foundation
import Hummingbird
import Shared

/// The pages of a logged-in DJ: the dashboard (key, encoder settings, live state, their own
/// stream's health, their recorded sets) and settings.
struct DJPageRoutes {
    let web: WebSession
    let accounts: Accounts
    let limits: AttemptLimits
    let queue: QueueDesk
    let gateway: GatewayDesk

    func add(to router: RouterGroup<ServiceRequestContext>) {
        router.get("dashboard") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            var flash: [String: Any]?
            switch request.uri.queryParameters["done"].map(String.init) {
            case "rotated": flash = ["message": "Your new key is below. The old one no longer works: update your encoder."]
            case "recording-deleted": flash = ["message": "Recording deleted."]
            default: if request.uri.queryParameters["welcome"] != nil { flash = ["message": "Welcome! Your key and the encoder settings are below."] }
            }
            let recordings = await RecordingRoutes.listing(gateway, for: user, context)
            return web.page("dashboard", visit, title: "Dashboard", [
                "rtmpURL": web.links.rtmpURL, "streamKey": try accounts.revealStreamKey(of: user), "legacyKey": user.legacyKey, "flash": flash as Any,
                "recordings": recordings.rows, "hasRecordings": !recordings.rows.isEmpty, "recordingsProblem": recordings.problem as Any,
            ])
        }
        router.get("dashboard/health") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { throw StreamHealthReplies.loggedOut }
            let lineup = try await StreamHealthReplies.lineup(queue, of: user.id, context)
            return try StreamHealthReplies.json(StreamHealthPanel(lineup.djs.first { $0.userId == user.id }))
        }
        router.post("dashboard/rotate-key") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            _ = try await web.submitted(CSRFOnlyForm.self, request, context, visit)
            try await accounts.rotateStreamKeyFromDashboard(userId: user.id)
            context.logger.info("stream key rotated from the dashboard", metadata: ["user_id": "\(user.id)"])
            return web.redirect("/dashboard?done=rotated")
        }

        router.get("settings") { request, _ in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            let saved: [String: Any]? = request.uri.queryParameters["done"].map { ["message": $0 == "password" ? "Password changed. Your other sessions have ended." : "Saved."] }
            return settingsPage(visit, user: user, form: ["email": user.email, "djName": user.djName, "timezone": user.timezone], errors: [:], flash: saved)
        }
        router.post("settings/profile") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            let form = try await web.submitted(ProfileForm.self, request, context, visit)
            let values = ["email": form.email ?? "", "djName": form.djName ?? "", "timezone": form.timezone ?? ""]
            do {
                try await accounts.updateProfile(of: user, email: values["email"]!, djName: values["djName"]!, timezone: values["timezone"]!)
                return web.redirect("/settings?done=profile")
            } catch let error as AccountError {
                return settingsPage(visit, user: user, form: values, errors: PublicPageRoutes.fieldErrors(error), status: error.apiError.status)
            }
        }
        router.post("settings/password") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            let form = try await web.submitted(PasswordChangeForm.self, request, context, visit)
            let profile = ["email": user.email, "djName": user.djName, "timezone": user.timezone]
            guard form.newPassword == form.newPasswordAgain else {
                return settingsPage(visit, user: user, form: profile, errors: ["new_password_again": "The two passwords differ."], status: .unprocessableContent)
            }
            do {
                try await limits.enforce(.passwordCheck(client: context.client, userId: user.id))
                let token = try await accounts.changePassword(of: user, current: form.currentPassword ?? "", new: form.newPassword ?? "")
                var response = web.redirect("/settings?done=password")
                web.signIn(&response, token: token)
                return response
            } catch let error as AccountError {
                var errors = PublicPageRoutes.fieldErrors(error)
                if errors["password"] != nil { errors["new_password"] = errors.removeValue(forKey: "password") }
                return settingsPage(visit, user: user, form: profile, errors: errors, status: error.apiError.status).carryingRetryAfter(of: error)
            }
        }
        router.post("settings/delete") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            let form = try await web.submitted(DeleteAccountForm.self, request, context, visit)
            do {
                try await limits.enforce(.passwordCheck(client: context.client, userId: user.id))
                try await accounts.deleteAccount(user, password: form.password ?? "")
            } catch let error as AccountError {
                return settingsPage(visit, user: user, form: ["email": user.email, "djName": user.djName, "timezone": user.timezone],
                                    errors: PublicPageRoutes.fieldErrors(error), status: error.apiError.status).carryingRetryAfter(of: error)
            }
            do {
                try await queue.forget(userId: user.id, requestID: context.requestID)
            } catch {
                context.logger.error("account deleted, but QueueService did not take it out of the queue", metadata: ["user_id": "\(user.id)", "error": "\(error)"])
            }
            context.logger.notice("account deleted by its owner", metadata: ["user_id": "\(user.id)"])
            var response = web.message(visit, heading: "Account deleted", text: "Your account and stream key are gone. Thanks for playing.", link: ("/", "Home"))
            web.signOut(&response)
            return response
        }
    }

    /// An error of no one field (too many attempts, too busy) is shown on top of the page.
    func settingsPage(_ visit: WebVisit, user: UserRecord, form: [String: String], errors: [String: String], status: HTTPResponse.Status = .ok, flash: [String: Any]? = nil) -> Response {
        let flash = errors["form"].map { ["message": $0, "bad": true] } ?? flash
        return web.page("settings", visit, title: "Settings", status: status, [
            "form": form, "errors": errors, "zones": PageRenderer.zones(form["timezone"] ?? user.timezone), "flash": flash as Any,
            "pictureURL": accounts.pictureURL(of: user) as Any,
        ])
    }
}
