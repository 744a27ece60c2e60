import Foundation
import Shared
import Testing
import TestSupport

/// The deploy files against the code: `deploy/compose.yaml`, `deploy/kubernetes/*.yaml`,
/// `deploy/caddy/Caddyfile` and `deploy/motherstream.env.example` set only what the services read,
/// everything they require, the ports and health paths they serve, and no secret a service does not
/// read. What each service reads comes from its sources (Support/ConfigVariables.swift), so a setting
/// added to the code or the files without the other fails here.
@Suite struct DeployDriftTests {
    let code: [ServiceName: ServiceVariables]
    let files: DeployFiles

    init() throws {
        code = try ConfigVariables.scan(root: PackageRoot.url)
        files = try DeployFiles.load(root: PackageRoot.url)
    }

    // MARK: What the files may hold besides the services' own variables, and why

    /// Containers that are not Motherstream services, by image, and all they may be given.
    static let thirdParty: [(image: String, variables: Set<String>, why: String)] = [
        ("ossrs/srs", ["HOOK_SECRET"], "SRS: its start command renders the hook URLs, which carry the hook secret"),
        ("busybox", ["HOOK_SECRET"], "the init container that renders SRS's hook URLs on Kubernetes"),
        ("postgres", ["POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD"], "the postgres image's first-start settings"),
        ("caddy", ["MOTHERSTREAM_DOMAIN", "MOTHERSTREAM_QUEUE_DOMAIN"], "the Caddyfile's two site addresses"),
        ("jaegertracing/", [], "the optional trace viewer takes no settings"),
    ]

    /// Variables of the env example that no service reads, and what they are for.
    static let deploymentOnly: [String: String] = [
        "MOTHERSTREAM_DOMAIN": "Caddy's site address, and compose builds PUBLIC_URL and RTMP_PUBLIC_URL from it",
        "MOTHERSTREAM_QUEUE_DOMAIN": "Caddy's second site address, and compose builds QUEUE_PUBLIC_URL from it",
        "POSTGRES_PASSWORD": "the postgres container's password, which compose gives AccountService as DB_PASSWORD",
    ]
    /// Secrets that exist only in the deploy files.
    static let deploymentSecrets: Set<String> = ["POSTGRES_PASSWORD"]

    /// Reached by browsers, through Caddy or the ingress controller.
    static let publicServices: Set<ServiceName> = [.accountService, .queueService]
    /// Callers that are not Motherstream services: SRS sends HookGateway its hooks.
    static let mediaServerCallers: [ServiceName: Set<String>] = [.hookGateway: ["srs"]]
    /// Namespaces a NetworkPolicy may admit, and to which services.
    static let admittedNamespaces: [String: (services: Set<ServiceName>, why: String)] = [
        "ingress-nginx": (publicServices, "the ingress controller, for the public pages"),
        "monitoring": (Set(ServiceName.allCases), "Prometheus, for /metrics"),
    ]
    static let healthPaths: Set<String> = ["/health", "/ready"]

    // MARK: The checks

    /// The scanner found something for every service, and the variable names the code prints in its
    /// errors are the ones the keys map to (if they were not, the scanner's mapping would be wrong).
    @Test func theScannerReadsEveryServicesConfiguration() throws {
        for service in ServiceName.allCases {
            let found = try #require(code[service], "no variables found for \(service.rawValue)")
            #expect(found.reads.contains("HTTP_PORT"), "\(service.rawValue): the scanner missed the settings every service reads (ServiceSettings)")
            #expect(!found.required.isEmpty, "\(service.rawValue): the scanner found no variable a production start requires")
            #expect(found.secrets.isSubset(of: found.reads))
        }
        for problem in try ConfigVariables.misnamedVariables(root: PackageRoot.url) {
            Issue.record("\(problem)")
        }
    }

    @Test func everyVariableSetForAServiceIsOneItReads() {
        for workload in files.compose + files.kubernetes {
            let allowed = allowedVariables(workload)
            for name in workload.environment.keys.sorted() where !allowed.contains(name) {
                Issue.record("\(workload.place) sets \(name), which \(who(workload)) never reads")
            }
        }
    }

