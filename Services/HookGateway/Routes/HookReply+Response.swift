import Hummingbird

extension HookReply {
    /// SRS's JSON reply.
    var response: Response {
        Response(
            status: HTTPResponse.Status(code: statusCode),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    /// nginx ignores the body; the reason is for whoever reads nginx's or a proxy's log.
    var nginxResponse: Response {
        let text: String
        switch self {
        case .accept, .forward: text = "ok\n"
        case .refuse(_, let reason): text = reason + "\n"
        }
        return Response(
            status: HTTPResponse.Status(code: statusCode),
            headers: [.contentType: "text/plain; charset=utf-8", .connection: "close"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
