import Foundation
import Shared
import Testing
import TestSupport
import Yams

/// The alert rules and the dashboard under `deploy/observability/` name only metrics the services
/// export: the five real processes run, a publish and a handover happen, every service's
/// `/metrics` is scraped over HTTP, and each metric name an alert's `expr` or a dashboard target
/// uses must be there.
@Suite(.serialized) struct ObservabilityNamesSystemTests {
    static let directory = PackageRoot.url.appendingPathComponent("deploy/observability")

    /// What issue 14 asks an operator to be able to alert on; each must be used by the files.
    static let required = [
        "gateway_hooks_total", "peer_request_duration_seconds_bucket", "queue_journal_sync_seconds_bucket", "queue_handovers_total",
        "queue_kicks_pending", "queue_length", "obs_connected", "notifier_backlog_events", "gateway_relays_running", "gateway_recordings_active",
    ]

    @Test func everyMetricTheAlertsAndTheDashboardUseIsExported() async throws {
        let uses = try Self.alertUses() + Self.dashboardUses()
        for name in Self.required {
            #expect(uses.contains { $0.name == name }, "\(name) is used by neither alerts.yaml nor grafana-dashboard.json")
        }

        let exposed = try await withFiveServices(extra: ["RECORD_PROGRAMME": "true"]) { system, consumers in
            let keyA = try await system.signUp("Alpha")
            let keyB = try await system.signUp("Bravo")
            #expect(try await system.publish(key: keyA, client: "clienta1").status == 200)
            #expect(try await system.publish(key: keyB, client: "clientb1").status == 200)
            // The lead leaves: Bravo takes over, one handover for the reason `left`.
            #expect(try await system.hook("on_unpublish.json", key: keyA, client: "clienta1").status == 200)
            _ = try await system.hook("on_close.json", client: "clienta1")
            #expect(try await system.queueJSON() == ["Bravo"])

            let services = [system.gateway, system.queue, system.accounts] + consumers
            try await system.waitUntil("the gauges show the queue, OBS and Discord as they are", timeout: .seconds(30)) {
                let queue = try await Self.scrape(system.queue)
                let bridge = try await Self.scrape(consumers[0])
                let notifier = try await Self.scrape(consumers[1])
                return queue.value("queue_length") == 1 && queue.value("queue_handovers_total", ["reason": "left"]) == 1
                    && queue.value("queue_kicks_pending") == 0 && bridge.value("obs_connected") == 1
                    && notifier.value("notifier_backlog_events", ["webhook": "1"]) == 0
                    && (notifier.value("notifier_messages_sent_total", ["webhook": "1"]) ?? 0) >= 1
            }
            var all: [String: Exposition] = [:]
            for service in services { all[service.name] = try await Self.scrape(service) }
            let gateway = try #require(all["HookGateway"])
            #expect(gateway.value("gateway_relays_running") == 0 && gateway.value("gateway_relays_wanted") == 0)
            #expect(gateway.value("gateway_recordings_active") == 0)
            #expect(gateway.value("gateway_hooks_total", ["action": "on_publish", "outcome": "lead"]) == 1)
            return all
        }

        for use in uses {
            let found = exposed.filter { $0.value.exports(use.name) }.map(\.key)
            #expect(!found.isEmpty, "\(use.name), used by \(use.place), is on no service's /metrics (scraped \(exposed.keys.sorted().joined(separator: ", ")))")
        }
    }

