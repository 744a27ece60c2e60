import Foundation
import Testing
import TestSupport

/// One publish is one trace across the real processes, exported over OTLP/HTTP (protobuf) to a
/// collector stand-in that decodes it with the OpenTelemetry project's own protobuf definitions
/// (`Tests/OTLPReceiver/otlp_receiver.py`).
@Suite(.serialized) struct TracingSystemTests {
    @Test func onePublishIsOneTraceAcrossGatewayAndQueue() async throws {
        try await OTLPReceiver.with { receiver in
            let system = try await RunningSystem.start(extra: receiver.environment)
            try await system.run { system in
                let key = try await system.signUp("Traced")
                let accepted = try await system.publish(key: key, client: "traced1")
                #expect(accepted.status == 200 && accepted.body == #"{"code":0}"#)
                let refused = try await system.publish(key: "nobodyskey", client: "stranger1")
                #expect(refused.body != #"{"code":0}"#)

                let publish = try await receiver.trace(rootedAt: "HookGateway", { $0.kind == "server" && $0.attributes["url.path"] != nil }, containing: ["QueueService"])
                let hook = try #require(publish.root)
                #expect(hook.parent.isEmpty, "the hook's span starts the trace")
                let requestID = try #require(accepted.headers.first(name: "X-Request-Id"))
                #expect(publish.spans.filter { $0.kind == "server" }.allSatisfy { $0.attributes["request.id"] as? String == requestID }, "the request id is an attribute of every server span: \(publish.summary)")
                #expect(!(hook.attributes["url.query"].map(String.init(describing:)) ?? "").contains(TestSecrets.hook), "the hook secret is not in the span")

                // gateway → queue: the queue's server span's parent is a gateway client span under the hook.
                let queueServer = try #require(publish.spans.first { $0.service == "QueueService" && $0.kind == "server" }, "no QueueService server span in \(publish.summary)")
                let caller = try #require(publish.span(queueServer.parent), "QueueService's parent \(queueServer.parent) is not in the trace: \(publish.summary)")
                #expect(caller.service == "HookGateway" && caller.kind == "client", "QueueService is called by \(caller.service) \(caller.kind)")
                #expect(publish.reachesRoot(caller), "\(caller.name) hangs under the hook")
                // The key was found in the gateway's copy of the key directory: no call to AccountService.
                #expect(!publish.spans.contains { $0.service == "AccountService" }, "the key was checked without a hop: \(publish.summary)")
                let sync = try #require(publish.spans.first { $0.name == "queue journal sync" }, "no journal sync span: \(publish.summary)")
                #expect(sync.service == "QueueService" && sync.parent == queueServer.id, "the journal sync is part of the queue's answer")

                // The refused publish is a trace of its own, the gateway's alone: no queue, no accounts.
                let refusal = try await receiver.trace(rootedAt: "HookGateway", { $0.kind == "server" && $0.trace != publish.id && ($0.attributes["url.path"] as? String) == "/srs/hooks" }, containing: [])
                #expect(!refusal.spans.contains { $0.service == "QueueService" || $0.service == "AccountService" }, "an unknown key never leaves the gateway: \(refusal.summary)")
                try Artifacts.write("trace-of-one-publish.txt", publish.summary + "\n\n" + refusal.summary + "\n")
            }
        }
    }

    /// The handover the publish caused reaches OBSBridge's requests and Notifier's Discord call in
    /// the same trace, carried by the queue's event.
    @Test func aHandoverTraceReachesOBSAndDiscordThroughTheEventLog() async throws {
        try await OTLPReceiver.with { receiver in
            try await withFiveServices(extra: receiver.environment) { system, _ in
                let key = try await system.signUp("Handed")
                #expect(try await system.publish(key: key, client: "handed1").status == 200)
                let trace = try await receiver.trace(
                    rootedAt: "HookGateway", { $0.kind == "server" && $0.attributes["url.path"] != nil }, containing: ["OBSBridge", "Notifier"]
                )
                let obs = try #require(trace.spans.first { $0.service == "OBSBridge" && $0.name == "OBS request batch" }, "\(trace.summary)")
                let discord = try #require(trace.spans.first { $0.service == "Notifier" && $0.name == "Discord announcement" }, "\(trace.summary)")
                #expect(trace.reachesRoot(obs) && trace.reachesRoot(discord), "\(trace.summary)")
                #expect(trace.spans.contains { $0.service == "Notifier" && $0.kind == "client" && $0.parent == discord.id }, "Discord's HTTP call is a client span: \(trace.summary)")
                try Artifacts.write("trace-of-one-handover.txt", trace.summary + "\n")
            }
        }
    }
}

