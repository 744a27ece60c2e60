import Foundation
import Logging
import Metrics
import NIOWebSocket
import ServiceLifecycle
import Shared
import WSClient

/// Holds the one obs-websocket connection: connects, authenticates, identifies, hands each
/// session to the bridge, and reconnects with capped, jittered backoff — slowly after a
/// configuration error, not at all after a kick until an operator asks. Every timed wait is on
/// the injected clock.
actor OBSClient: Service {
    private let url: String
    private let password: String?
    private let backoff: Backoff
    private let configurationRetry: Duration
    private let clock: any Clock<Duration>
    private let logger: Logger
    private var onSession: @Sendable (OBSSession) async -> Void = { _ in }
    private var onEvent: @Sendable (String, JSONValue) async -> Void = { _, _ in }
    private(set) var status: OBSConnectionStatus {
        didSet { connected.record(status.state == .connected ? 1 : 0) }
    }
    /// `obs_connected`: 1 while the obs-websocket session is identified, 0 otherwise (from start-up).
    private let connected = Gauge(label: "obs_connected")
    /// An operator's "connect now"; kept if it comes while connected, so the next wait is skipped.
    private let reconnectRequested = Wakeup()
    private var stopped = false

    init(
        url: String, password: String?, backoff: Backoff, configurationRetry: Duration = .seconds(30),
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.url = url
        self.password = password
        self.backoff = backoff
        self.configurationRetry = configurationRetry
        self.clock = clock
        self.logger = logger
        self.status = OBSConnectionStatus(url: url)
        connected.record(0)
    }

    func handlers(session: @escaping @Sendable (OBSSession) async -> Void, event: @escaping @Sendable (String, JSONValue) async -> Void) {
        onSession = session
        onEvent = event
    }

    /// An operator asks to connect now (after a kick, or to skip a backoff wait).
    func reconnect() {
        stopped = false
        reconnectRequested.signal()
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.connectForever()
        }
    }

    private func connectForever() async {
        var attempt = 0
        while !Task.isCancelled {
            if stopped {
                await reconnectRequested.wait()
                attempt = 0
                continue
            }
            status.state = .connecting
            status.nextAttemptAt = nil
            status.attempts += 1
            let policy = await connectOnce()
            if Task.isCancelled { return }
            let delay: Duration
            switch policy {
            case .retry:
                if status.connectedSince != nil { attempt = 0 }
                delay = backoff.delay(attempt: attempt, random: Double.random(in: 0...1))
                attempt += 1
                status.state = .disconnected
            case .configurationError(let message):
                status.state = .configurationError
                status.lastError = message
                logger.error("OBS connection refused: \(message); retrying in \(configurationRetry)")
                delay = configurationRetry
            case .stop(let message):
                status.state = .kicked
                status.lastError = message
                status.connectedSince = nil
                logger.warning("OBS ended our session: \(message)")
                stopped = true
                continue
            }
            status.connectedSince = nil
            status.nextAttemptAt = Date().addingTimeInterval(delay.seconds)
            // Waits out the delay, or until an operator asks to reconnect.
            await reconnectRequested.wait(upTo: delay, clock: clock)
        }
    }

    /// One connection from open to close; returns what to do next.
    private func connectOnce() async -> ReconnectPolicy {
        var configuration = WebSocketClientConfiguration()
        configuration.additionalHeaders = [.secWebSocketProtocol: "obswebsocket.json"]
        let (password, clock) = (self.password, self.clock)
        do {
            let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                try await self.serve(inbound: inbound, outbound: outbound, password: password, clock: clock)
            }
            let code = close.map { UInt16(webSocketErrorCode: $0.closeCode) }
            if let close, code != 1000 {
                status.lastError = "OBS closed the connection (\(code.map(String.init) ?? "?"))\(close.reason.map { ": \($0)" } ?? "")"
            }
            return ReconnectPolicy.after(closeCode: code)
        } catch {
            status.lastError = "\(error)"
            logger.debug("OBS not reachable", metadata: ["url": "\(url)", "error": "\(error)"])
            return .retry
        }
    }

    /// Handshake, then reading until the connection closes. Not isolated to the actor: the
    /// inbound stream is read by this one task only.
    private nonisolated func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, password: String?, clock: any Clock<Duration>
    ) async throws {
        let decoder = JSONDecoder()
        var messages = inbound.messages(maxSize: 64 << 20).makeAsyncIterator()
        func nextFrame() async throws -> OBSFrame? {
            guard let message = try await messages.next() else { return nil }
            switch message {
            case .text(let text): return try decoder.decode(OBSFrame.self, from: Data(text.utf8))
            case .binary(let buffer): return try decoder.decode(OBSFrame.self, from: Data(buffer.readableBytesView))
            }
        }

        guard let hello = try await nextFrame(), hello.op == .hello else { throw OBSSessionError.handshake("no Hello") }
        var identify: [String: JSONValue] = ["rpcVersion": 1, "eventSubscriptions": .number(Double(obsEventSubscriptions))]
        if let challenge = hello.d["authentication"]?["challenge"]?.string, let salt = hello.d["authentication"]?["salt"]?.string {
            identify["authentication"] = .string(OBSAuthentication.response(password: password ?? "", salt: salt, challenge: challenge))
        }
        try await outbound.writeTextMessage(String(decoding: try JSONEncoder().encode(OBSFrame(op: .identify, d: .object(identify))), as: UTF8.self))
        guard let identified = try await nextFrame() else { return }  // closed during the handshake: the close code says why
        guard identified.op == .identified else { throw OBSSessionError.handshake("expected Identified, got op \(identified.op.rawValue)") }

        let session = OBSSession(
            outbound: outbound, obsVersion: hello.d["obsStudioVersion"]?.string ?? "unknown",
            websocketVersion: hello.d["obsWebSocketVersion"]?.string ?? "unknown", clock: clock
        )
        let (onSession, onEvent) = await connected(session)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await onSession(session) }
            defer {
                session.close()
                group.cancelAll()
            }
            while let frame = try await nextFrame() {
                switch frame.op {
                case .requestResponse, .requestBatchResponse:
                    session.deliver(frame.d)
                case .event:
                    await onEvent(frame.d["eventType"]?.string ?? "", frame.d["eventData"] ?? .null)
                default:
                    continue
                }
            }
        }
    }

    private func connected(_ session: OBSSession) -> (@Sendable (OBSSession) async -> Void, @Sendable (String, JSONValue) async -> Void) {
        status.state = .connected
        status.connectedSince = Date()
        status.lastError = nil
        status.obsVersion = session.obsVersion
        status.websocketVersion = session.websocketVersion
        logger.info("connected to OBS", metadata: ["obs": "\(session.obsVersion)", "obs_websocket": "\(session.websocketVersion)"])
        return (onSession, onEvent)
    }
}
