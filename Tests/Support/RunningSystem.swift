import Foundation
import Shared

/// The real executables running together as processes on free ports — AccountService,
/// QueueService, HookGateway — with a fake SRS HTTP API for kicks. Tests talk to it the way SRS,
/// browsers and operators do: over HTTP, with the recorded SRS bodies.
public final class RunningSystem: @unchecked Sendable {
    public let accounts: ServiceProcess
    /// Further AccountService instances on the same database, when asked for: every caller is
    /// given all of them in `ACCOUNT_SERVICE_URL`.
    public let accountReplicas: [ServiceProcess]
    public let queue: ServiceProcess
    public let gateway: ServiceProcess
    public let srs: FakeSRSAPI
    public let directory: URL
    let http = TestHTTP()

    public var processes: [ServiceProcess] { [accounts] + accountReplicas + [queue, gateway] }

    /// - Parameter databaseURL: PostgreSQL for AccountService, or nil for its embedded SQLite.
    /// - Parameter accountReplicas: how many more AccountService instances to run beside the
    ///   first (they need `databaseURL`: replicas share one PostgreSQL).
    public static func start(databaseURL: String? = nil, accountReplicas: Int = 0, extra: [String: String] = [:]) async throws -> RunningSystem {
        let directory = try temporaryDirectory("system")
        let srs = try await FakeSRSAPI.start()
        let ports = (accounts: try freePort(), queue: try freePort(), gateway: try freePort())
        let replicaPorts = try (0..<accountReplicas).map { _ in try freePort() }
        var common = TestSecrets.environment
        common["ACCOUNT_SERVICE_URL"] = ([ports.accounts] + replicaPorts).map { "http://127.0.0.1:\($0)" }.joined(separator: ",")
        common["QUEUE_SERVICE_URL"] = "http://127.0.0.1:\(ports.queue)"
        common["HOOK_GATEWAY_URL"] = "http://127.0.0.1:\(ports.gateway)"
        common["SRS_API_URL"] = srs.server.baseURL
        common["LOG_LEVEL"] = "info"
        common.merge(extra) { _, new in new }

        func environment(_ name: String) -> [String: String] {
            var environment = common
            environment["DATA_DIR"] = directory.appendingPathComponent(name.lowercased()).path
            return environment
        }
        var accountEnvironment = environment("AccountService")
        if let databaseURL { accountEnvironment["DATABASE_URL"] = databaseURL }

        let replicas = try replicaPorts.enumerated().map { index, port in
            let logs = directory.appendingPathComponent("replica-\(index + 1)")
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            return ServiceProcess("AccountService", port: port, environment: accountEnvironment, logDirectory: logs)
        }
        let system = RunningSystem(
            accounts: ServiceProcess("AccountService", port: ports.accounts, environment: accountEnvironment, logDirectory: directory),
            accountReplicas: replicas,
            queue: ServiceProcess("QueueService", port: ports.queue, environment: environment("QueueService"), logDirectory: directory),
            gateway: ServiceProcess("HookGateway", port: ports.gateway, environment: environment("HookGateway"), logDirectory: directory),
            srs: srs, directory: directory
        )
        srs.sendHooks(to: "\(system.gateway.baseURL)/srs/hooks?secret=\(TestSecrets.hook)")
        do {
            try await system.accounts.start()
            for replica in replicas { try await replica.start() }
            try await system.queue.start()
            try await system.gateway.start()
        } catch {
            await system.stop()
            throw error
        }
        return system
    }

    private init(accounts: ServiceProcess, accountReplicas: [ServiceProcess], queue: ServiceProcess, gateway: ServiceProcess, srs: FakeSRSAPI, directory: URL) {
        self.accounts = accounts
        self.accountReplicas = accountReplicas
        self.queue = queue
        self.gateway = gateway
        self.srs = srs
        self.directory = directory
    }

    /// Runs `body` against the system and always stops it; on failure the logs are attached to the error.
    /// Runs `body` against the system and always stops it; on failure the logs are attached to
    /// the error. A service that ignores SIGTERM fails the test too.
    public func run(_ body: (RunningSystem) async throws -> Void) async throws {
        do {
            try await body(self)
        } catch {
            let logs = processes.map { "--- \($0.name) ---\n\($0.tail())" }.joined(separator: "\n")
            await stop()
            throw ServiceProcessError("\(error)\n\(logs)")
        }
        let stuck = await stop()
        if !stuck.isEmpty {
            throw ServiceProcessError("did not shut down gracefully on SIGTERM: \(stuck.joined(separator: ", "))")
        }
    }