/// The collector stand-in as a process on a free port, and the spans it has written so far.
struct OTLPReceiver {
    let port: Int
    let spansFile: URL

    var environment: [String: String] {
        [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_TRACES_SAMPLER": "always_on",
            // Export every 100 ms rather than every 5 s, so the test reads its spans promptly.
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        ]
    }

    static func with(_ body: (OTLPReceiver) async throws -> Void) async throws {
        let directory = try temporaryDirectory("otlp")
        let receiver = OTLPReceiver(port: try freePort(), spansFile: directory.appendingPathComponent("spans.jsonl"))
        let script = PackageRoot.url.appendingPathComponent("Tests/OTLPReceiver/otlp_receiver.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "\(receiver.port)", receiver.spansFile.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        defer {
            // Not `waitUntilExit`: off the main thread it spins on Linux's Foundation.
            process.terminate()
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        // One line, "listening PORT", once the socket is bound.
        let ready = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard ready.hasPrefix("listening") else {
            throw ServiceProcessError("the OTLP receiver did not start (is `opentelemetry-proto` installed? `make test` installs it): \(ready)")
        }
        try await body(receiver)
    }

    func spans() throws -> [ExportedSpan] {
        guard let text = try? String(contentsOf: spansFile, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            try ExportedSpan(json: JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:])
        }
    }

    /// Waits for the trace whose root span `service` made and `matches`, until it holds spans of
    /// every service in `containing`.
    func trace(rootedAt service: String, _ matches: (ExportedSpan) -> Bool, containing: [String], timeout: Duration = .seconds(30)) async throws -> ExportedTrace {
        let deadline = ContinuousClock.now + timeout
        var last: ExportedTrace?
        while ContinuousClock.now < deadline {
            let all = try spans()
            for root in all where root.service == service && root.parent.isEmpty && matches(root) {
                let trace = ExportedTrace(id: root.trace, spans: all.filter { $0.trace == root.trace })
                last = trace
                if containing.allSatisfy({ name in trace.spans.contains { $0.service == name } }) { return trace }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ServiceProcessError("no trace rooted at \(service) with spans of \(containing) within \(timeout); last seen: \(last?.summary ?? "none"); all: \(try spans().map { "\($0.service)/\($0.name)" })")
    }
}

struct ExportedSpan {
    var service: String
    var trace: String
    var id: String
    var parent: String
    var name: String
    var kind: String
    var attributes: [String: Any]

    init(json: [String: Any]) throws {
        service = json["service"] as? String ?? ""
        trace = json["trace_id"] as? String ?? ""
        id = json["span_id"] as? String ?? ""
        parent = json["parent_span_id"] as? String ?? ""
        name = json["name"] as? String ?? ""
        kind = json["kind"] as? String ?? ""
        attributes = json["attributes"] as? [String: Any] ?? [:]
    }
}

struct ExportedTrace {
    var id: String
    var spans: [ExportedSpan]

    var root: ExportedSpan? { spans.first { $0.parent.isEmpty } }

    func span(_ id: String) -> ExportedSpan? { spans.first { $0.id == id } }

    func reachesRoot(_ span: ExportedSpan) -> Bool {
        var current = span
        for _ in 0..<spans.count {
            if current.parent.isEmpty { return current.id == root?.id }
            guard let parent = self.span(current.parent) else { return false }
            current = parent
        }
        return false
    }

    /// The trace as an indented tree, one span a line: what an operator sees in a trace viewer.
    var summary: String {
        var lines = ["trace \(id): \(spans.count) spans"]
        func walk(_ span: ExportedSpan, depth: Int) {
            let status = span.attributes["http.response.status_code"].map { " → \($0)" } ?? ""
            let requestID = span.attributes["request.id"].map { " request.id=\($0)" } ?? ""
            lines.append(String(repeating: "  ", count: depth) + "\(span.service) [\(span.kind)] \(span.name)\(status)\(requestID)")
            for child in spans where child.parent == span.id { walk(child, depth: depth + 1) }
        }
        if let root { walk(root, depth: 1) }
        return lines.joined(separator: "\n")
    }
}
