import Foundation
import Shared
import Yams

/// One environment variable as a deploy file sets it for a container.
struct EnvSetting: Sendable {
    enum Source: Sendable, Equatable {
        /// Written in the file (compose `KEY: value`, a Kubernetes `value:` or ConfigMap entry).
        case literal
        /// Compose `${VAR…}` from the env file.
        case interpolated
        /// Compose `KEY:` with no value: the env file's, when it sets one.
        case passThrough
        /// A Kubernetes `secretKeyRef`.
        case secret(optional: Bool)
    }

    var value: String?
    var source: Source
    /// The env-file variables a compose value names (`${POSTGRES_PASSWORD:?…}` → POSTGRES_PASSWORD).
    var references: [String] = []

    /// Whether the container is sure to start with a non-empty value.
    var isGuaranteed: Bool {
        switch source {
        case .literal: !(value ?? "").isEmpty
        case .passThrough: false
        case .secret(let optional): !optional
        case .interpolated: !Interpolation.worstCase(value ?? "").isEmpty
        }
    }

    /// The file holds the value itself, so a secret there would be committed.
    var isWrittenInFile: Bool { source == .literal && !(value ?? "").isEmpty }
}

/// A health check or probe: where it asks.
struct HealthCheck: Sendable {
    var port: Int?
    var path: String
}

/// One container a deploy file runs.
struct Workload: Sendable {
    /// For messages: `deploy/compose.yaml service accounts`.
    let place: String
    /// The compose service or Kubernetes Deployment.
    let name: String
    let image: String
    /// The Motherstream executable it runs, nil for SRS, PostgreSQL, Caddy, ….
    let service: ServiceName?
    var environment: [String: EnvSetting] = [:]
    /// What the parser refuses to follow: a whole env file or Secret handed over, a ConfigMap it cannot find.
    var problems: [String] = []
    var healthChecks: [HealthCheck] = []
    /// Compose: the container side of `ports:`. Kubernetes: `containerPort`s by name.
    var publishedPorts: [Int] = []
    var containerPorts: [String: Int] = [:]
    /// Compose only: a fixed `container_name` stops `--scale`.
    var containerName: String?
    /// Kubernetes only.
    var podLabels: [String: String] = [:]
    var replicas: Int?
    var strategy: String?
    var volumeClaims: [String] = []
    var cpuRequest: String?
    var isInitContainer = false

    /// The port the service listens on: `HTTP_PORT` when the file sets it, else its default.
    var listeningPort: Int? {
        guard let service else { return nil }
        return environment["HTTP_PORT"]?.value.flatMap { Int($0) } ?? service.defaultPort
    }
}

struct KubernetesService: Sendable {
    let name: String
    let selector: [String: String]
    /// (port, targetPort by name or number).
    let ports: [(port: Int, target: String)]
}

struct IngressPath: Sendable {
    let host: String
    let path: String
    let exact: Bool
    let service: String
    let port: Int?
}

struct NetworkPolicy: Sendable {
    enum Peer: Sendable {
        case pods([String: String])
        case namespace(String)
        case other(String)
        case anyone
    }

    let name: String
    let podSelector: [String: String]
    /// Each rule: the ports it opens (empty: all) and who it lets in.
    let rules: [(ports: [Int], from: [Peer])]
}

/// A site block of the Caddyfile.
struct CaddySite: Sendable {
    let address: String
    /// `host:port` of each `reverse_proxy` upstream (also `dynamic a host port`).
    let upstreams: [(host: String, port: Int)]
    /// Paths of matchers answered with `respond @matcher 4xx`.
    let refusedPaths: [String]
}

/// `deploy/compose.yaml`, `deploy/kubernetes/*.yaml`, `deploy/caddy/Caddyfile` and the env example, read.
struct DeployFiles: Sendable {
    var compose: [Workload] = []
    /// Every `${VAR}` compose interpolates anywhere.
    var composeReferences: Set<String> = []
    /// Every string in the compose file (for URLs in commands and values).
    var composeStrings: [String] = []
    var kubernetes: [Workload] = []
    var kubernetesServices: [KubernetesService] = []
    var kubernetesStrings: [String] = []
    var ingressPaths: [IngressPath] = []
    var networkPolicies: [NetworkPolicy] = []
    var configMaps: [String: [String: String]] = [:]
    var horizontalAutoscalers: [(target: String, minReplicas: Int?, metrics: [String])] = []
    var disruptionBudgets: [[String: String]] = []
    var caddy: [CaddySite] = []
    /// Every `NAME=` in the env example, commented out or not.
    var envExample: [String] = []

