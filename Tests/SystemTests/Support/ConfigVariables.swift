import Foundation
import Shared

/// What one service reads from its environment, found in its Swift sources.
struct ServiceVariables: Sendable {
    let service: ServiceName
    /// Every variable it reads.
    var reads: Set<String> = []
    /// The ones it reads as secrets (`isSecret: true`, or through a function that does).
    var secrets: Set<String> = []
    /// The ones without which a production start fails (`requiredSecret` and the helpers over it).
    var required: Set<String> = []
    /// The services it calls: the peer URLs its wiring uses (`config.settings.queueServiceURL`).
    var calls: Set<ServiceName> = []
}

/// Reads the configuration keys out of `Services/<Name>/**/*.swift` and `Shared/**/*.swift`.
///
/// swift-configuration maps the key `"foo.bar"` to the variable `FOO_BAR`. Keys are found as
/// `reader.string(forKey: "…")` (and the other accessors) and as the first string argument of any
/// function that takes a `ConfigKey` (`requiredSecret("hook.secret", …)`, `seconds("swap.interval", …)`,
/// local helpers alike), so a new helper is picked up without changing this file. Keys read inside a Shared function or initialiser
/// count only for the services that call it (`jwtSecret()`, `ServiceSettings(…)`); other Shared keys
/// count for every service.
enum ConfigVariables {
    /// Read by every service through the OpenTelemetry SDK (swift-otel), straight from the process
    /// environment rather than through swift-configuration.
    static let openTelemetry: Set<String> = [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TIMEOUT",
        "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
        "OTEL_TRACES_EXPORTER", "OTEL_PROPAGATORS", "OTEL_SDK_DISABLED", "OTEL_LOG_LEVEL",
    ]
    /// Read by every process below Swift: the time zone (the gateway names recordings in it).
    static let process: Set<String> = ["TZ"]

