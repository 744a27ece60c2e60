import Hummingbird

extension HookReply {
    var response: Response {
        Response(
            status: HTTPResponse.Status(code: statusCode),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }
}