    static func load(root: URL) throws -> DeployFiles {
        var files = DeployFiles()
        let deploy = root.appendingPathComponent("deploy")
        try files.readCompose(String(contentsOf: deploy.appendingPathComponent("compose.yaml"), encoding: .utf8))
        let manifests = try FileManager.default.contentsOfDirectory(at: deploy.appendingPathComponent("kubernetes"), includingPropertiesForKeys: nil)
            .filter { ["yaml", "yml"].contains($0.pathExtension) }.sorted { $0.path < $1.path }
        guard !manifests.isEmpty else { throw ConfigVariables.ScanError("no manifests in deploy/kubernetes") }
        for manifest in manifests {
            try files.readKubernetes(String(contentsOf: manifest, encoding: .utf8), file: "deploy/kubernetes/\(manifest.lastPathComponent)")
        }
        files.caddy = CaddySite.parse(try String(contentsOf: deploy.appendingPathComponent("caddy/Caddyfile"), encoding: .utf8))
        let example = try String(contentsOf: deploy.appendingPathComponent("motherstream.env.example"), encoding: .utf8)
        files.envExample = example.regexMatches(#"^#?\s*([A-Z][A-Z0-9_]*)="#).map { $0[1] }
        return files
    }

    // MARK: Compose

    private mutating func readCompose(_ text: String) throws {
        guard let root = try Yams.load(yaml: text) as? YAMLMap, let services = root["services"] as? YAMLMap else {
            throw ConfigVariables.ScanError("deploy/compose.yaml has no services")
        }
        composeStrings = YAMLValue.strings(in: root)
        composeReferences = Set(composeStrings.flatMap { Interpolation.references(in: $0) })
        for (key, value) in services {
            guard let name = key as? String, let definition = value as? YAMLMap else { continue }
            let command = YAMLValue.words(definition["command"])
            var workload = Workload(
                place: "deploy/compose.yaml service \(name)", name: name, image: YAMLValue.string(definition["image"]) ?? "",
                service: command.first.flatMap(ServiceName.init(rawValue:))
            )
            if definition["env_file"] != nil { workload.problems.append("takes a whole env_file: list the variables it reads under environment instead") }
            workload.environment = Self.composeEnvironment(definition["environment"])
            if let health = definition["healthcheck"] as? YAMLMap {
                workload.healthChecks = YAMLValue.words(health["test"]).compactMap(HealthCheck.init(url:))
            }
            workload.publishedPorts = (definition["ports"] as? [Any] ?? []).compactMap { entry in
                YAMLValue.string(entry).flatMap { $0.split(separator: "/").first?.split(separator: ":").last.flatMap { Int($0) } }
            }
            workload.containerName = YAMLValue.string(definition["container_name"])
            workload.replicas = YAMLValue.string((definition["deploy"] as? YAMLMap)?["replicas"] ?? definition["scale"]).flatMap { Int($0) }
            compose.append(workload)
        }
        compose.sort { $0.name < $1.name }
    }

    private static func composeEnvironment(_ value: Any?) -> [String: EnvSetting] {
        var pairs: [(String, String?)] = []
        if let map = value as? YAMLMap {
            pairs = map.compactMap { key, value in (key as? String).map { ($0, value is NSNull ? nil : YAMLValue.string(value)) } }
        } else if let list = value as? [Any] {
            pairs = list.compactMap(YAMLValue.string).map { entry in
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : nil)
            }
        }
        var environment: [String: EnvSetting] = [:]
        for (name, value) in pairs {
            guard let value else {
                environment[name] = EnvSetting(value: nil, source: .passThrough, references: [name])
                continue
            }
            let references = Interpolation.references(in: value)
            environment[name] = EnvSetting(value: value, source: references.isEmpty ? .literal : .interpolated, references: references)
        }
        return environment
    }

