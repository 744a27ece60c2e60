import Foundation
import Shared
import Testing
import TestSupport
@testable import HookGateway

@Suite struct HookRequestTests {
    static let recorded = [
        "on_publish.json", "on_unpublish.json", "on_forward.json", "on_play.json", "on_stop.json", "on_connect.json",
        "on_close.json", "forwarded-copy.on_publish.json", "forwarded-copy.on_unpublish.json", "forwarded-copy.on_forward.json",
    ]

    @Test(arguments: recorded) func everyRecordedBodyDecodes(_ name: String) throws {
        let hook = try HookRequest.decode(SRSFixture.data(name))
        #expect(!hook.clientId.isEmpty)
        #expect(hook.kind != .other)
    }

    @Test func onCloseHasNoStream() throws {
        let hook = try HookRequest.decode(SRSFixture.data("on_close.json"))
        #expect(hook.kind == .onClose)
        #expect(hook.stream == nil)
        #expect(hook.clientId == "q804r8s6")
    }

    @Test func parametersAreReadFromSRSsParamWithItsQuestionMark() throws {
        let hook = try HookRequest.decode(SRSFixture.data("on_publish.json"))
        #expect(hook.param == "?foo=bar")
        #expect(hook.parameter("foo") == "bar")
        #expect(hook.parameter("relay_secret") == nil)
        var relay = hook
        relay.param = "?a=1&relay_secret=s%3Dcret&b"
        #expect(relay.parameter("relay_secret") == "s=cret")
        #expect(relay.parameter("b") == "")
    }
}

@Suite struct PublishPolicyTests {
    let policy = PublishPolicy(ingestApp: "live", relaySecret: Secret(TestSecrets.relay))

    func hook(_ name: String, param: String? = nil, stream: String? = nil) throws -> HookRequest {
        try HookRequest.decode(Data(SRSFixture.body(name, streamKey: stream, param: param).utf8))
    }

    @Test func aPublishToTheIngestAppIsADJPublish() throws {
        #expect(policy.classify(try hook("on_publish.json")) == .djPublish(streamKey: "KEY123"))
    }

    @Test func aCopyToAnotherAppNeedsTheRelaySecret() throws {
        #expect(policy.classify(try hook("forwarded-copy.on_publish.json", param: "?relay_secret=\(TestSecrets.relay)")) == .relay)
        guard case .refuse = policy.classify(try hook("forwarded-copy.on_publish.json")) else {
            Issue.record("a copy without the relay secret must be refused")
            return
        }
        guard case .refuse = policy.classify(try hook("forwarded-copy.on_publish.json", param: "?relay_secret=guess")) else {
            Issue.record("a wrong relay secret must be refused")
            return
        }
    }

    @Test func anEmptyStreamNameIsRefused() throws {
        guard case .refuse = policy.classify(try hook("on_publish.json", stream: "")) else {
            Issue.record("an empty stream must be refused")
            return
        }
    }
}
