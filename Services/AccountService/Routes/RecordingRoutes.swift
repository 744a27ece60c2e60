import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// Recorded sets: a DJ's own on the dashboard, everyone's for admins, downloads proxied from
/// HookGateway so none is reachable without a session. Whose a recording is, is checked here
/// against HookGateway's listing: a DJ asking for another's gets the same 404 as for none at all.
struct RecordingRoutes {
    let web: WebSession
    let gateway: GatewayDesk

    /// What a download keeps of HookGateway's reply: ranges, length, type and the file's name.
    static let passedHeaders: [HTTPField.Name] = [.contentType, .contentLength, .contentRange, .acceptRanges, .contentDisposition, .lastModified, .eTag]

    func add(to router: RouterGroup<ServiceRequestContext>) {
        router.get("admin/recordings") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            guard user.role == .admin else { return web.message(visit, heading: "Admins only", text: "This page is for the collective's admins.", status: .forbidden) }
            let listing = await Self.listing(gateway, for: user, everyone: true, context)
            let flash: [String: Any]? = request.uri.queryParameters["done"] == "deleted" ? ["message": "Recording deleted."] : nil
            return web.page("admin_recordings", visit, title: "Recordings", [
                "mainClass": "wide", "recordings": listing.rows, "hasRecordings": !listing.rows.isEmpty, "recordingsProblem": listing.problem as Any, "flash": flash as Any,
            ])
        }
        router.get("recordings/:id") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            switch await owned(try context.parameters.require("id"), by: user, context) {
            case .success(let recording): return await download(recording, visit, request, context)
            case .failure(let refusal): return refusal.page(web, visit)
            }
        }
        router.post("recordings/:id/delete") { request, context in
            let visit = await web.visit(request)
            guard let user = visit.user else { return web.requireLogin(request) }
            let form = try await web.submitted(RecordingDeleteForm.self, request, context, visit)
            let recording: RecordingView
            switch await owned(try context.parameters.require("id"), by: user, context) {
            case .success(let found): recording = found
            case .failure(let refusal): return refusal.page(web, visit)
            }
            do {
                try await gateway.deleteRecording(recording.id, requestID: context.requestID)
            } catch {
                context.logger.error("HookGateway did not delete a recording", metadata: ["recording_id": "\(recording.id)", "error": "\(error)"])
                return RecordingRefusal.unavailable.page(web, visit)
            }
            context.logger.notice("recording deleted", metadata: ["recording_id": "\(recording.id)", "owner_id": "\(recording.userId?.uuidString ?? "programme")", "by": "\(user.id)"])
            return web.redirect(form.from == "admin" && user.role == .admin ? "/admin/recordings?done=deleted" : "/dashboard?done=recording-deleted")
        }
    }

    /// `user`'s own recordings (with `everyone`, for an admin, all), as page rows, or why there
    /// are none to show: a HookGateway that does not answer never fails the page.
    static func listing(_ gateway: GatewayDesk, for user: UserRecord, everyone: Bool = false, _ context: ServiceRequestContext) async -> (rows: [[String: Any]], problem: String?) {
        do {
            let zone = TimeZone(identifier: user.timezone) ?? TimeZone(secondsFromGMT: 0)!
            return (RecordingRow.rows(try await visible(gateway, to: user, everyone: everyone, context), in: zone).map(\.values), nil)
        } catch {
            context.logger.warning("HookGateway did not list the recordings", metadata: ["error": "\(error)"])
            return ([], "Recordings are unavailable right now.")
        }
    }

    private static func visible(_ gateway: GatewayDesk, to user: UserRecord, everyone: Bool, _ context: ServiceRequestContext) async throws -> [RecordingView] {
        if everyone, user.role == .admin { return try await gateway.recordings(of: nil, requestID: context.requestID) }
        return try await gateway.recordings(of: user.id, requestID: context.requestID).filter { $0.userId == user.id }
    }

    private func owned(_ id: String, by user: UserRecord, _ context: ServiceRequestContext) async -> Result<RecordingView, RecordingRefusal> {
        do {
            let recording = try await Self.visible(gateway, to: user, everyone: true, context).first { $0.id == id }
            return recording.map { .success($0) } ?? .failure(.missing)
        } catch {
            context.logger.warning("HookGateway did not list the recordings", metadata: ["error": "\(error)"])
            return .failure(.unavailable)
        }
    }

    /// HookGateway's reply passed on as it streams in: the status (200, 206 or 416) and ranges
    /// as HookGateway made them, never more than a few buffers of the file in memory here.
    private func download(_ recording: RecordingView, _ visit: WebVisit, _ request: Request, _ context: ServiceRequestContext) async -> Response {
        let upstream: HTTPClientResponse
        do {
            upstream = try await gateway.download(
                recording.id, range: request.headers[.range], ifRange: request.headers[.ifRange], requestID: context.requestID
            )
        } catch {
            context.logger.warning("HookGateway did not serve a recording", metadata: ["recording_id": "\(recording.id)", "error": "\(error)"])
            return RecordingRefusal.unavailable.page(web, visit)
        }
        let status = Int(upstream.status.code)
        guard [200, 206, 416].contains(status) else {
            context.logger.warning("HookGateway refused a recording", metadata: ["recording_id": "\(recording.id)", "status": "\(status)"])
            return (status == 404 ? RecordingRefusal.missing : .unavailable).page(web, visit)
        }
        var headers: HTTPFields = [.cacheControl: "private, no-store"]
        for name in Self.passedHeaders {
            if let value = upstream.headers.first(name: name.rawName) { headers[name] = value }
        }
        if headers[.contentDisposition] == nil {
            headers[.contentDisposition] = "attachment; filename=\"\(recording.fileName.filter { $0 != "\"" && $0 != "\\" })\""
        }
        let body = upstream.body
        return Response(status: .init(code: status), headers: headers, body: ResponseBody { writer in
            for try await buffer in body {
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        })
    }
}

/// Why a recording is not handed over, as the page says it. Another DJ's recording is `missing`,
/// exactly like one that never was: its id tells nobody it exists.
enum RecordingRefusal: Error {
    case missing
    case unavailable

    func page(_ web: WebSession, _ visit: WebVisit) -> Response {
        switch self {
        case .missing:
            web.message(visit, heading: "No such recording", text: "There is no recording of yours with this address.", link: ("/dashboard", "Dashboard"), status: .notFound)
        case .unavailable:
            web.message(visit, heading: "Recordings unavailable", text: "The recordings cannot be reached right now. Try again in a moment.", status: .serviceUnavailable)
        }
    }
}