    // MARK: Kubernetes

    private mutating func readKubernetes(_ text: String, file: String) throws {
        let documents = try Yams.load_all(yaml: text).compactMap { $0 as? YAMLMap }
        kubernetesStrings += documents.flatMap(YAMLValue.strings(in:))
        // ConfigMaps first: containers refer to them.
        for document in documents where YAMLValue.string(document["kind"]) == "ConfigMap" {
            guard let name = YAMLValue.string((document["metadata"] as? YAMLMap)?["name"]) else { continue }
            configMaps[name] = ((document["data"] as? YAMLMap) ?? [:]).reduce(into: [:]) { data, pair in
                if let key = pair.key as? String { data[key] = YAMLValue.string(pair.value) }
            }
        }
        for document in documents {
            let kind = YAMLValue.string(document["kind"]) ?? ""
            let name = YAMLValue.string((document["metadata"] as? YAMLMap)?["name"]) ?? "?"
            let spec = document["spec"] as? YAMLMap ?? [:]
            switch kind {
            case "Deployment", "StatefulSet", "DaemonSet":
                kubernetes += workloads(of: spec, kind: kind, name: name, file: file)
            case "Service":
                let ports = (spec["ports"] as? [Any] ?? []).compactMap { $0 as? YAMLMap }.compactMap { port -> (Int, String)? in
                    guard let number = YAMLValue.string(port["port"]).flatMap({ Int($0) }) else { return nil }
                    return (number, YAMLValue.string(port["targetPort"]) ?? String(number))
                }
                kubernetesServices.append(KubernetesService(name: name, selector: YAMLValue.labels(spec["selector"]), ports: ports))
            case "Ingress":
                for rule in (spec["rules"] as? [Any] ?? []).compactMap({ $0 as? YAMLMap }) {
                    let host = YAMLValue.string(rule["host"]) ?? "*"
                    for path in ((rule["http"] as? YAMLMap)?["paths"] as? [Any] ?? []).compactMap({ $0 as? YAMLMap }) {
                        let backend = (path["backend"] as? YAMLMap)?["service"] as? YAMLMap
                        ingressPaths.append(IngressPath(
                            host: host, path: YAMLValue.string(path["path"]) ?? "/", exact: YAMLValue.string(path["pathType"]) == "Exact",
                            service: YAMLValue.string(backend?["name"]) ?? "?",
                            port: YAMLValue.string((backend?["port"] as? YAMLMap)?["number"]).flatMap { Int($0) }
                        ))
                    }
                }
            case "NetworkPolicy":
                let rules = (spec["ingress"] as? [Any] ?? []).compactMap { $0 as? YAMLMap }.map { rule -> ([Int], [NetworkPolicy.Peer]) in
                    let ports = (rule["ports"] as? [Any] ?? []).compactMap { YAMLValue.string(($0 as? YAMLMap)?["port"]).flatMap { Int($0) } }
                    let from = (rule["from"] as? [Any] ?? []).compactMap { $0 as? YAMLMap }.map { peer -> NetworkPolicy.Peer in
                        if peer["ipBlock"] != nil { return .other("ipBlock") }
                        if peer["namespaceSelector"] != nil {
                            guard peer["podSelector"] == nil, let namespace = YAMLValue.labels(peer["namespaceSelector"])["kubernetes.io/metadata.name"] else {
                                return .other("a namespace selector this test cannot read")
                            }
                            return .namespace(namespace)
                        }
                        return .pods(YAMLValue.labels(peer["podSelector"]))
                    }
                    return (ports, from.isEmpty ? [.anyone] : from)
                }
                networkPolicies.append(NetworkPolicy(name: name, podSelector: YAMLValue.labels(spec["podSelector"]), rules: rules))
            case "HorizontalPodAutoscaler":
                let metrics = (spec["metrics"] as? [Any] ?? []).compactMap { YAMLValue.string((($0 as? YAMLMap)?["resource"] as? YAMLMap)?["name"]) }
                horizontalAutoscalers.append((
                    YAMLValue.string((spec["scaleTargetRef"] as? YAMLMap)?["name"]) ?? "?", YAMLValue.string(spec["minReplicas"]).flatMap { Int($0) }, metrics
                ))
            case "PodDisruptionBudget":
                disruptionBudgets.append(YAMLValue.labels(spec["selector"]))
            default:
                break
            }
        }
    }

