import Hummingbird
import Testing
@testable import HookGateway

/// SRS accepts only HTTP 200/201 with an integer `code` of 0 (reference/protocols.md §1.3).
@Suite struct HookReplyTests {
    @Test func acceptIsExactlyCodeZero() {
        #expect(HookReply.accept.statusCode == 200)
        #expect(HookReply.accept.body == #"{"code":0}"#)
    }

    @Test func forwardCarriesTheURLsUnderData() {
        #expect(HookReply.forward([]).statusCode == 200)
        #expect(HookReply.forward([]).body == #"{"code":0,"data":{"urls":[]}}"#)
        #expect(
            HookReply.forward(["rtmp://127.0.0.1:1935/rec/live?relay_secret=a&b=c"]).body
                == #"{"code":0,"data":{"urls":["rtmp://127.0.0.1:1935/rec/live?relay_secret=a&b=c"]}}"#
        )
    }

    @Test func refusalsUseANonZeroCodeAndANon2xxStatus() {
        let reply = HookReply.refuse(.forbidden, reason: #"unknown "stream" key"#)
        #expect(reply.statusCode == 403)
        #expect(reply.body == #"{"code":403,"reason":"unknown \"stream\" key"}"#)
        #expect(HookReply.refuse(.serviceUnavailable, reason: "x").body.hasPrefix(#"{"code":503,"#))
        #expect(HookReply.refuse(.badRequest, reason: "x").statusCode == 400)
    }

    @Test func responsesAreJSONWithTheReplysStatus() {
        #expect(HookReply.accept.response.headers[.contentType] == "application/json")
        #expect(HookReply.accept.response.status == .ok)
        #expect(HookReply.refuse(.forbidden, reason: "x").response.status == .forbidden)
        #expect(HookReply.refuse(.serviceUnavailable, reason: "x").response.status == .serviceUnavailable)
    }
}
