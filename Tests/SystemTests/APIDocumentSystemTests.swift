import Foundation
import Testing
import TestSupport
import Yams

/// The five OpenAPI documents cannot drift from the code: each real process serves its own
/// `Services/<Name>/openapi.yaml` at `/openapi.json`, its router's routes are exactly the
/// document's operations, the document validates, and its routes answer as documented: a secured
/// operation without credentials, a GET with them (valid) and a JSON operation sent a body
/// that is not JSON (invalid) each get a status the operation documents, in its documented shape.
@Suite(.serialized) struct APIDocumentSystemTests {
    static let services = ["AccountService", "QueueService", "HookGateway", "OBSBridge", "Notifier"]

    @Test func everyServiceServesADocumentThatIsItsRouter() async throws {
        try await withFiveServices { system, consumers in
            let processes = [system.accounts, system.queue, system.gateway] + consumers
            let credentials = try await Self.credentials(system)
            var report: [String] = []
            for (name, process) in zip(Self.services, processes) {
                let served = try await TestHTTP().get("\(process.baseURL)/openapi.json")
                #expect(served.status == 200, "\(name) serves /openapi.json")
                #expect(served.headers.first(name: "content-type")?.hasPrefix("application/json") == true)
                let document = try #require(try JSONSerialization.jsonObject(with: Data(served.body.utf8)) as? [String: Any], "\(name)'s document is a JSON object")
                #expect(NSDictionary(dictionary: document).isEqual(to: try Self.source(of: name)), "\(name) serves exactly Services/\(name)/openapi.yaml")

                let inventory = try await TestHTTP().get("\(process.baseURL)/internal/v1/routes", headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"]).json()
                let routes = inventory["routes"] as? [String] ?? []
                #expect(inventory["undocumented"] as? [String] == [], "\(name): routes its router serves that its document lacks")
                #expect(inventory["unserved"] as? [String] == [], "\(name): operations its document has that its router lacks")
                #expect(Set(routes) == Self.operations(document), "\(name): the router's routes are the document's operations")

                let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).json")
                try Data(served.body.utf8).write(to: file)
                let validated = try await runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["openapi-spec-validator", file.path], environment: [:])
                #expect(validated.status == 0, "\(name)'s document is valid OpenAPI: \(validated.output)")

                let refusals = try await Self.refusalsWithoutCredentials(document, baseURL: process.baseURL)
                let answers = try await Self.answersWithCredentials(document, baseURL: process.baseURL, credentials: credentials)
                for problem in refusals.problems + answers.problems { Issue.record("\(name): \(problem)") }
                report.append(
                    "\(name): \(routes.count) routes = \(Self.operations(document).count) documented operations; \(refusals.checked) secured operations refused without credentials, "
                        + "\(answers.valid) GETs answered with credentials and \(answers.invalid) unreadable JSON bodies refused, each as documented"
                )
            }
            try Artifacts.write("openapi-drift.txt", report.joined(separator: "\n") + "\n")
        }
    }

    /// The YAML file as the JSON object a service should serve (timestamps stay text, as the service keeps them).
    static func source(of service: String) throws -> [String: Any] {
        let text = try String(contentsOf: PackageRoot.url.appendingPathComponent("Services/\(service)/openapi.yaml"), encoding: .utf8)
        let yaml = try #require(try Yams.load(yaml: text, Resolver.default.removing(.timestamp)))
        let json = try JSONSerialization.data(withJSONObject: yaml)
        return try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    }

    static let methods = ["get", "put", "post", "delete", "patch"]

    static func operations(_ document: [String: Any]) -> Set<String> {
        let paths = document["paths"] as? [String: Any] ?? [:]
        return Set(paths.flatMap { path, item in
            methods.filter { (item as? [String: Any])?[$0] != nil }.map { "\($0.uppercased()) \(path)" }
        })
    }

    /// Sends each operation that needs credentials a request without any (path parameters
    /// filled with a placeholder, no body) and checks the answer is one the operation documents,
    /// and a JSON body with the keys that answer's schema requires.
    static func refusalsWithoutCredentials(_ document: [String: Any], baseURL: String) async throws -> (checked: Int, problems: [String]) {
        var checked = 0
        var problems: [String] = []
        let paths = document["paths"] as? [String: Any] ?? [:]
        for path in paths.keys.sorted() {
            guard let item = paths[path] as? [String: Any] else { continue }
            for method in methods {
                guard let operation = item[method] as? [String: Any],
                      let security = operation["security"] as? [[String: Any]], !security.isEmpty, !security.contains(where: \.isEmpty)
                else { continue }
                let concrete = path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "00000000-0000-4000-8000-000000000000", options: .regularExpression)
                let reply = try await TestHTTP().send(.init(rawValue: method.uppercased()), "\(baseURL)\(concrete)", body: nil)
                checked += 1
                let responses = operation["responses"] as? [String: Any] ?? [:]
                let status = "\(reply.status)"
                guard let documented = resolve(responses[status] ?? responses["\(status.prefix(1))XX"] ?? responses["default"], in: document) else {
                    problems.append("\(method.uppercased()) \(path) without credentials answered \(reply.status), which it does not document (\(responses.keys.sorted()))")
                    continue
                }
                guard (200..<300).contains(reply.status) == false else {
                    problems.append("\(method.uppercased()) \(path) answered \(reply.status) without credentials")
                    continue
                }
                let content = documented["content"] as? [String: Any] ?? [:]
                if let json = content["application/json"] as? [String: Any], let schema = resolve(json["schema"], in: document) {
                    // The refusal's own documented shape: the error envelope, or SRS's `{"code", "reason"}` on the hooks.
                    let body = (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [String: Any]
                    let required = schema["required"] as? [String] ?? []
                    if body == nil || !required.allSatisfy({ body?[$0] != nil }) {
                        problems.append("\(method.uppercased()) \(path) refused with \(reply.status) but not in its documented shape (keys \(required)): \(reply.body.prefix(200))")
                    }
                }
            }
        }
        return (checked, problems)
    }

    /// An admin made with AccountService's command line, logged in; and the other secrets, by
    /// the name of the security scheme that presents them.
    static func credentials(_ system: RunningSystem) async throws -> [String: String] {
        let made = try await runCommand("AccountService", ["admin", "create", "--email", "docs@example.org", "--dj-name", "Docs"], environment: system.accounts.environment, input: "docs password 1")
        #expect(made.status == 0, "\(made.output)")
        let login = try await TestHTTP().postForm("\(system.accounts.baseURL)/api/v1/login/access-token", form: "username=docs%40example.org&password=docs+password+1")
        let token = try #require(try login.json()["access_token"] as? String, "the admin logs in: \(login.body)")
        return [
            "bearerJWT": token, "sessionCookie": token, "internalToken": TestSecrets.internalToken, "hookSecret": TestSecrets.hook,
            "streamReaderToken": TestSecrets.environment["STREAM_READER_TOKEN"] ?? "",
        ]
    }

    /// The URL suffix and headers that present an operation's first security requirement.
    static func present(_ operation: [String: Any], _ document: [String: Any], _ credentials: [String: String]) -> (query: [String], headers: [String: String]) {
        let schemes = (document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any] ?? [:]
        var query: [String] = []
        var headers: [String: String] = [:]
        let requirement = (operation["security"] as? [[String: Any]])?.first ?? [:]
        for name in requirement.keys.sorted() {
            guard let scheme = schemes[name] as? [String: Any], let value = credentials[name] else { continue }
            switch (scheme["type"] as? String, scheme["in"] as? String) {
            case ("http", _): headers["Authorization"] = "Bearer \(value)"
            case ("apiKey", "header"): headers[scheme["name"] as? String ?? ""] = value
            case ("apiKey", "query"): query.append("\(scheme["name"] as? String ?? "")=\(value)")
            case ("apiKey", "cookie"): headers["Cookie"] = "\(scheme["name"] as? String ?? "")=\(value)"
            default: break
            }
        }
        return (query, headers)
    }

    /// With credentials: every GET without path parameters or required query parameters (a
    /// valid request) answers a documented status with its schema's required keys; every JSON
    /// body operation sent a body that is not JSON (an invalid one) answers a documented 4xx in
    /// its documented shape. Streams and the long poll are left to schemathesis.
    static func answersWithCredentials(_ document: [String: Any], baseURL: String, credentials: [String: String]) async throws -> (valid: Int, invalid: Int, problems: [String]) {
        var valid = 0
        var invalid = 0
        var problems: [String] = []
        let paths = document["paths"] as? [String: Any] ?? [:]
        for path in paths.keys.sorted() where !path.contains("{") {
            guard let item = paths[path] as? [String: Any] else { continue }
            for method in methods {
                guard let operation = item[method] as? [String: Any] else { continue }
                let parameters = (operation["parameters"] as? [Any] ?? []).compactMap { resolve($0, in: document) }
                let responses = operation["responses"] as? [String: Any] ?? [:]
                let produces = responses.values.compactMap { (resolve($0, in: document)?["content"] as? [String: Any])?.keys }.flatMap { $0 }
                let (query, headers) = present(operation, document, credentials)
                let url = baseURL + path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
                let label = "\(method.uppercased()) \(path)"
                if method == "get" {
                    guard !parameters.contains(where: { $0["required"] as? Bool == true }), !produces.contains("text/event-stream"), path != "/internal/v1/events" else { continue }
                    let reply = try await TestHTTP().get(url, headers: headers)
                    valid += 1
                    problems += check(reply, label, responses, document, expecting: 200..<400)
                } else if let body = (resolve(operation["requestBody"], in: document)?["content"] as? [String: Any]), body["application/json"] != nil {
                    let reply = try await TestHTTP().send(.init(rawValue: method.uppercased()), url, body: #"{"unfinished"#, headers: headers)
                    invalid += 1
                    problems += check(reply, label, responses, document, expecting: 400..<500)
                }
            }
        }
        return (valid, invalid, problems)
    }

    static func check(_ reply: TestHTTP.Reply, _ label: String, _ responses: [String: Any], _ document: [String: Any], expecting range: Range<Int>) -> [String] {
        let status = "\(reply.status)"
        guard range.contains(reply.status) else { return ["\(label) answered \(reply.status), expected \(range.lowerBound)–\(range.upperBound - 1): \(reply.body.prefix(200))"] }
        guard let documented = resolve(responses[status] ?? responses["\(status.prefix(1))XX"] ?? responses["default"], in: document) else {
            return ["\(label) answered \(reply.status), which it does not document (\(responses.keys.sorted()))"]
        }
        let content = documented["content"] as? [String: Any] ?? [:]
        guard let json = content["application/json"] as? [String: Any], let schema = resolve(json["schema"], in: document) else { return [] }
        let body = (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8), options: .fragmentsAllowed))
        let required = schema["required"] as? [String] ?? []
        if body == nil || (!required.isEmpty && !required.allSatisfy({ (body as? [String: Any])?[$0] != nil })) {
            return ["\(label) answered \(reply.status) but not in its documented shape (keys \(required)): \(reply.body.prefix(200))"]
        }
        return []
    }

    static func resolve(_ value: Any?, in document: [String: Any]) -> [String: Any]? {
        guard var object = value as? [String: Any] else { return nil }
        while let ref = object["$ref"] as? String, ref.hasPrefix("#/") {
            var node: Any = document
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] as Any }
            guard let target = node as? [String: Any] else { return nil }
            object = target
        }
        return object
    }
}