    /// The tokenizer itself: what it takes for a metric name, and what it leaves alone.
    @Test func theTokenizerFindsMetricNamesOnly() throws {
        let expr = #"""
            histogram_quantile(0.99, sum by (job, peer, le) (rate(peer_request_duration_seconds_bucket{outcome!="peer_failure"}[5m])))
              > 0.5 and on (job) up{job=~"queue|gateway_x"} == 0 unless ignoring (instance) queue_length offset 1h
              or sum without (reason) (increase(queue_handovers_total[$__rate_interval])) > bool 1e3
              or count by (job) (obs_connected) * on (job) group_left notifier_backlog_events # a comment: not_a_metric
            """#
        #expect(PromQLNames.metrics(in: expr) == [
            "peer_request_duration_seconds_bucket", "up", "queue_length", "queue_handovers_total", "obs_connected", "notifier_backlog_events",
        ])
        #expect(Exposition(text: "# TYPE queue_a_seconds histogram\nqueue_a_seconds_bucket{le=\"1\"} 2\n").exports("queue_a_seconds_count"))
        #expect(!Exposition(text: "# TYPE queue_b counter\nqueue_b 1\n").exports("queue_b_bucket"), "a counter has no buckets")
        #expect(!Exposition(text: "# TYPE gatway_b counter\ngatway_b 1\n").exports("gatway_b"), "a misspelt prefix is not a project metric")
    }

    // MARK: - The files

    struct Use: Sendable {
        var name: String
        var place: String
    }

    static func alertUses() throws -> [Use] {
        let file = directory.appendingPathComponent("alerts.yaml")
        let loaded = try Yams.load(yaml: try String(contentsOf: file, encoding: .utf8))
        let groups = try #require((loaded as? [String: Any])?["groups"] as? [[String: Any]], "alerts.yaml has no `groups:` list")
        #expect(!groups.isEmpty)
        var uses: [Use] = []
        for group in groups {
            let rules = try #require(group["rules"] as? [[String: Any]], "group \(group["name"] ?? "?") has no `rules:`")
            for rule in rules {
                let name = try #require(rule["alert"] as? String, "a rule without `alert:` in \(group["name"] ?? "?")")
                let expr = try #require(rule["expr"] as? String, "\(name) has no `expr:`")
                #expect((rule["labels"] as? [String: Any])?["severity"] is String, "\(name) has no severity label")
                #expect((rule["annotations"] as? [String: Any])?["summary"] is String, "\(name) has no summary")
                let names = PromQLNames.metrics(in: expr)
                #expect(!names.isEmpty, "\(name)'s expr names no metric: \(expr)")
                uses += names.map { Use(name: $0, place: "alerts.yaml, alert \(name)") }
            }
        }
        return uses
    }

    static func dashboardUses() throws -> [Use] {
        let file = directory.appendingPathComponent("grafana-dashboard.json")
        let loaded = try JSONSerialization.jsonObject(with: try Data(contentsOf: file))
        let dashboard = try #require(loaded as? [String: Any], "grafana-dashboard.json is not a JSON object")
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 36)
        let panels = try #require(dashboard["panels"] as? [[String: Any]], "the dashboard has no panels")
        var uses: [Use] = []
        func visit(_ panels: [[String: Any]]) throws {
            for panel in panels {
                let title = panel["title"] as? String ?? "?"
                let type = panel["type"] as? String ?? "?"
                #expect(["timeseries", "stat", "row"].contains(type), "panel \(title) is a \(type)")
                try visit(panel["panels"] as? [[String: Any]] ?? [])
                guard type != "row" else { continue }
                let targets = try #require(panel["targets"] as? [[String: Any]], "panel \(title) has no targets")
                for target in targets {
                    let expr = try #require(target["expr"] as? String, "a target of panel \(title) has no expr")
                    let names = PromQLNames.metrics(in: expr)
                    #expect(!names.isEmpty, "panel \(title)'s expr names no metric: \(expr)")
                    uses += names.map { Use(name: $0, place: "grafana-dashboard.json, panel \"\(title)\"") }
                }
            }
        }
        try visit(panels)
        return uses
    }

    // MARK: - The system

    /// RunningSystem's three, plus OBSBridge (against the fake OBS) and Notifier (one webhook at the
    /// fake Discord). Programme recording is on so the gateway has a recorder; nothing is published
    /// to the programme, so no ffmpeg runs.

    static func scrape(_ service: ServiceProcess) async throws -> Exposition {
        let reply = try await TestHTTP().get("\(service.baseURL)/metrics")
        guard reply.status == 200 else { throw ServiceProcessError("\(service.name) /metrics answered \(reply.status)") }
        return Exposition(text: reply.body)
    }
}

/// The metric names a PromQL expression reads. String literals, label matchers (`{…}`), label
/// lists (`by (…)`, `without (…)`, `on (…)`, `ignoring (…)`, `group_left/right (…)`), ranges,
/// numbers and durations, Grafana variables (`$__rate_interval`), functions and aggregations
/// (an identifier followed by `(`), and keywords are skipped. What is left is a metric name:
/// one with a project prefix, or a Prometheus built-in (`up`). Anything else is reported as
/// unknown too, so a misspelt prefix does not go unchecked.
enum PromQLNames {
    static let prefixes = ["gateway_", "queue_", "obs_", "notifier_", "peer_", "account_", "hb_", "http_"]
    /// Series Prometheus itself writes for every target, and its alert state.
    static let builtIns: Set<String> = [
        "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added",
        "ALERTS", "ALERTS_FOR_STATE",
    ]
    static let keywords: Set<String> = ["and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN"]
    static let labelLists: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right"]
    /// Aggregations may put their `by (…)` before the parenthesis: `sum by (job) (…)`.
    static let aggregations: Set<String> = [
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio",
    ]

    /// The names in the order they appear, each once.
    static func metrics(in expr: String) -> [String] {
        let chars = Array(expr.unicodeScalars)
        var names: [String] = []
        var index = 0
        var braces = 0
        var skipNextParens = false
        var parensToSkip = 0  // depth inside a label list
        func isStart(_ c: Unicode.Scalar) -> Bool { CharacterSet.letters.contains(c) && c.isASCII || c == "_" || c == ":" }
        func isPart(_ c: Unicode.Scalar) -> Bool { isStart(c) || ("0"..."9").contains(c) }
        while index < chars.count {
            let c = chars[index]
            switch c {
            case "\"", "'", "`":
                index += 1
                while index < chars.count && chars[index] != c {
                    index += chars[index] == "\\" && c != "`" ? 2 : 1
                }
                index += 1
            case "#":
                while index < chars.count && chars[index] != "\n" { index += 1 }
            case "{":
                braces += 1
                index += 1
            case "}":
                braces = max(0, braces - 1)
                index += 1
            case "(":
                if skipNextParens || parensToSkip > 0 { parensToSkip += 1 }
                skipNextParens = false
                index += 1
            case ")":
                parensToSkip = max(0, parensToSkip - 1)
                index += 1
            case "[":
                while index < chars.count && chars[index] != "]" { index += 1 }
                index += 1
            case "$":
                index += 1
                if index < chars.count && chars[index] == "{" {
                    while index < chars.count && chars[index] != "}" { index += 1 }
                    index += 1
                } else {
                    while index < chars.count && isPart(chars[index]) { index += 1 }
                }
            case _ where ("0"..."9").contains(c) || (c == "." && index + 1 < chars.count && ("0"..."9").contains(chars[index + 1])):
                while index < chars.count && (isPart(chars[index]) || chars[index] == ".") { index += 1 }
            case _ where isStart(c):
                let start = index
                while index < chars.count && isPart(chars[index]) { index += 1 }
                let word = String(String.UnicodeScalarView(chars[start..<index]))
                var next = index
                while next < chars.count && chars[next].properties.isWhitespace { next += 1 }
                let calls = next < chars.count && chars[next] == "("
                if labelLists.contains(word) {
                    // `group_left` may come without a list.
                    skipNextParens = calls && braces == 0
                    continue
                }
                if braces > 0 || parensToSkip > 0 || keywords.contains(word) || aggregations.contains(word) || calls { continue }
                if !names.contains(word) { names.append(word) }
            default:
                index += 1
            }
        }
        return names
    }

    static func isProjectMetric(_ name: String) -> Bool {
        prefixes.contains { name.hasPrefix($0) }
    }
}

/// A `/metrics` page: each metric's `# TYPE`, and its samples.
struct Exposition: Sendable {
    var types: [String: String] = [:]
    var samples: [(name: String, labels: [String: String], value: Double)] = []

    init(text: String) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count >= 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            guard !line.hasPrefix("#"), let sample = Self.sample(line) else { continue }
            samples.append(sample)
        }
    }

    /// True when `name` is a metric on this page: a `# TYPE` or a sample's name, or a histogram's
    /// (or summary's) `_bucket`, `_sum`, `_count` series of one. Prometheus's own series (`up`) are
    /// on every scrape, so they count as exported.
    func exports(_ name: String) -> Bool {
        if PromQLNames.builtIns.contains(name) { return true }
        guard PromQLNames.isProjectMetric(name) else { return false }
        if types[name] != nil || samples.contains(where: { $0.name == name }) { return true }
        for (suffix, kinds) in [("_bucket", ["histogram"]), ("_sum", ["histogram", "summary"]), ("_count", ["histogram", "summary"])] where name.hasSuffix(suffix) {
            if let kind = types[String(name.dropLast(suffix.count))], kinds.contains(kind) { return true }
        }
        return false
    }

    /// The value of the one sample of `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }

    private static func sample(_ line: Substring) -> (name: String, labels: [String: String], value: Double)? {
        var labels: [String: String] = [:]
        let name: Substring
        var rest: Substring
        if let open = line.firstIndex(of: "{") {
            name = line[..<open]
            rest = line[line.index(after: open)...]
            while let equals = rest.firstIndex(of: "=") {
                let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
                rest = rest[rest.index(equals, offsetBy: 2)...]  // past `="`
                var value = ""
                while let c = rest.first, c != "\"" {
                    if c == "\\", let escaped = rest.dropFirst().first {
                        value.append(escaped == "n" ? "\n" : escaped)
                        rest = rest.dropFirst(2)
                    } else {
                        value.append(c)
                        rest = rest.dropFirst()
                    }
                }
                labels[key] = value
                rest = rest.dropFirst()  // the closing quote
                if rest.first == "}" { break }
            }
            guard let close = rest.firstIndex(of: "}") else { return nil }
            rest = rest[rest.index(after: close)...]
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = line[..<space]
            rest = line[space...]
        }
        guard let text = rest.split(separator: " ").first, let value = Double(text) else { return nil }
        return (String(name), labels, value)
    }
}
