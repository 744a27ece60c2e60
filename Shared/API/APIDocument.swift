import Foundation
import Hummingbird
import Synchronization
import Yams

/// A service's OpenAPI document (`Services/<Name>/openapi.yaml`, bundled as a resource),
/// served as JSON.
///
/// The YAML is written by hand beside the routes rather than generated: it carries the prose,
/// the examples taken from real answers and the error shapes, which no Swift type here knows,
/// and a collective can read it in the repository. `APIDocumentTests` and the system test
/// keep it honest against the router.
public struct APIDocument: Sendable {
    /// The document as served at `/openapi.json`.
    public let json: ByteBuffer
    /// Every documented operation as `METHOD /path/{param}`.
    public let operations: Set<String>

    public init(yaml text: String) throws {
        guard let document = try Yams.load(yaml: text, Self.coreSchema) as? [String: Any] else {
            throw APIDocumentError(reason: "the document is not a YAML mapping")
        }
        guard let paths = document["paths"] as? [String: Any] else {
            throw APIDocumentError(reason: "the document has no `paths`")
        }
        var operations = Set<String>()
        for (path, item) in paths {
            guard let item = item as? [String: Any] else { continue }
            for method in Self.methods where item[method] != nil {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        self.operations = operations
        self.json = ByteBuffer(data: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// Reads `openapi.yaml` from a service's resource bundle.
    public init(resource url: URL?) throws {
        guard let url else { throw APIDocumentError(reason: "openapi.yaml is missing from the service's resources") }
        try self.init(yaml: String(decoding: try Data(contentsOf: url), as: UTF8.self))
    }

    /// The router's routes in the document's spelling, `METHOD /path/{param}`.
    public static func operations(of router: Router<some RequestContext>) -> Set<String> {
        Set(router.routes.map { "\($0.method.rawValue) \(openAPIPath($0.path))" })
    }

    /// `/users/:id` and `/users/{id}` are both `/users/{id}` in OpenAPI.
    static func openAPIPath(_ path: RouterPath) -> String {
        let components = "\(path)".split(separator: "/", omittingEmptySubsequences: true).map { component -> String in
            if component.hasPrefix(":") { return "{\(component.dropFirst())}" }
            return String(component)
        }
        return "/" + components.joined(separator: "/")
    }

    public static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Scalars as JSON reads them (YAML 1.2's core schema, stricter on integers): only
    /// `true`/`false` are booleans and only JSON's decimal integers are integers — YAML 1.1
    /// would make `on` and `no` booleans, `0755` octal and `1:30` ninety — and a timestamp
    /// stays the text it is.
    public static let coreSchema = Resolver.basic
        .appending(.null)
        .appending(try! Resolver.Rule(.bool, "^(?:true|True|TRUE|false|False|FALSE)$"))
        .appending(try! Resolver.Rule(.int, "^[-+]?(?:0|[1-9][0-9]*)$"))
        .appending(try! Resolver.Rule(.float, #"^[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"#))
        .appending(.merge)
        .appending(.value)
}

public struct APIDocumentError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "openapi.yaml: \(reason)" }
}

/// What `/internal/v1/routes` answers: the routes this build's router serves, for checking a
/// deployment (or the document) against them.
public struct RouteInventory: Codable, Sendable, ResponseEncodable {
    public var routes: [String]
    /// Routes the router serves that the document does not describe; empty when they agree.
    public var undocumented: [String]
    /// Operations the document describes that the router does not serve.
    public var unserved: [String]
}

/// Where a service's document is, read on its first request rather than at start: parsing
/// 2,000 lines of YAML cost each idle process about 4 MB that it would keep for nothing.
public final class APIDocumentSource: Sendable {
    private let url: URL
    private let loaded = Mutex<Result<APIDocument, any Error>?>(nil)

    /// Fails at start when the bundle lacks the file, so a broken image is found at once.
    public init(resource url: URL?) throws {
        guard let url, FileManager.default.isReadableFile(atPath: url.path) else {
            throw APIDocumentError(reason: "openapi.yaml is missing from the service's resources")
        }
        self.url = url
    }

    public func document() throws -> APIDocument {
        try loaded.withLock { loaded in
            if let loaded { return try loaded.get() }
            let result = Result { try APIDocument(resource: url) }
            loaded = result
            return try result.get()
        }
    }
}

extension Router where Context == ServiceRequestContext {
    /// Serves the document at `GET /openapi.json`, and the router's own route list against it
    /// at `GET /internal/v1/routes` (behind the internal token). Call it last, once every route
    /// is added: the router's list is taken then.
    public func addAPIDocument(_ source: APIDocumentSource, internalToken: Secret) {
        get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: try source.document().json))
        }
        // With the route that answers it counted: this is called last.
        let served = APIDocument.operations(of: self).union(["GET /internal/v1/routes"])
        group("internal/v1/routes").add(middleware: InternalTokenMiddleware(token: internalToken)).get { _, _ in
            RouteInventory(served: served, documented: try source.document().operations)
        }
    }
}

extension RouteInventory {
    init(served: Set<String>, documented: Set<String>) {
        self.init(routes: served.sorted(), undocumented: served.subtracting(documented).sorted(), unserved: documented.subtracting(served).sorted())
    }
}
