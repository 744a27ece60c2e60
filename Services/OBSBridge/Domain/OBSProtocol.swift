import Crypto
import Foundation

/// obs-websocket v5 (RPC 1) messages, as far as the bridge uses them (reference/protocols.md §3).
enum OBSOpCode: Int, Codable, Sendable {
    case hello = 0, identify = 1, identified = 2, event = 5
    case requestResponse = 7, requestBatch = 8, requestBatchResponse = 9
}

/// `{"op": …, "d": {…}}`, decoded lazily by op code.
struct OBSFrame: Codable, Sendable {
    var op: OBSOpCode
    var d: JSONValue
}

/// One request, by type and data — the unit the reconcile planner produces.
struct OBSRequest: Sendable, Equatable, CustomStringConvertible {
    var type: String
    var data: JSONValue?

    init(_ type: String, _ data: JSONValue? = nil) {
        self.type = type
        self.data = data
    }

    var description: String { data.map { "\(type) \($0)" } ?? type }
}

struct OBSResponse: Sendable, Equatable {
    var type: String
    var code: Int
    var comment: String?
    var data: JSONValue?

    var ok: Bool { code == 100 }

    init(type: String, code: Int, comment: String? = nil, data: JSONValue? = nil) {
        self.type = type
        self.code = code
        self.comment = comment
        self.data = data
    }

    /// From a RequestResponse `d` object (also the elements of a batch's `results`).
    init(_ d: JSONValue) {
        type = d["requestType"]?.string ?? "?"
        code = d["requestStatus"]?["code"]?.int ?? 0
        comment = d["requestStatus"]?["comment"]?.string
        data = d["responseData"]
    }
}

enum OBSCloseCode {
    static let authenticationFailed: UInt16 = 4009
    static let unsupportedRPCVersion: UInt16 = 4010
    static let sessionInvalidated: UInt16 = 4011
}

/// The events the bridge listens to: Scenes | Outputs | SceneItems | MediaInputs | Inputs.
let obsEventSubscriptions = 4 | 8 | 64 | 128 | 256

enum OBSAuthentication {
    /// `base64(sha256(base64(sha256(password + salt)) + challenge))`, salt and challenge used as
    /// the base64 text received.
    static func response(password: String, salt: String, challenge: String) -> String {
        let secret = Data(SHA256.hash(data: Data((password + salt).utf8))).base64EncodedString()
        return Data(SHA256.hash(data: Data((secret + challenge).utf8))).base64EncodedString()
    }
}