    private func workloads(of spec: YAMLMap, kind: String, name: String, file: String) -> [Workload] {
        let template = spec["template"] as? YAMLMap ?? [:]
        let pod = template["spec"] as? YAMLMap ?? [:]
        let labels = YAMLValue.labels((template["metadata"] as? YAMLMap)?["labels"])
        let claims = (pod["volumes"] as? [Any] ?? []).compactMap { YAMLValue.string((($0 as? YAMLMap)?["persistentVolumeClaim"] as? YAMLMap)?["claimName"]) }
        let containers = (pod["containers"] as? [Any] ?? []).map { ($0, false) } + (pod["initContainers"] as? [Any] ?? []).map { ($0, true) }
        return containers.compactMap { entry, isInit -> Workload? in
            guard let container = entry as? YAMLMap else { return nil }
            let containerName = YAMLValue.string(container["name"]) ?? "?"
            let command = YAMLValue.words(container["command"]) + YAMLValue.words(container["args"])
            var workload = Workload(
                place: "\(file) \(kind)/\(name) container \(containerName)", name: name, image: YAMLValue.string(container["image"]) ?? "",
                service: command.lazy.compactMap(ServiceName.init(rawValue:)).first
            )
            workload.isInitContainer = isInit
            workload.podLabels = labels
            workload.replicas = YAMLValue.string(spec["replicas"]).flatMap { Int($0) } ?? 1
            workload.strategy = YAMLValue.string((spec["strategy"] as? YAMLMap)?["type"])
            workload.volumeClaims = claims
            workload.cpuRequest = YAMLValue.string(((container["resources"] as? YAMLMap)?["requests"] as? YAMLMap)?["cpu"])
            for port in (container["ports"] as? [Any] ?? []).compactMap({ $0 as? YAMLMap }) {
                guard let number = YAMLValue.string(port["containerPort"]).flatMap({ Int($0) }) else { continue }
                workload.containerPorts[YAMLValue.string(port["name"]) ?? String(number)] = number
            }
            for source in (container["envFrom"] as? [Any] ?? []).compactMap({ $0 as? YAMLMap }) {
                if let reference = source["configMapRef"] as? YAMLMap, let mapName = YAMLValue.string(reference["name"]) {
                    guard let data = configMaps[mapName] else {
                        workload.problems.append("takes ConfigMap \(mapName), which no manifest here defines")
                        continue
                    }
                    for (key, value) in data { workload.environment[key] = EnvSetting(value: value, source: .literal) }
                }
                if let reference = source["secretRef"] as? YAMLMap {
                    workload.problems.append("takes the whole Secret \(YAMLValue.string(reference["name"]) ?? "?"): name each secret it reads with secretKeyRef")
                }
            }
            for variable in (container["env"] as? [Any] ?? []).compactMap({ $0 as? YAMLMap }) {
                guard let variableName = YAMLValue.string(variable["name"]) else { continue }
                let from = variable["valueFrom"] as? YAMLMap
                if let secret = from?["secretKeyRef"] as? YAMLMap {
                    workload.environment[variableName] = EnvSetting(value: nil, source: .secret(optional: YAMLValue.string(secret["optional"]) == "true"))
                } else if let reference = from?["configMapKeyRef"] as? YAMLMap {
                    let value = YAMLValue.string(reference["name"]).flatMap { configMaps[$0] }?[YAMLValue.string(reference["key"]) ?? ""]
                    workload.environment[variableName] = EnvSetting(value: value, source: .literal)
                } else {
                    workload.environment[variableName] = EnvSetting(value: YAMLValue.string(variable["value"]) ?? "", source: .literal)
                }
            }
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                guard let get = (container[probe] as? YAMLMap)?["httpGet"] as? YAMLMap else { continue }
                let port = YAMLValue.string(get["port"]).flatMap { Int($0) ?? workload.containerPorts[$0] }
                workload.healthChecks.append(HealthCheck(port: port, path: YAMLValue.string(get["path"]) ?? "/"))
            }
            return workload
        }
    }
}

