import Foundation
import Hummingbird

/// What the gateway answers SRS, byte for byte. SRS accepts only HTTP 200/201 with an integer
/// `code` of 0 (reference/protocols.md §1.3); everything else rejects the client.
enum HookReply: Equatable, Sendable {
    /// `{"code":0}`
    case accept
    /// `{"code":0,"data":{"urls":[…]}}` — the forward backend's answer.
    case forward([String])
    /// A non-2xx status with a non-zero `code` and a reason for SRS's log.
    case refuse(HTTPResponse.Status, reason: String)

    var status: HTTPResponse.Status {
        switch self {
        case .accept, .forward: .ok
        case .refuse(let status, _): status
        }
    }

    var body: String {
        switch self {
        case .accept:
            return #"{"code":0}"#
        case .forward(let urls):
            return #"{"code":0,"data":{"urls":["# + urls.map(Self.jsonString).joined(separator: ",") + "]}}"
        case .refuse(let status, let reason):
            return #"{"code":\#(status.code),"reason":\#(Self.jsonString(reason))}"#
        }
    }

    var response: Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    private static func jsonString(_ text: String) -> String {
        (try? String(decoding: encoder.encode(text), as: UTF8.self)) ?? "\"\""
    }
}