    /// The environment variable swift-configuration's `EnvironmentVariablesProvider` looks up for a key.
    static func variable(forKey key: String) -> String {
        key.split(separator: ".").map { component in
            var word = ""
            var previous: Character?
            for character in component {
                if let previous, previous.isLowercase, character.isUppercase { word.append("_") }
                word.append(character)
                previous = character
            }
            return String(word.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        }.joined(separator: "_")
    }

    private static let processRead = #"environment\[\s*"([A-Z][A-Z0-9_]*)"\s*\]"#

    /// Each service's variables. Throws when the sources cannot be read or a service yields none.
    static func scan(root: URL) throws -> [ServiceName: ServiceVariables] {
        let shared = try SwiftSource.files(under: root.appendingPathComponent("Shared"))
        var services: [ServiceName: [SwiftSource]] = [:]
        for service in ServiceName.allCases {
            services[service] = try SwiftSource.files(under: root.appendingPathComponent("Services/\(service.rawValue)"))
        }
        let keyFunctions = KeyFunction.all(in: shared + services.values.flatMap { $0 })

        // Shared's reads, each with the call that brings it into a service (nil: every service).
        var sharedReads: [(read: KeyRead, via: String?)] = []
        var helperRequires: [String: Set<String>] = [:]
        for file in shared {
            let scopes = Scope.all(in: file.text)
            for read in KeyRead.all(in: file.text, keyFunctions: keyFunctions) {
                // The innermost scope holding the read is the one that starts last.
                let scope = scopes.filter { $0.body.contains(read.offset) }.max { $0.body.lowerBound < $1.body.lowerBound }
                sharedReads.append((read, scope?.callName))
                if let scope, read.isRequiring, let name = scope.callName { helperRequires[name, default: []].insert(read.variable) }
            }
        }

        // Straight from the process environment (`environment["OTEL_SDK_DISABLED"]`): Shared's run in every service.
        let processReads = Set(shared.flatMap { $0.text.regexMatches(processRead).map { $0[1] } })

        var result: [ServiceName: ServiceVariables] = [:]
        for (service, files) in services {
            var found = ServiceVariables(service: service)
            let text = files.map(\.text).joined(separator: "\n")
            let own = KeyRead.all(in: text, keyFunctions: keyFunctions)
            guard !own.isEmpty else {
                throw ScanError("found no configuration key in Services/\(service.rawValue): the scanner no longer understands how the code reads its settings")
            }
            for read in own { found.add(read) }
            found.reads.formUnion(processReads.union(text.regexMatches(processRead).map { $0[1] }))
            for (read, via) in sharedReads where via.map({ text.contains("\($0)(") }) ?? true { found.add(read) }
            for file in files {
                found.required.formUnion(Requirement.unconditional(in: file.text, keyFunctions: keyFunctions, helpers: helperRequires))
            }
            found.calls = Set(text.regexMatches(#"\bconfig\.(?:settings\.)?(\w+?)URLs?\b"#).compactMap { groups in
                ServiceName.allCases.first { $0.rawValue.lowercased() == groups[1].lowercased() }
            }).subtracting([service])
            result[service] = found
        }
        return result
    }

    /// Pairs like `seconds("swap.interval", variable: "SWAP_INTERVAL", …)` whose message names
    /// another variable than the key maps to: a typo in the code, or a mapping this file gets wrong.
    static func misnamedVariables(root: URL) throws -> [String] {
        let files = try SwiftSource.files(under: root.appendingPathComponent("Shared")) + SwiftSource.files(under: root.appendingPathComponent("Services"))
        return files.flatMap { file in
            file.text.regexMatches(#""([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+)"\s*,\s*(?:variable:\s*)?"([A-Z][A-Z0-9_]*)""#).compactMap { groups in
                variable(forKey: groups[1]) == groups[2] ? nil : "\(file.path): key \"\(groups[1])\" is read from \(variable(forKey: groups[1])), but the code calls it \(groups[2])"
            }
        }
    }

    struct ScanError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

private extension ServiceVariables {
    mutating func add(_ read: KeyRead) {
        reads.insert(read.variable)
        if read.isSecret { secrets.insert(read.variable) }
    }
}

private struct SwiftSource {
    let path: String
    let text: String

    static func files(under directory: URL) throws -> [SwiftSource] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw ConfigVariables.ScanError("cannot list \(directory.path)")
        }
        let files = try walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.map { url in
            SwiftSource(path: url.path, text: try String(contentsOf: url, encoding: .utf8))
        }
        guard !files.isEmpty else { throw ConfigVariables.ScanError("no Swift files under \(directory.path)") }
        return files
    }
}

/// A function with a `ConfigKey` parameter, e.g. `requiredSecret(_ key: ConfigKey, …)`.
private struct KeyFunction {
    let name: String
    /// Its body asks for the value with `isSecret: true`.
    let isSecret: Bool
    /// Its body fails the start when the value is missing.
    let isRequiring: Bool

    static func all(in files: [SwiftSource]) -> [KeyFunction] {
        files.flatMap { file in
            file.text.regexMatchRanges(#"func\s+(\w+)\s*\(([^)]*)\)"#).compactMap { groups, range in
                guard groups[2].contains(": ConfigKey") else { return nil }
                let body = Scope.body(after: range.upperBound, in: file.text).map { String(file.text[$0]) } ?? ""
                return KeyFunction(name: groups[1], isSecret: body.contains("isSecret: true"), isRequiring: body.contains(".missing("))
            }
        }
    }
}

/// One place a configuration key is read.
private struct KeyRead {
    let variable: String
    let isSecret: Bool
    let isRequiring: Bool
    let offset: String.Index

    static let keyShape = #"[a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*"#

    static func all(in text: String, keyFunctions: [KeyFunction]) -> [KeyRead] {
        // ConfigReader's accessors (`string(forKey:)`, `requiredInt(forKey:)`, …), not a dictionary's `removeValue(forKey:)`.
        let accessor = #"\b(?:string|int|double|bool|bytes|(?:required|fetch|fetchRequired|watch|watchRequired)(?:String|Int|Double|Bool|Bytes))(?:Array)?\(\s*forKey:\s*"("#
        var reads = text.regexMatchRanges(accessor + keyShape + #")"([^)\n]*)"#).map { groups, range in
            KeyRead(variable: ConfigVariables.variable(forKey: groups[1]), isSecret: groups[2].contains("isSecret: true"), isRequiring: false, offset: range.lowerBound)
        }
        for function in keyFunctions {
            let pattern = #"\b"# + function.name + #"\(\s*(?:[A-Za-z_][\w.]*\s*,\s*)*"("# + keyShape + #")""#
            reads += text.regexMatchRanges(pattern).map { groups, range in
                KeyRead(variable: ConfigVariables.variable(forKey: groups[1]), isSecret: function.isSecret, isRequiring: function.isRequiring, offset: range.lowerBound)
            }
        }
        return reads
    }
}

