import Foundation
import Hummingbird
import Shared

/// What a page request knows about its browser: who is logged in, and the CSRF token.
struct WebVisit: Sendable {
    var user: UserRecord?
    var token: String?
    var csrf: String
    var setCSRFCookie: Bool
}

/// The web app's plumbing: the session cookie (the same JWT as the API's bearer token,
/// HttpOnly, SameSite=Lax), double-submit CSRF tokens for every form, rendering and redirects.
struct WebSession: Sendable {
    static let csrfCookie = "motherstream_csrf"
    let accounts: Accounts
    let renderer: PageRenderer
    let links: WebLinks
    let secureCookies: Bool

    func visit(_ request: Request) async -> WebVisit {
        var visit = WebVisit(user: nil, token: nil, csrf: "", setCSRFCookie: false)
        if let token = request.cookies[AdminGate.cookieName]?.value, let user = try? await accounts.user(forToken: token) {
            visit.user = user
            visit.token = token
        }
        if let csrf = request.cookies[Self.csrfCookie]?.value, csrf.count >= 32 {
            visit.csrf = csrf
        } else {
            visit.csrf = URLSafeToken.random(byteCount: 24)
            visit.setCSRFCookie = true
        }
        return visit
    }

    /// The posted form, refused when its token does not match the browser's cookie (a cross-site post).
    func submitted<Form: WebForm>(_ type: Form.Type, _ request: Request, _ context: ServiceRequestContext, _ visit: WebVisit) async throws -> Form {
        let form: Form
        do {
            form = try await URLEncodedFormDecoder().decode(Form.self, from: request, context: context)
        } catch let error where error is URLEncodedFormError || error is DecodingError {
            throw APIError.badRequest("This form could not be read. Go back, reload the page and try again.", code: "unreadable_form")
        }
        try checkCSRF(form, visit)
        return form
    }

    /// A posted form with a file input (`multipart/form-data`): its text fields decoded and
    /// CSRF-checked as `submitted` does, and the chosen file's bytes (nil when none was). A form
    /// posted URL-encoded (a script, an old page) is taken as one without a file.
    func submittedWithFile<Form: WebForm>(
        _ type: Form.Type, file field: String, _ request: Request, _ context: ServiceRequestContext, _ visit: WebVisit
    ) async throws -> (form: Form, file: Data?) {
        guard let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary(inContentType:)) else {
            return (try await submitted(type, request, context, visit), nil)
        }
        let unreadable = APIError.badRequest("This form could not be read. Go back, reload the page and try again.", code: "unreadable_form")
        let multipart: MultipartForm
        do {
            // The body limit has read the whole body already; this takes it as it is.
            multipart = try MultipartForm(body: Array(buffer: try await request.body.collect(upTo: .max)), boundary: boundary)
        } catch {
            throw unreadable
        }
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = multipart.parts.filter { $0.filename == nil }.map { part in
            [part.name, String(decoding: part.body, as: UTF8.self)].map { $0.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }.joined(separator: "=")
        }.joined(separator: "&")
        let form: Form
        do {
            form = try URLEncodedFormDecoder().decode(Form.self, from: encoded)
        } catch {
            throw unreadable
        }
        try checkCSRF(form, visit)
        return (form, multipart.file(field))
    }

    private func checkCSRF(_ form: some WebForm, _ visit: WebVisit) throws {
        guard !visit.setCSRFCookie, let presented = form.csrf, Secret(visit.csrf).matches(presented) else {
            throw APIError(.forbidden, code: "csrf", message: "This form expired or came from another site. Go back, reload the page and try again.")
        }
    }

    func page(_ template: String, _ visit: WebVisit, title: String, status: HTTPResponse.Status = .ok, _ values: [String: Any] = [:]) -> Response {
        // An absent value must be absent for mustache: a nil inside `Any` would count as present.
        var context = values.compactMapValues(Self.unwrapped)
        context["title"] = title
        context["csrf"] = visit.csrf
        context["queueURL"] = links.queuePublicURL
        context["liveURL"] = links.liveEventsURL
        if let user = visit.user {
            context["user"] = ["djName": user.djName, "id": user.id.uuidString.lowercased(), "isAdmin": user.role == .admin, "timezone": user.timezone] as [String: Any]
        }
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: renderer.html(template, context)))
        )
        if visit.setCSRFCookie {
            response.setCookie(Cookie(name: Self.csrfCookie, value: visit.csrf, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        return response
    }

    /// The value inside an Optional hidden in `Any`, nil for `.none`, the value itself otherwise.
    static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.flatMap { unwrapped($0.value) }
    }

    func message(_ visit: WebVisit, heading: String, text: String, link: (href: String, label: String)? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = ["heading": heading, "text": text]
        if let link { values["link"] = ["href": link.href, "label": link.label] }
        return page("message", visit, title: heading, status: status, values)
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    func signIn(_ response: inout Response, token: String) {
        response.setCookie(Cookie(
            name: AdminGate.cookieName, value: token, maxAge: Int(accounts.tokenLifetime), path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax
        ))
    }

    func signOut(_ response: inout Response) {
        response.setCookie(Cookie(name: AdminGate.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
    }

    /// Where a logged-out visitor is sent: the login page, coming back here afterwards.
    func requireLogin(_ request: Request) -> Response {
        redirect("/login?next=\(request.uri.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/dashboard")")
    }
}

/// The addresses the web pages hand to browsers.
struct WebLinks: Sendable {
    /// AccountService as browsers reach it (`PUBLIC_URL`): reset links point here.
    var publicURL: String
    /// QueueService as browsers reach it (`QUEUE_PUBLIC_URL`): its queue pages.
    var queuePublicURL: String
    /// Where the pages follow the queue live: QueueService itself when `QUEUE_PUBLIC_URL` says
    /// where browsers reach it, else "" — AccountService's own `/api/v1/events/stream`, relayed,
    /// so a deployment behind one host works without knowing QueueService's address.
    var liveEventsURL: String = ""
    /// What DJs put in their encoder's Server field (`RTMP_PUBLIC_URL`).
    var rtmpURL: String
}