    /// Stops everything; returns the services that did not shut down gracefully on SIGTERM.
    @discardableResult
    public func stop() async -> [String] {
        var stuck: [String] = []
        for process in processes where !(await process.stop()) {
            stuck.append(process.name)
        }
        await srs.stop()
        return stuck
    }

    // MARK: - As a DJ

    /// Signs a DJ up over HTTP and returns their stream key.
    public func signUp(_ djName: String, email: String? = nil, password: String = "correct horse battery") async throws -> String {
        let address = email ?? "\(djName.lowercased().replacingOccurrences(of: " ", with: "."))@example.org"
        let reply = try await http.post(
            "\(accounts.baseURL)/api/v1/users/signup",
            json: #"{"email":"\#(address)","password":"\#(password)","dj_name":"\#(djName)","timezone":"Europe/Berlin"}"#
        )
        guard reply.status == 201, let key = try reply.json()["stream_key"] as? String else {
            throw ServiceProcessError("signup of \(djName) failed: \(reply.status) \(reply.body)")
        }
        return key
    }

    // MARK: - As SRS

    /// Publishes like SRS: the recorded on_publish body with this DJ's key and a client id, and —
    /// when accepted — SRS now holds that connection (so a kick finds it).
    public func publish(key: String, client: String) async throws -> TestHTTP.Reply {
        let reply = try await hook("on_publish.json", key: key, client: client)
        if reply.status == 200 { srs.connect(client, stream: key) }
        return reply
    }

    /// Posts a recorded SRS body to the gateway's hook URL, with this DJ's key and client id.
    /// Like SRS, the fake SRS holds the connection before it asks about the publish, and drops it
    /// when it reports the close, so that the gateway's ingest reconciliation sees what SRS would.
    public func hook(_ fixture: String, key: String? = nil, client: String? = nil, param: String? = nil, secret: String = TestSecrets.hook, path: String = "srs/hooks") async throws -> TestHTTP.Reply {
        if let client, fixture == "on_publish.json" { srs.connect(client, stream: key ?? "KEY123") }
        if let client, fixture == "on_close.json" { srs.disconnect(client) }
        return try await http.post("\(gateway.baseURL)/\(path)?secret=\(secret)", json: SRSFixture.body(fixture, streamKey: key, clientId: client, param: param))
    }

    // MARK: - As an operator or consumer

    public func queueJSON() async throws -> [String] {
        let reply = try await http.get("\(queue.baseURL)/queue-json")
        return try JSONCoding.decoder.decode(QueueJSON.self, from: Data(reply.body.utf8)).streamQueue
    }

    public func internalState() async throws -> InternalQueueState {
        let reply = try await http.get("\(queue.baseURL)/internal/v1/state", headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"])
        return try JSONCoding.decoder.decode(InternalQueueState.self, from: Data(reply.body.utf8))
    }

    public func events(after seq: UInt64, wait: Double = 0) async throws -> EventPage {
        let reply = try await http.get(
            "\(queue.baseURL)/internal/v1/events?after=\(seq)&wait=\(wait)&limit=5000", headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"]
        )
        return try JSONCoding.decoder.decode(EventPage.self, from: Data(reply.body.utf8))
    }

    /// The first event of this type after `seq`, waiting for it by long poll.
    public func waitForEvent(_ type: QueueEventType, after seq: UInt64, timeout: Duration) async throws -> QueueEvent {
        let deadline = ContinuousClock.now + timeout
        var cursor = seq
        while ContinuousClock.now < deadline {
            let page = try await events(after: cursor, wait: 1)
            if let event = page.events.first(where: { $0.type == type }) { return event }
            cursor = page.next
        }
        throw ServiceProcessError("no \(type) event after seq \(seq) within \(timeout)")
    }

    public func waitUntil(_ what: String, timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServiceProcessError("timed out waiting until \(what)")
    }
}