    @Test func everyVariableAServiceRequiresIsSet() {
        for workload in motherstream(files.compose + files.kubernetes) {
            let service = workload.service!
            let found = code[service]!
            for name in found.required.sorted() where workload.environment[name]?.isGuaranteed != true {
                Issue.record("\(workload.place): \(service.rawValue) does not start without \(name), and the file does not set it (or may leave it empty)")
            }
            // In a container the default peer URLs (127.0.0.1) are the container itself.
            for peer in found.calls.sorted(by: { $0.rawValue < $1.rawValue }) {
                guard let variable = urlVariable(of: peer, readBy: found) else {
                    Issue.record("\(service.rawValue) calls \(peer.rawValue) but reads no URL variable for it")
                    continue
                }
                if workload.environment[variable]?.isGuaranteed != true {
                    Issue.record("\(workload.place): \(service.rawValue) calls \(peer.rawValue), but \(variable) is not set, so it would call 127.0.0.1")
                }
            }
            // Replicas share one database; an SQLite file would be one per replica.
            if service == .accountService, workload.environment["DATABASE_URL"]?.isGuaranteed != true, workload.environment["DB_HOST"]?.isGuaranteed != true {
                Issue.record("\(workload.place): AccountService scales out, so it needs DATABASE_URL or DB_HOST (without, each replica keeps its own SQLite file)")
            }
        }
    }