/// A function's or initialiser's body, and what a caller writes to run it.
private struct Scope {
    let body: Range<String.Index>
    /// `jwtSecret` for `func jwtSecret()`, `ServiceSettings` for an `init` inside `struct ServiceSettings`.
    let callName: String?

    static func all(in text: String) -> [Scope] {
        let owners = text.regexMatchRanges(#"\b(?:struct|class|enum|actor|extension)\s+(\w+)"#)
        return text.regexMatchRanges(#"^\s*(?:(?:@\w+|public|private|fileprivate|internal|static|mutating|convenience|required|override|nonisolated)\s+)*(?:func\s+(\w+)|init\??)\s*(?:<[^>]*>)?\s*\("#).compactMap { groups, range in
            guard let body = body(after: range.upperBound, in: text) else { return nil }
            let name = groups[1].isEmpty ? owners.last { $0.1.lowerBound < range.lowerBound }?.0[1] : groups[1]
            return Scope(body: body, callName: name)
        }
    }

    /// From the first `{` after `start` to its matching `}`.
    static func body(after start: String.Index, in text: String) -> Range<String.Index>? {
        guard let open = text[start...].firstIndex(of: "{") else { return nil }
        var depth = 0
        var index = open
        while index < text.endIndex {
            switch text[index] {
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { return open..<text.index(after: index) }
            default: break
            }
            index = text.index(after: index)
        }
        return nil
    }
}

/// `name = try reader.requiredSecret("hook.secret", …)` (or `try reader.jwtSecret()`) as a statement
/// of an initialiser's own body: not inside an `if`, not behind `? :`.
private enum Requirement {
    static func unconditional(in text: String, keyFunctions: [KeyFunction], helpers: [String: Set<String>]) -> Set<String> {
        let requiring = Set(keyFunctions.filter(\.isRequiring).map(\.name))
        var required: Set<String> = []
        var initIndent: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = line.prefix { $0 == " " }.count
            let code = String(line.dropFirst(indent))
            if !code.regexMatches(#"^(?:(?:public|private|fileprivate|internal)\s+)?init\??\("#).isEmpty { initIndent = indent; continue }
            if indent == initIndent, code.hasPrefix("}") { initIndent = nil; continue }
            guard let initIndent, indent == initIndent + 4,
                  let groups = code.regexMatches(#"^[A-Za-z_][\w.]*\s*=\s*try\s+reader\.(\w+)\((.*)$"#).first
            else { continue }
            if requiring.contains(groups[1]), let key = groups[2].regexMatches(#"^\s*"("# + KeyRead.keyShape + #")""#).first {
                required.insert(ConfigVariables.variable(forKey: key[1]))
            } else if let variables = helpers[groups[1]] {
                required.formUnion(variables)
            }
        }
        return required
    }
}

extension String {
    /// Every match of `pattern`, as its capture groups (0 is the whole match; a group that did not take part is "").
    func regexMatches(_ pattern: String) -> [[String]] {
        regexMatchRanges(pattern).map(\.0)
    }

    func regexMatchRanges(_ pattern: String) -> [([String], Range<String.Index>)] {
        let expression = try! NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        return expression.matches(in: self, range: NSRange(startIndex..., in: self)).compactMap { match in
            guard let whole = Range(match.range, in: self) else { return nil }
            let groups = (0..<match.numberOfRanges).map { index in
                Range(match.range(at: index), in: self).map { String(self[$0]) } ?? ""
            }
            return (groups, whole)
        }
    }
}
