import Foundation
import Hummingbird
import Shared

/// `/internal/v1/recordings`, behind the internal token: AccountService lists, serves and deletes
/// recordings through it for signed-in DJs and admins (it checks who owns what).
struct RecordingRoutes {
    let library: RecordingLibrary
    let files = FileIO()

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get { request, _ -> RecordingList in
            let userId = try request.uri.queryParameters.get("user_id").map { text in
                guard let id = UUID(uuidString: text) else { throw APIError.badRequest("user_id must be a UUID.", code: "invalid_user_id", field: "user_id") }
                return id
            }
            return RecordingList(recordings: library.list().filter { userId == nil || $0.userId == userId })
        }
        group.get(":id") { request, context -> Response in
            try await download(request, context: context)
        }
        group.delete(":id") { _, context -> Response in
            guard let id = context.parameters.get("id"), try library.delete(id) else { throw Self.notFound }
            return Response(status: .noContent)
        }
    }

    /// The file, whole or the one byte range asked for (a player seeking, a download resumed).
    private func download(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), let found = library.recording(id) else { throw Self.notFound }
        let size = Int(found.view.bytes)
        var headers: HTTPFields = [
            .contentType: "video/x-matroska",
            .contentDisposition: "attachment; filename=\"\(found.view.fileName.filter { $0.isASCII && $0 != "\"" && $0 != "\\" })\"",
            .acceptRanges: "bytes",
        ]
        switch RecordingByteRange(header: request.headers[.range], size: size) {
        case .whole:
            return Response(status: .ok, headers: headers, body: try await files.loadFile(path: found.path, context: context))
        case .part(let range):
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            return Response(status: .partialContent, headers: headers, body: try await files.loadFile(path: found.path, range: range, context: context))
        case .unsatisfiable:
            throw APIError(
                .rangeNotSatisfiable, code: "range_not_satisfiable", message: "The recording has \(size) bytes; ask for a range within them.",
                headers: [.contentRange: "bytes */\(size)"]
            )
        }
    }

    private static let notFound = APIError.notFound("There is no such recording.", code: "recording_not_found")
}
