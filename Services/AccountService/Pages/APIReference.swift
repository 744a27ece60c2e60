import Foundation
import Shared

/// One service's OpenAPI document turned into what `api_docs.mustache` lists: its operations
/// by tag, each with parameters, body, responses and security, then its schemas. Only what a
/// person writing a bot or an overlay reads; the JSON itself stays one link away.
struct APIReference {
    let service: String
    /// Where a reader can fetch the JSON, when the service is reachable from outside.
    let documentURL: String?
    let document: [String: Any]

    var context: [String: Any] {
        let info = document["info"] as? [String: Any] ?? [:]
        let paths = document["paths"] as? [String: Any] ?? [:]
        var byTag: [String: [[String: Any]]] = [:]
        for path in paths.keys.sorted() {
            guard let item = paths[path] as? [String: Any] else { continue }
            for method in APIDocument.methods {
                guard let operation = item[method] as? [String: Any] else { continue }
                let tag = (operation["tags"] as? [String])?.first ?? "other"
                byTag[tag, default: []].append(self.operation(method, path, operation))
            }
        }
        let tags = byTag.keys.sorted { (Self.tagOrder.firstIndex(of: $0) ?? 99, $0) < (Self.tagOrder.firstIndex(of: $1) ?? 99, $1) }
        var context: [String: Any] = [
            "service": service,
            "anchor": service.lowercased(),
            "descriptionHTML": DocumentText.html(info["description"] as? String ?? ""),
            "operationCount": byTag.values.map(\.count).reduce(0, +),
            "tags": tags.map { ["name": $0, "operations": byTag[$0] ?? []] as [String: Any] },
            "schemas": schemas,
        ]
        // Absent, not empty: mustache counts an empty string as present.
        if let documentURL { context["documentURL"] = documentURL }
        return context
    }

    private func operation(_ method: String, _ path: String, _ operation: [String: Any]) -> [String: Any] {
        let parameters = (operation["parameters"] as? [Any] ?? []).compactMap { resolve($0) }.map { parameter -> [String: Any] in
            [
                "name": parameter["name"] as? String ?? "",
                "in": parameter["in"] as? String ?? "",
                "required": parameter["required"] as? Bool ?? false,
                "type": typeName(parameter["schema"]),
                "descriptionHTML": DocumentText.inline(parameter["description"] as? String ?? ""),
            ]
        }
        var context: [String: Any] = [
            "method": method.uppercased(),
            "path": path,
            "id": "\(service.lowercased())-\(operation["operationId"] as? String ?? "\(method)\(path)")",
            "summary": operation["summary"] as? String ?? "",
            "descriptionHTML": DocumentText.html(operation["description"] as? String ?? ""),
            "security": security(operation["security"]),
            "parameters": parameters,
            "hasParameters": !parameters.isEmpty,
            "responses": responses(operation["responses"]),
        ]
        if let body = resolve(operation["requestBody"] as Any), let content = body["content"] as? [String: Any] {
            context["body"] = content.keys.sorted().map { type -> [String: Any] in
                let media = content[type] as? [String: Any] ?? [:]
                return ["contentType": type, "type": typeName(media["schema"]), "example": example(media) ?? ""]
            }
        }
        return context
    }

    /// "none", one scheme, or alternatives such as "none or sessionCookie" (an empty
    /// requirement means the operation also answers without credentials).
    private func security(_ value: Any?) -> String {
        let requirements = value as? [[String: Any]] ?? (document["security"] as? [[String: Any]] ?? [])
        let names = requirements.map { $0.isEmpty ? "none" : $0.keys.sorted().joined(separator: " + ") }
        return names.isEmpty ? "none" : names.joined(separator: " or ")
    }

    private func responses(_ value: Any?) -> [[String: Any]] {
        let responses = value as? [String: Any] ?? [:]
        return responses.keys.sorted().compactMap { status in
            guard let response = resolve(responses[status] as Any) else { return nil }
            let content = response["content"] as? [String: Any] ?? [:]
            let media = content.keys.sorted().first.map { (type: $0, value: content[$0] as? [String: Any] ?? [:]) }
            return [
                "status": status,
                "descriptionHTML": DocumentText.inline(response["description"] as? String ?? ""),
                "contentType": media?.type ?? "",
                "type": media.map { typeName($0.value["schema"]) } ?? "",
                "example": media.flatMap { example($0.value) } ?? "",
            ]
        }
    }

    private var schemas: [[String: Any]] {
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        return schemas.keys.sorted().map { name in
            let schema = schemas[name] as? [String: Any] ?? [:]
            let required = Set(schema["required"] as? [String] ?? [])
            let properties = schema["properties"] as? [String: Any] ?? [:]
            return [
                "hasProperties": !properties.isEmpty,
                "name": name,
                "anchor": "\(service.lowercased())-schema-\(name)",
                "descriptionHTML": DocumentText.html(schema["description"] as? String ?? ""),
                "type": properties.isEmpty ? typeName(schema) : "object",
                "properties": properties.keys.sorted().map { key -> [String: Any] in
                    let property = properties[key] as? [String: Any] ?? [:]
                    return ["name": key, "type": typeName(property), "required": required.contains(key), "descriptionHTML": DocumentText.inline(property["description"] as? String ?? "")]
                },
            ]
        }
    }

    /// `#/components/...` references followed, one level at a time.
    private func resolve(_ value: Any) -> [String: Any]? {
        guard var object = value as? [String: Any] else { return nil }
        var hops = 0
        while let ref = object["$ref"] as? String, hops < 8, let target = lookUp(ref) {
            object = target
            hops += 1
        }
        return object
    }

    private func lookUp(_ ref: String) -> [String: Any]? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Any = document
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (node as? [String: Any])?[String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    /// A short name for a schema: a component's name, `array of X`, `string (uuid)`, `A | B`.
    private func typeName(_ value: Any?) -> String {
        guard let schema = value as? [String: Any] else { return "" }
        if let ref = schema["$ref"] as? String { return String(ref.split(separator: "/").last ?? "") }
        for combinator in ["oneOf", "anyOf", "allOf"] {
            if let options = schema[combinator] as? [Any] {
                return options.map { typeName($0) }.filter { !$0.isEmpty }.joined(separator: combinator == "allOf" ? " & " : " | ")
            }
        }
        if let constant = schema["const"] { return "\(constant)" }
        if let choices = schema["enum"] as? [Any] { return choices.map { "\($0)" }.joined(separator: " | ") }
        let type = (schema["type"] as? String) ?? (schema["type"] as? [String])?.joined(separator: " | ") ?? ""
        if type == "array" { return "array of \(typeName(schema["items"]))" }
        if let format = schema["format"] as? String { return "\(type) (\(format))" }
        return type
    }

    private func example(_ media: [String: Any]) -> String? {
        let value = media["example"] ?? (media["examples"] as? [String: Any]).flatMap { examples in
            examples.keys.sorted().first.flatMap { (resolve(examples[$0] as Any) ?? [:])["value"] }
        }
        guard let value else { return nil }
        if let text = value as? String { return text }
        guard JSONSerialization.isValidJSONObject(value) || value is NSNumber || value is NSNull,
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static let tagOrder = ["public", "dj", "admin", "hooks", "status", "pages", "internal", "operational"]
}
