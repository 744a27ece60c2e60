import Foundation
import Hummingbird
import NIOCore
import Shared

struct PictureReply: Codable, ResponseEncodable {
    var pictureUrl: String
}

/// Profile pictures: a DJ's own through the API (`PUT`/`DELETE /api/v1/users/me/picture`, the
/// body being the image itself), and everyone's served at `GET /pictures/{id}.jpg` for the
/// overlays and Discord.
struct PictureRoutes {
    let accounts: Accounts

    /// Under `/api/v1`, in a group whose body limit is the picture's.
    func addAPI(to api: RouterGroup<ServiceRequestContext>) {
        api.put("users/me/picture") { request, context -> PictureReply in
            let user = try await authenticatedUser(request)
            let upload = try await request.body.collect(upTo: BodyLimit.picture)
            let url = try await accounts.setPicture(of: user.id, upload: Data(buffer: upload))
            context.logger.info("profile picture set", metadata: ["user_id": "\(user.id)"])
            return PictureReply(pictureUrl: url)
        }
        api.delete("users/me/picture") { request, context -> HTTPResponse.Status in
            let user = try await authenticatedUser(request)
            try await accounts.removePicture(of: user.id)
            context.logger.info("profile picture removed", metadata: ["user_id": "\(user.id)"])
            return .noContent
        }
    }

    /// Public. A picture's id changes whenever its picture does, so a copy may be kept for good.
    func addPublic(to router: RouterGroup<ServiceRequestContext>) {
        router.get("pictures/{id}.jpg") { _, context in
            let jpeg = try await accounts.picture(id: Substring(context.parameters.get("id") ?? ""))
            return Response(
                status: .ok,
                headers: [
                    .contentType: "image/jpeg", .cacheControl: "public, max-age=31536000, immutable",
                    .init("X-Content-Type-Options")!: "nosniff", .accessControlAllowOrigin: "*",
                ],
                body: .init(byteBuffer: ByteBuffer(data: jpeg))
            )
        }
    }

    private func authenticatedUser(_ request: Request) async throws -> UserRecord {
        guard let token = request.headers.bearerToken else { throw APIError.unauthorized }
        return try await accounts.user(forToken: token)
    }
}
