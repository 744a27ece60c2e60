import Foundation
import Hummingbird
import Shared

/// The pages anyone can open: home, sign up, log in and out, and the password reset by email.
struct PublicPageRoutes {
    let web: WebSession
    let accounts: Accounts
    let limits: AttemptLimits
    let mailer: any Mailer

    /// `uploads`: the forms that may carry a profile picture, under their larger body limit.
    func add(to router: RouterGroup<ServiceRequestContext>, uploads: RouterGroup<ServiceRequestContext>) {
        router.get("/") { request, _ in
            web.page("home", await web.visit(request), title: "Welcome")
        }
        router.get("static/app.css") { _, _ in Self.asset(web.renderer.stylesheet, type: "text/css; charset=utf-8") }
        router.get("static/app.js") { _, _ in Self.asset(web.renderer.script, type: "text/javascript; charset=utf-8") }

        router.get("signup") { request, _ in
            let visit = await web.visit(request)
            if visit.user != nil { return web.redirect("/dashboard") }
            return signupPage(visit, form: [:], errors: [:])
        }
        uploads.post("signup") { request, context in
            let visit = await web.visit(request)
            let (form, picture) = try await web.submittedWithFile(SignupPageForm.self, file: "picture", request, context, visit)
            let values = ["email": form.email ?? "", "djName": form.djName ?? "", "timezone": form.timezone ?? ""]
            var problems = AccountRules.problems(SignupForm(email: values["email"]!, password: form.password ?? "", djName: values["djName"]!, timezone: values["timezone"]!))
            if form.password != form.passwordAgain { problems["password_again"] = "The two passwords differ." }
            guard problems.isEmpty else {
                return signupPage(visit, form: values, errors: problems, status: .unprocessableContent)
            }
            do {
                try await limits.enforce(.signUp(client: context.client, email: values["email"]!))
                let (user, _) = try await accounts.signUp(SignupForm(
                    email: values["email"]!, password: form.password ?? "", djName: values["djName"]!, timezone: values["timezone"]!
                ), picture: picture)
                context.logger.info("account created from the web", metadata: ["user_id": "\(user.id)"])
                var response = web.redirect("/dashboard?welcome=1")
                web.signIn(&response, token: try await accounts.session(for: user))
                return response
            } catch let error as AccountError {
                return signupPage(visit, form: values, errors: Self.fieldErrors(error), status: error.apiError.status).carryingRetryAfter(of: error)
            }
        }

        router.get("login") { request, _ in
            let visit = await web.visit(request)
            if visit.user != nil { return web.redirect("/dashboard") }
            return web.page("login", visit, title: "Log in", ["next": Self.safeNext(request.uri.queryParameters["next"].map(String.init))])
        }
        router.post("login") { request, context in
            let visit = await web.visit(request)
            let form = try await web.submitted(LoginPageForm.self, request, context, visit)
            let next = Self.safeNext(form.next)
            do {
                try await limits.enforce(.logIn(client: context.client, email: form.email ?? ""))
                let token = try await accounts.logIn(email: form.email ?? "", password: form.password ?? "")
                var response = web.redirect(next)
                web.signIn(&response, token: token)
                return response
            } catch let error as AccountError {
                let message = error == .invalidCredentials ? "Incorrect email or password." : error.message
                return web.page("login", visit, title: "Log in", status: error.apiError.status, [
                    "form": ["email": form.email ?? ""], "next": next, "errors": ["form": message],
                ]).carryingRetryAfter(of: error)
            }
        }

        router.get("logout") { request, _ in
            web.page("logout", await web.visit(request), title: "Log out")
        }
        router.post("logout") { request, context in
            let visit = await web.visit(request)
            _ = try await web.submitted(CSRFOnlyForm.self, request, context, visit)
            if let token = visit.token { try await accounts.logOut(token: token) }
            var response = web.redirect("/")
            web.signOut(&response)
            return response
        }

        router.get("forgot-password") { request, _ in
            web.page("forgot", await web.visit(request), title: "Forgot your password?")
        }
        router.post("forgot-password") { request, context in
            let visit = await web.visit(request)
            let form = try await web.submitted(ForgotPasswordForm.self, request, context, visit)
            let email = (form.email ?? "").uniquenessKey
            if let wait = try await limits.check(.resetMail(client: context.client, email: email)) {
                var response = web.message(visit, heading: "Slow down", text: "Too many reset requests. Try again in \(Int(wait.rounded(.up) / 60) + 1) minutes.", status: .tooManyRequests)
                response.headers[.retryAfter] = "\(Int(wait.rounded(.up)))"
                return response
            }
            do {
                try await accounts.requestPasswordReset(email: email, publicURL: web.links.publicURL, mailer: mailer)
            } catch {
                // The answer must not depend on whether the address exists, nor on the mail server.
                context.logger.error("password reset mail failed", metadata: ["error": "\(error)"])
            }
            return web.message(visit, heading: "Check your mail", text: "If that address has an account, a reset link is on its way. It works once, for one hour.")
        }

        router.get("reset-password") { request, _ in
            let visit = await web.visit(request)
            let token = request.uri.queryParameters["token"].map(String.init) ?? ""
            guard try await accounts.resetLinkIsUsable(token: token) else {
                return web.message(
                    visit, heading: "This link no longer works",
                    text: "This reset link was already used, has expired (links work for an hour) or is incomplete.",
                    link: ("/forgot-password", "Ask for a new link"), status: .gone
                )
            }
            return web.page("reset", visit, title: "New password", ["token": token])
        }
        router.post("reset-password") { request, context in
            let visit = await web.visit(request)
            let form = try await web.submitted(ResetPasswordForm.self, request, context, visit)
            let token = form.token ?? ""
            guard form.password == form.passwordAgain else {
                return web.page("reset", visit, title: "New password", status: .unprocessableContent, ["token": token, "errors": ["password_again": "The two passwords differ."]])
            }
            do {
                try await limits.enforce(.newPassword(client: context.client))
                let userId = try await accounts.resetPassword(token: token, newPassword: form.password ?? "")
                context.logger.notice("password reset; every session of the account ended", metadata: ["user_id": "\(userId)"])
                var response = web.message(visit, heading: "Password changed", text: "Your password is set and every old session has ended. Log in with the new one.", link: ("/login", "Log in"))
                web.signOut(&response)
                return response
            } catch let error as AccountError {
                return web.page("reset", visit, title: "New password", status: error.apiError.status, ["token": token, "errors": Self.fieldErrors(error)])
                    .carryingRetryAfter(of: error)
            }
        }
    }

    private func signupPage(_ visit: WebVisit, form: [String: String], errors: [String: String], status: HTTPResponse.Status = .ok) -> Response {
        web.page("signup", visit, title: "Sign up", status: status, [
            "form": form, "errors": errors, "duplicateEmail": errors["email"] == AccountError.duplicateEmail.message, "zones": PageRenderer.zones(form["timezone"].flatMap { $0.isEmpty ? nil : $0 } ?? "UTC"),
        ])
    }

    static func fieldErrors(_ error: AccountError) -> [String: String] {
        [error.field ?? "form": error.message]
    }

    /// Only a path on this site: never an open redirect.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/dashboard" }
        return next
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=300"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