// MARK: - Helpers

typealias YAMLMap = [AnyHashable: Any]

enum YAMLValue {
    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as Int: String(number)
        case let flag as Bool: flag ? "true" : "false"
        case let number as Double: String(number)
        default: nil
        }
    }

    /// A command as its words: a list as it is, a string split on spaces.
    static func words(_ value: Any?) -> [String] {
        if let list = value as? [Any] { return list.compactMap(string) }
        return string(value)?.split(separator: " ").map(String.init) ?? []
    }

    static func labels(_ selector: Any?) -> [String: String] {
        let map = selector as? YAMLMap ?? [:]
        let labels = map["matchLabels"] as? YAMLMap ?? (map["matchExpressions"] == nil ? map : [:])
        return labels.reduce(into: [:]) { result, pair in
            if let key = pair.key as? String, let value = string(pair.value) { result[key] = value }
        }
    }

    /// Every string anywhere below `value`.
    static func strings(in value: Any) -> [String] {
        switch value {
        case let map as YAMLMap: map.values.flatMap { strings(in: $0) }
        case let list as [Any]: list.flatMap { strings(in: $0) }
        default: string(value).map { [$0] } ?? []
        }
    }
}

/// Compose's `${VAR}`, `${VAR:?message}`, `${VAR:-default}`; `$$` is a literal dollar.
enum Interpolation {
    static func references(in text: String) -> [String] {
        text.replacingOccurrences(of: "$$", with: "").regexMatches(#"\$\{?([A-Za-z_][A-Za-z0-9_]*)"#).map { $0[1] }
    }

    /// The value with the least the file guarantees: a `:?` variable is non-empty, any other may be empty.
    static func worstCase(_ text: String) -> String {
        var result = text.replacingOccurrences(of: "$$", with: "$")
        for match in text.regexMatches(#"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}"#) {
            let replacement = match[2] == ":?" ? "x" : (match[2].hasSuffix("-") ? match[3] : "")
            result = result.replacingOccurrences(of: match[0], with: replacement)
        }
        return result
    }
}

extension HealthCheck {
    init?(url text: String) {
        guard let url = URLComponents(string: text), url.scheme?.hasPrefix("http") == true, url.host != nil else { return nil }
        self.init(port: url.port, path: url.path)
    }
}

extension CaddySite {
    static func parse(_ text: String) -> [CaddySite] {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") && !$0.isEmpty }
        var sites: [CaddySite] = []
        var index = 0
        while index < lines.count {
            guard lines[index].hasSuffix("{") else { index += 1; continue }
            let address = lines[index].dropLast().trimmingCharacters(in: .whitespaces)
            var depth = 1
            var body: [String] = []
            index += 1
            while index < lines.count, depth > 0 {
                depth += lines[index].filter { $0 == "{" }.count - lines[index].filter { $0 == "}" }.count
                if depth > 0 { body.append(lines[index]) }
                index += 1
            }
            guard !address.isEmpty else { continue } // the global options block
            let joined = body.joined(separator: "\n")
            let upstreams = (joined.regexMatches(#"^reverse_proxy\s+([\w.-]+):(\d+)"#) + joined.regexMatches(#"^dynamic\s+a\s+([\w.-]+)\s+(\d+)"#))
                .compactMap { groups in Int(groups[2]).map { (groups[1], $0) } }
            var matchers: [String: [String]] = [:]
            for groups in joined.regexMatches(#"^@(\w+)\s+path\s+(.+)$"#) { matchers[groups[1]] = groups[2].split(separator: " ").map(String.init) }
            let refused = joined.regexMatches(#"^respond\s+@(\w+)\s+4\d\d"#).flatMap { matchers[$0[1]] ?? [] }
            sites.append(CaddySite(address: address, upstreams: upstreams, refusedPaths: refused))
        }
        return sites
    }
}
