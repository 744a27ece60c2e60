import Foundation
import Hummingbird
import Shared
import Testing

@Suite struct APIDocumentTests {
    static let yaml = """
        openapi: 3.1.0
        info: {title: T, version: '1'}
        paths:
          /users/{id}:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      example: {joined_at: 2026-12-01T21:00:00.000Z, admin: false, count: 3}
            delete:
              responses: {'204': {description: gone}}
          /health:
            get:
              responses: {'200': {description: ok}}
            parameters: []
        """

    @Test func listsEveryOperationAsMethodAndPath() throws {
        let document = try APIDocument(yaml: Self.yaml)
        #expect(document.operations == ["GET /users/{id}", "DELETE /users/{id}", "GET /health"])
    }

    /// A YAML timestamp stays the text it was, as it would in JSON; numbers and booleans keep their types.
    @Test func servesTheYAMLAsTheSameJSON() throws {
        let document = try APIDocument(yaml: Self.yaml)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: document.json)) as? [String: Any])
        let example = try #require(((((json["paths"] as? [String: Any])?["/users/{id}"] as? [String: Any])?["get"] as? [String: Any]).flatMap {
            ((($0["responses"] as? [String: Any])?["200"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        })?["example"] as? [String: Any])
        #expect(example["joined_at"] as? String == "2026-12-01T21:00:00.000Z")
        #expect(example["admin"] as? Bool == false)
        #expect(example["count"] as? Int == 3)
        #expect(json["openapi"] as? String == "3.1.0")
    }

    @Test func routerPathsAreSpelledAsTheDocumentSpellsThem() throws {
        let router = Router()
        router.get("users/:id") { _, _ in "" }
        router.delete("users/{id}") { _, _ in "" }
        router.get("/health") { _, _ in "" }
        router.get("pictures/{id}.jpg") { _, _ in "" }
        #expect(APIDocument.operations(of: router) == ["GET /users/{id}", "DELETE /users/{id}", "GET /health", "GET /pictures/{id}.jpg"])
    }

    @Test func refusesADocumentWithoutPaths() {
        #expect(throws: APIDocumentError.self) { try APIDocument(yaml: "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n") }
        #expect(throws: APIDocumentError.self) { try APIDocument(yaml: "- just\n- a list\n") }
    }
}

extension APIDocumentTests {
    /// YAML 1.1 would read these as a boolean, an octal number and a sexagesimal one; in JSON
    /// (and YAML 1.2) they are text.
    @Test func readsScalarsAsYAML12Does() throws {
        let document = try APIDocument(yaml: """
            openapi: 3.1.0
            info: {title: T, version: '1'}
            paths: {}
            x-values: {switch: on, answer: no, mode: 0755, time: 1:30, yes: true, count: 12, ratio: 1.5, nothing: null}
            """)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: document.json)) as? [String: Any])
        let values = try #require(json["x-values"] as? [String: Any])
        #expect(values["switch"] as? String == "on")
        #expect(values["answer"] as? String == "no")
        #expect(values["mode"] as? String == "0755")
        #expect(values["time"] as? String == "1:30")
        #expect(values["yes"] as? Bool == true)
        #expect(values["count"] as? Int == 12)
        #expect(values["ratio"] as? Double == 1.5)
        #expect(values["nothing"] is NSNull)
    }
}