    @Test func portsAndHealthPathsMatchTheCode() throws {
        for workload in motherstream(files.compose + files.kubernetes) {
            let port = workload.listeningPort!
            if workload.healthChecks.isEmpty { Issue.record("\(workload.place) has no health check") }
            for check in workload.healthChecks {
                #expect(check.port == port, "\(workload.place): the health check asks port \(check.port.map(String.init) ?? "?"), \(workload.service!.rawValue) listens on \(port)")
                #expect(Self.healthPaths.contains(check.path), "\(workload.place): the health check asks \(check.path); the services serve /health and /ready")
            }
            for published in workload.publishedPorts where published != port {
                Issue.record("\(workload.place) publishes container port \(published), \(workload.service!.rawValue) listens on \(port)")
            }
            if !workload.containerPorts.isEmpty, !workload.containerPorts.values.contains(port) {
                Issue.record("\(workload.place) declares containerPort \(workload.containerPorts.values.sorted()), \(workload.service!.rawValue) listens on \(port)")
            }
        }
        for service in files.kubernetesServices {
            guard let workload = kubernetesWorkload(selectedBy: service.selector), let port = workload.listeningPort else { continue }
            for entry in service.ports {
                let target = Int(entry.target) ?? workload.containerPorts[entry.target]
                #expect(target == port, "Service \(service.name): targetPort \(entry.target) is not \(workload.service!.rawValue)'s port \(port)")
                #expect(entry.port == port, "Service \(service.name) answers on \(entry.port); callers' URLs and the code's defaults use \(port)")
            }
        }
        // Every URL naming a Motherstream service — peer URLs, SRS's hook URLs, Caddy's and the ingress's upstreams.
        var urls: [(text: String, target: Workload?)] = []
        for text in files.composeStrings {
            for match in text.regexMatches(Self.urlPattern) { urls.append((match[0], files.compose.first { $0.name == match[1] })) }
        }
        for text in files.kubernetesStrings {
            for match in text.regexMatches(Self.urlPattern) { urls.append((match[0], kubernetesWorkload(serviceName: match[1]))) }
        }
        for (text, target) in urls {
            guard let target, let service = target.service, let groups = text.regexMatches(Self.urlPattern).first else { continue }
            #expect(Int(groups[2]) == target.listeningPort, "\(text) names \(target.name) on port \(groups[2]); \(service.rawValue) listens on \(target.listeningPort!)")
            let path = String(groups[3].drop { $0 == "/" })
            if !path.isEmpty {
                #expect(try routes(of: service).contains("\"\(path)\""), "\(text): \(service.rawValue) has no route \(groups[3])")
            }
        }
        for site in files.caddy {
            for upstream in site.upstreams {
                let target = files.compose.first { $0.name == upstream.host }
                #expect(target != nil, "Caddyfile \(site.address) proxies to \(upstream.host), which is no compose service")
                if let port = target?.listeningPort { #expect(upstream.port == port, "Caddyfile \(site.address) proxies to \(upstream.host):\(upstream.port); it listens on \(port)") }
            }
        }
        for path in files.ingressPaths {
            guard let service = files.kubernetesServices.first(where: { $0.name == path.service }) else { continue }
            #expect(path.port == nil || service.ports.contains { $0.port == path.port }, "Ingress \(path.host)\(path.path) asks Service \(path.service) on \(path.port!), which it does not serve")
        }
    }

    @Test func noServiceReceivesASecretItDoesNotRead() {
        let secrets = code.values.reduce(into: Self.deploymentSecrets) { $0.formUnion($1.secrets) }
        for workload in files.compose + files.kubernetes {
            for problem in workload.problems { Issue.record("\(workload.place) \(problem)") }
            let allowed = allowedVariables(workload)
            for (name, setting) in workload.environment.sorted(by: { $0.key < $1.key }) {
                for reference in setting.references where secrets.contains(reference) && !secrets.contains(name) {
                    Issue.record("\(workload.place) hands the secret \(reference) over as \(name), which is not read as a secret")
                }
                guard secrets.contains(name) else { continue }
                if !allowed.contains(name) {
                    Issue.record("\(workload.place) receives the secret \(name), which \(who(workload)) never reads")
                }
                if setting.isWrittenInFile {
                    Issue.record("\(workload.place) writes the secret \(name) into the file; take it from the env file or a Secret")
                }
            }
        }
    }

    @Test func everyVariableOfTheEnvExampleIsReadAndReachesItsReaders() {
        let read = code.values.reduce(into: ConfigVariables.openTelemetry.union(ConfigVariables.process)) { $0.formUnion($1.reads) }
        #expect(!files.envExample.isEmpty, "deploy/motherstream.env.example offers no variable")
        for name in files.envExample {
            if read.contains(name) {
                for workload in motherstream(files.compose) where allowedVariables(workload).contains(name) && workload.environment[name] == nil {
                    Issue.record("motherstream.env.example offers \(name), but compose never gives it to \(workload.name): setting it would not reach \(workload.service!.rawValue), which reads it")
                }
            } else if let why = Self.deploymentOnly[name] {
                #expect(files.composeReferences.contains(name), "motherstream.env.example offers \(name) (\(why)), but compose never uses it")
            } else {
                Issue.record("motherstream.env.example offers \(name), which no service reads; if it is for the deployment only, list it in deploymentOnly with why")
            }
        }
        for name in files.composeReferences.sorted() where !files.envExample.contains(name) {
            Issue.record("deploy/compose.yaml takes ${\(name)} from the env file, but motherstream.env.example does not offer it")
        }
    }

    /// Pods take connections only from the services whose code calls them (and the namespaces listed above).
    @Test func networkPoliciesAdmitExactlyTheCallers() {
        for workload in motherstream(files.kubernetes) {
            let service = workload.service!
            let policies = files.networkPolicies.filter { matches($0.podSelector, workload.podLabels) }
            guard !policies.isEmpty else {
                Issue.record("\(workload.place): no NetworkPolicy selects \(workload.name), so any pod may call its /internal routes")
                continue
            }
            let callers = Set(code.values.filter { $0.calls.contains(service) }.compactMap { caller in
                motherstream(files.kubernetes).first { $0.service == caller.service }?.name
            }).union(Self.mediaServerCallers[service] ?? [])
            var admitted: Set<String> = []
            for policy in policies {
                for rule in policy.rules where rule.ports.isEmpty || rule.ports.contains(workload.listeningPort!) {
                    for peer in rule.from {
                        switch peer {
                        case .pods(let labels):
                            admitted.formUnion(files.kubernetes.filter { !$0.isInitContainer && matches(labels, $0.podLabels) }.map(\.name))
                        case .namespace(let namespace):
                            if let allowed = Self.admittedNamespaces[namespace] {
                                #expect(allowed.services.contains(service), "NetworkPolicy \(policy.name) admits namespace \(namespace) (\(allowed.why)) to \(service.rawValue)")
                            } else {
                                Issue.record("NetworkPolicy \(policy.name) admits namespace \(namespace), which is not one this test allows (\(Self.admittedNamespaces.keys.sorted()))")
                            }
                        case .anyone:
                            Issue.record("NetworkPolicy \(policy.name) lets anyone reach \(service.rawValue)")
                        case .other(let what):
                            Issue.record("NetworkPolicy \(policy.name) admits \(what) to \(service.rawValue)")
                        }
                    }
                }
            }
            for caller in callers.subtracting(admitted).sorted() {
                Issue.record("NetworkPolicy for \(workload.name) does not admit \(caller), which calls \(service.rawValue): those calls would time out")
            }
            for stranger in admitted.subtracting(callers).sorted() {
                Issue.record("NetworkPolicy for \(workload.name) admits \(stranger), which never calls \(service.rawValue)")
            }
        }
    }

    /// Caddy and the Ingress serve only the public services, and never their /internal routes or metrics.
    @Test func thePublicEntrancesNeverReachInternalRoutes() {
        let probes = ["/internal/v1/state", "/metrics"]
        #expect(!files.caddy.isEmpty, "the Caddyfile has no site")
        for site in files.caddy where !site.upstreams.isEmpty {
            for upstream in site.upstreams {
                if let service = files.compose.first(where: { $0.name == upstream.host })?.service {
                    #expect(Self.publicServices.contains(service), "Caddyfile \(site.address) makes \(service.rawValue) public")
                }
            }
            for probe in probes where !site.refusedPaths.contains(where: { caddyPath($0, matches: probe) }) {
                Issue.record("Caddyfile \(site.address) passes \(probe) on to the services; refuse it (`respond @private 404`)")
            }
        }
        for host in Set(files.ingressPaths.map(\.host)).sorted() {
            let paths = files.ingressPaths.filter { $0.host == host }
            for path in paths {
                if let service = kubernetesWorkload(serviceName: path.service)?.service {
                    #expect(Self.publicServices.contains(service), "Ingress \(host)\(path.path) makes \(service.rawValue) public")
                }
            }
            for probe in probes {
                let chosen = paths.filter { ingressPath($0, matches: probe) }.max { $0.path.count < $1.path.count }
                if let chosen, let service = kubernetesWorkload(serviceName: chosen.service)?.service {
                    Issue.record("Ingress \(host) sends \(probe) to \(service.rawValue) (rule \(chosen.path)); route it to the `closed` Service")
                }
            }
        }
        for workload in motherstream(files.compose) where !workload.publishedPorts.isEmpty {
            Issue.record("\(workload.place) publishes \(workload.publishedPorts) on the host, around Caddy")
        }
    }

    @Test func accountServiceScalesOutAndQueueServiceStaysTheOneWriter() {
        for workload in motherstream(files.compose) {
            if workload.service == .accountService {
                #expect(workload.containerName == nil, "\(workload.place): a container_name stops `--scale accounts=2`")
            } else if workload.service == .queueService {
                #expect((workload.replicas ?? 1) == 1, "\(workload.place): QueueService is the one writer of its journal")
            }
        }
        let deployments = motherstream(files.kubernetes)
        for service in ServiceName.allCases {
            let running = deployments.filter { $0.service == service }
            #expect(running.count == 1, "Kubernetes runs \(service.rawValue) in \(running.count) Deployments; one, of its own, restarts alone")
        }
        for name in Set(deployments.map(\.name)) where deployments.filter({ $0.name == name }).count > 1 {
            Issue.record("Deployment \(name) runs several services: restarting one restarts the others")
        }
        for workload in deployments {
            switch workload.service! {
            case .accountService:
                #expect((workload.replicas ?? 1) >= 2, "\(workload.place): AccountService runs \(workload.replicas ?? 1) replica(s); at least 2")
                #expect(workload.strategy == "RollingUpdate", "\(workload.place): AccountService updates by RollingUpdate, not \(workload.strategy ?? "the default")")
                #expect(workload.volumeClaims.isEmpty, "\(workload.place): AccountService is stateless; it mounts \(workload.volumeClaims)")
                #expect(workload.cpuRequest != nil, "\(workload.place): the HPA needs a CPU request to measure against")
                let autoscaler = files.horizontalAutoscalers.first { $0.target == workload.name }
                #expect(autoscaler != nil && (autoscaler?.minReplicas ?? 1) >= 2 && autoscaler?.metrics.contains("cpu") == true,
                        "no HorizontalPodAutoscaler on CPU keeps \(workload.name) at 2 replicas or more")
                #expect(files.disruptionBudgets.contains { matches($0, workload.podLabels) }, "no PodDisruptionBudget covers \(workload.name)")
            case .queueService, .obsBridge, .notifier:
                // The journal, or the one cursor file a consumer follows the queue with.
                #expect(workload.replicas == 1 && workload.strategy == "Recreate", "\(workload.place): \(workload.service!.rawValue) must run one replica with Recreate")
                #expect(!workload.volumeClaims.isEmpty, "\(workload.place): \(workload.service!.rawValue) keeps its files on a volume")
            case .hookGateway:
                break
            }
        }
    }

