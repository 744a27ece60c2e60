import Hummingbird
import Shared

/// A path nobody serves, opened in a browser, gets a page in the site's style with a way back;
/// the API and internal routes keep their JSON errors.
struct NotFoundPage: RouterMiddleware {
    let web: WebSession

    func handle(_ request: Request, context: ServiceRequestContext, next: (Request, ServiceRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            guard request.method == .get, !path.hasPrefix("/api/"), !path.hasPrefix("/internal/") else { throw error }
            let visit = await web.visit(request)
            return web.message(
                visit, heading: "Page not found", text: "There is no page at this address: it may have moved, or the link was cut short.",
                link: visit.user == nil ? ("/", "Back to the start") : ("/dashboard", "Go to your dashboard"), status: .notFound
            )
        }
    }
}
