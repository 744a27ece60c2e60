import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import AccountService

@Suite struct APIDocsPageTests {
    @Test func descriptionsAreEscapedBeforeTheirMarkdownBecomesTags() {
        #expect(DocumentText.inline("send `Authorization: Bearer <token>` **now**") == "send <code>Authorization: Bearer &lt;token&gt;</code> <strong>now</strong>")
        #expect(DocumentText.inline("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(DocumentText.html("One\nline.\n\n- a\n- b `c`\n\nEnd") == "<p>One line.</p>\n<ul><li>a</li><li>b <code>c</code></li></ul>\n<p>End</p>")
    }

    /// With the other four services not running, the page still lists every AccountService
    /// route its own document has, and names each peer whose document it could not read.
    @Test func listsThisServicesOperationsAndNamesThePeersThatDidNotAnswer() async throws {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = try temporaryDirectory("api-docs").path
        let nobody = "http://127.0.0.1:\(try freePort())"
        for key in ["QUEUE_SERVICE_URL", "HOOK_GATEWAY_URL", "OBS_BRIDGE_URL", "NOTIFIER_URL"] { environment[key] = nobody }
        let app = try await buildApplication(try AccountServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Services/AccountService/openapi.yaml")
        let document = try APIDocument(resource: source)
        try await app.test(.router) { client in
            try await client.execute(uri: "/docs", method: .get) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                for operation in document.operations {
                    let parts = operation.split(separator: " ", maxSplits: 1)
                    #expect(page.contains("<span class=\"badge method\">\(parts[0])</span> <code>\(parts[1])</code>"), "\(operation) is on the page")
                }
                for peer in ["QueueService", "HookGateway", "OBSBridge", "Notifier"] {
                    #expect(page.contains("\(peer)&#39;s document could not be read (no answer)"), "\(peer) is named as unavailable")
                }
            }
        }
    }
}