    @Test func theSRSConfigInKubernetesIsTheShippedOne() throws {
        let shipped = try String(contentsOf: PackageRoot.url.appendingPathComponent("deploy/srs/srs.conf"), encoding: .utf8)
        let embedded = try #require(files.configMaps["srs-config-template"]?["srs.conf"], "no srs-config-template ConfigMap")
        #expect(embedded == shipped, "the srs.conf in deploy/kubernetes differs from deploy/srs/srs.conf")
    }

    // MARK: Helpers

    static let urlPattern = #"(?:https?|rtmp)://([a-z0-9-]+):(\d+)(/[A-Za-z0-9/_-]*)?"#

    func motherstream(_ workloads: [Workload]) -> [Workload] {
        workloads.filter { $0.service != nil }
    }

    func allowedVariables(_ workload: Workload) -> Set<String> {
        if let service = workload.service {
            return code[service]!.reads.union(ConfigVariables.openTelemetry).union(ConfigVariables.process)
        }
        return Self.thirdParty.first { workload.image.hasPrefix($0.image) }?.variables ?? []
    }

    func who(_ workload: Workload) -> String {
        if let service = workload.service { return service.rawValue }
        if let known = Self.thirdParty.first(where: { workload.image.hasPrefix($0.image) }) { return "\(workload.image) (\(known.why))" }
        return "\(workload.image) (an image this test does not know: add it to thirdParty with what it may get)"
    }

