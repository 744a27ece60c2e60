import Foundation

/// What the gateway answers SRS, byte for byte. SRS accepts only HTTP 200/201 with an integer
/// `code` of 0 (reference/protocols.md §1.3); everything else rejects the client.
enum HookReply: Equatable, Sendable {
    /// `{"code":0}`
    case accept
    /// `{"code":0,"data":{"urls":[…]}}` — the forward backend's answer.
    case forward([String])
    /// A non-2xx status with a non-zero `code` and a reason for SRS's log.
    case refuse(Refusal, reason: String)

    /// Why a hook is refused; the HTTP status code, which the body repeats as its `code`.
    enum Refusal: Int, Sendable {
        case badRequest = 400
        case forbidden = 403
        case contentTooLarge = 413
        case serviceUnavailable = 503
    }

    var statusCode: Int {
        switch self {
        case .accept, .forward: 200
        case .refuse(let refusal, _): refusal.rawValue
        }
    }

    var body: String {
        switch self {
        case .accept:
            return #"{"code":0}"#
        case .forward(let urls):
            return #"{"code":0,"data":{"urls":["# + urls.map(Self.jsonString).joined(separator: ",") + "]}}"
        case .refuse(let refusal, let reason):
            return #"{"code":\#(refusal.rawValue),"reason":\#(Self.jsonString(reason))}"#
        }
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
