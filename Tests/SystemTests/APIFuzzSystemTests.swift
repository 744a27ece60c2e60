import Foundation
import Testing
import TestSupport

/// schemathesis (PyPI) against each real process's own `/openapi.json`, with valid
/// credentials, a fixed seed and a bounded budget (`Tests/OpenAPI/schemathesis.toml` says
/// which checks and why): no 5xx, no answer outside its documented status, content type,
/// headers or schema, and no secured route answering without its credentials.
@Suite(.serialized) struct APIFuzzSystemTests {
    static let seed = "20261201"
    static let examplesPerOperation = "20"

    @Test func schemathesisFindsNothingInAnyService() async throws {
        try await withFiveServices { system, consumers in
            let made = try await runCommand("AccountService", ["admin", "create", "--email", "fuzz@example.org", "--dj-name", "Fuzz"], environment: system.accounts.environment, input: "fuzz password 1")
            #expect(made.status == 0, "\(made.output)")
            let login = try await TestHTTP().postForm("\(system.accounts.baseURL)/api/v1/login/access-token", form: "username=fuzz%40example.org&password=fuzz+password+1")
            let token = try #require(try login.json()["access_token"] as? String, "the admin logs in: \(login.body)")
            let environment = [
                "ADMIN_TOKEN": token, "INTERNAL_TOKEN": TestSecrets.internalToken, "HOOK_SECRET": TestSecrets.hook,
                "STREAM_READER_TOKEN": TestSecrets.environment["STREAM_READER_TOKEN"] ?? "",
            ]
            let config = PackageRoot.url.appendingPathComponent("Tests/OpenAPI/schemathesis.toml").path
            let processes = [system.accounts, system.queue, system.gateway] + consumers
            var summary: [String] = []
            for (name, process) in zip(APIDocumentSystemTests.services, processes) {
                let run = try await runProgram(URL(fileURLWithPath: "/usr/bin/env"), [
                    "schemathesis", "--config-file", config, "run", "\(process.baseURL)/openapi.json",
                    "--seed", Self.seed, "--max-examples", Self.examplesPerOperation, "--no-color", "--workers", "1",
                    // Each operation's time, for finding what makes the run long.
                    "--report", "junit", "--report-junit-path", Artifacts.directory.appendingPathComponent("schemathesis-\(name).xml").path,
                ], environment: environment)
                try Artifacts.write("schemathesis-\(name).txt", run.output)
                #expect(run.status == 0, "schemathesis found failures in \(name):\n\(run.output.suffix(6000))")
                let counts = run.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.first?.isNumber == true && $0.contains(" generated") } ?? "no summary"
                let operations = run.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("Tested:") } ?? ""
                summary.append("\(name): \(operations); \(counts)")
            }
            try Artifacts.write("schemathesis-summary.txt", "seed \(Self.seed), \(Self.examplesPerOperation) examples per operation\n" + summary.joined(separator: "\n") + "\n")
            for process in processes {
                #expect(!process.tail(200_000).contains("Fatal error"), "\(process.name) did not crash")
            }
        }
    }
}