    /// `ACCOUNT_SERVICE_URL` (or `…_URLS`) for AccountService.
    func urlVariable(of peer: ServiceName, readBy caller: ServiceVariables) -> String? {
        caller.reads.sorted().first { $0.replacingOccurrences(of: "_", with: "").lowercased().hasPrefix(peer.rawValue.lowercased() + "url") }
    }

    func matches(_ selector: [String: String], _ labels: [String: String]) -> Bool {
        !selector.isEmpty && selector.allSatisfy { labels[$0.key] == $0.value }
    }

    func kubernetesWorkload(selectedBy selector: [String: String]) -> Workload? {
        motherstream(files.kubernetes).first { matches(selector, $0.podLabels) }
    }

    func kubernetesWorkload(serviceName: String) -> Workload? {
        files.kubernetesServices.first { $0.name == serviceName }.flatMap { kubernetesWorkload(selectedBy: $0.selector) }
    }

    func caddyPath(_ pattern: String, matches path: String) -> Bool {
        pattern.hasSuffix("*") ? path.hasPrefix(pattern.dropLast()) : pattern == path
    }

    func ingressPath(_ rule: IngressPath, matches path: String) -> Bool {
        if rule.exact { return rule.path == path }
        let prefix = rule.path.hasSuffix("/") ? rule.path : rule.path + "/"
        return rule.path == "/" || path == rule.path || path.hasPrefix(prefix)
    }

    /// The service's sources, to find a route's path among their string literals.
    func routes(of service: ServiceName) throws -> String {
        let directory = PackageRoot.url.appendingPathComponent("Services/\(service.rawValue)")
        let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return try files.filter { $0.pathExtension == "swift" }.map { try String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
    }
}
