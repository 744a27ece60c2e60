import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers

/// obs-websocket 5 as OBS 29 behaves (reference/protocols.md §3, obs-headless.md), including
/// the unpleasant parts: a Hello with salt and challenge and close 4009 on a wrong password,
/// 4010 for an Identify that asks for an RPC version other than 1, 4011 when "kicked from the UI", media inputs that report PLAYING before any picture, a
/// stopped stream that keeps reporting PLAYING (frozen), and the reconnect wait after switching
/// away from an input that delivers nothing — touching an input then is recorded as a violation
/// (it freezes a real OBS's video thread).
public final class FakeOBS: Sendable {
    public struct Item: Sendable, Equatable {
        public var id: Int
        public var source: String
        public var enabled: Bool
    }

    struct Input: Sendable {
        var kind: String
        var settings: [String: Any & Sendable]
        var loadedAt: Date
        var reconnectWaitUntil: Date?
        /// When frames started arriving for the current URL (nil: none yet).
        var deliveringSince: Date?
        var frozenCursor: Int?
        var muted = false

        var url: String { settings["input"] as? String ?? "" }
        var reconnectDelay: Double { (settings["reconnect_delay_sec"] as? Double) ?? 10 }
    }

    struct State {
        var password: String?
        var scenes: [String: [Item]] = [:]
        var sceneOrder: [String] = []
        var program = ""
        /// OBS 29's built-in transitions; a new profile starts on Fade, 300 ms.
        var transition = "Fade"
        var transitionDuration = 300
        var inputs: [String: Input] = [:]
        var nextItemId = 1
        /// URL → is a publisher live on it.
        var live: Set<String> = []
        var outbounds: [UUID: WebSocketOutboundWriter] = [:]
        var mutations: [(String, Date)] = []
        var violations: [String] = []
        var identifyAttempts = 0
    }

    private let state: NIOLockedValueBox<State>
    public let port: Int
    private let server: NIOLockedValueBox<LiveServer?>
    public let liveScene: String
    public let holdScene: String

    /// Starts with a scene collection like an operator's: the live scene holding an overlay
    /// (`TIMER`) that must stay on top, and the holding scene.
    public static func start(password: String?, port: Int? = nil, liveScene: String = "MOTHERSTREAM", holdScene: String = "BRB") async throws -> FakeOBS {
        let obs = FakeOBS(password: password, port: try port ?? freePort(), liveScene: liveScene, holdScene: holdScene)
        try await obs.boot()
        return obs
    }

    private init(password: String?, port: Int, liveScene: String, holdScene: String) {
        var initial = State()
        initial.password = password
        self.state = NIOLockedValueBox(initial)
        self.port = port
        self.server = NIOLockedValueBox(nil)
        self.liveScene = liveScene
        self.holdScene = holdScene
    }

    /// (Re)starts OBS with a fresh scene collection: what a restart of OBS looks like to the bridge.
    public func boot() async throws {
        state.withLockedValue { state in
            let password = state.password
            let live = state.live
            state = State()
            state.password = password
            state.live = live
            state.scenes = [liveScene: [Item(id: 1, source: "TIMER", enabled: true)], holdScene: []]
            state.sceneOrder = [liveScene, holdScene]
            state.nextItemId = 2
            state.program = holdScene
            state.inputs["TIMER"] = Input(kind: "text_ft2_source_v2", settings: ["text": "00:00"], loadedAt: Date())
        }
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/", shouldUpgrade: { _, _ in .upgrade([.secWebSocketProtocol: "obswebsocket.json"]) }) { [self] inbound, outbound, _ in
            try await self.serve(inbound, outbound)
        }
        let live = try await LiveServer.start(Router(), label: "fake-obs", port: port, server: .http1WebSocketUpgrade(webSocketRouter: router))
        server.withLockedValue { $0 = live }
    }

    /// OBS quits (its websocket goes away with it).
    public func shutDown() async {
        let live = server.withLockedValue { server -> LiveServer? in
            defer { server = nil }
            return server
        }
        await closeAll(code: 1001, reason: "OBS is quitting")
        await live?.stop()
    }

    /// The "Kick" button in OBS's websocket session list.
    public func kickSessions() async {
        await closeAll(code: 4011, reason: "You have been disconnected by the OBS UI.")
    }

    // MARK: - The world outside OBS

    /// A publisher goes live on (or leaves) an SRS stream that inputs may pull.
    public func setLive(_ url: String, _ live: Bool) {
        state.withLockedValue { state in
            if live { state.live.insert(url) } else { state.live.remove(url) }
            for (name, input) in state.inputs where input.url == url {
                if live {
                    state.inputs[name]?.frozenCursor = nil
                } else if let since = input.deliveringSince {
                    // OBS does not notice: PLAYING, last frame frozen.
                    state.inputs[name]?.frozenCursor = Int(Date().timeIntervalSince(since) * 1000)
                    state.inputs[name]?.deliveringSince = nil
                }
            }
        }
    }

    // MARK: - What a test looks at

    /// What the programme shows now: `hold`, a stream URL, `frozen <url>`, or `black`.
    public var programPicture: String {
        state.withLockedValue { state in
            guard state.program == liveScene else { return state.program == holdScene ? "hold" : "scene \(state.program)" }
            let items = state.scenes[liveScene] ?? []
            for item in items.reversed() where item.enabled && item.source != "TIMER" {
                guard let input = state.inputs[item.source] else { continue }
                let status = Self.media(input, state.live, Date())
                if status.delivering { return input.url }
                if input.frozenCursor != nil { return "frozen \(input.url)" }
            }
            return "black"
        }
    }

    public var violations: [String] { state.withLockedValue { $0.violations } }
    public var mutationCount: Int { state.withLockedValue { $0.mutations.count } }
    public var identifyAttempts: Int { state.withLockedValue { $0.identifyAttempts } }
    public func items(in scene: String) -> [Item] { state.withLockedValue { $0.scenes[scene] ?? [] } }
    public var program: String { state.withLockedValue { $0.program } }
    public var transition: (name: String, milliseconds: Int) { state.withLockedValue { ($0.transition, $0.transitionDuration) } }
    public var connectedSessions: Int { state.withLockedValue { $0.outbounds.count } }

    /// Whether an input is pulling this URL with frames arriving, out of sight (under another
    /// input that covers the canvas) and muted: pre-rolled.
    public func isPrerolled(_ url: String) -> Bool {
        state.withLockedValue { state in
            let visible = (state.scenes[liveScene] ?? []).filter { $0.enabled && $0.source != "TIMER" }
            guard let top = visible.last else { return false }
            return state.inputs.contains { name, input in
                input.url == url && name != top.source && input.muted && Self.media(input, state.live, Date()).delivering
            }
        }
    }

    /// The streams the programme's audio carries: unmuted, delivering inputs in the programme scene.
    public var audibleOnProgramme: [String] {
        state.withLockedValue { state in
            (state.scenes[state.program] ?? []).compactMap { item in
                guard item.enabled, let input = state.inputs[item.source], !input.muted, Self.media(input, state.live, Date()).delivering else { return nil }
                return input.url
            }
        }
    }

    // MARK: - Protocol

    private func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        let salt = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let challenge = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let password = state.withLockedValue { $0.password }
        var hello: [String: Any] = ["obsWebSocketVersion": "5.1.0", "obsStudioVersion": "29.0.2", "rpcVersion": 1]
        if password != nil { hello["authentication"] = ["challenge": challenge, "salt": salt] }
        try await send(outbound, op: 0, hello)

        var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
        guard case .text(let identifyText)? = try await messages.next(), let identify = Self.object(identifyText), identify["op"] as? Int == 1 else {
            try await outbound.close(.unknown(4007), reason: "Not identified")
            return
        }
        state.withLockedValue { $0.identifyAttempts += 1 }
        let d = identify["d"] as? [String: Any]
        if let password {
            let secret = Data(SHA256.hash(data: Data((password + salt).utf8))).base64EncodedString()
            let expected = Data(SHA256.hash(data: Data((secret + challenge).utf8))).base64EncodedString()
            guard let given = d?["authentication"] as? String else {
                try await outbound.close(.unknown(4009), reason: "Your payload's data is missing an `authentication` string, however authentication is required.")
                return
            }
            guard given == expected else {
                try await outbound.close(.unknown(4009), reason: "Authentication failed.")
                return
            }
        }
        // Checked after the password, with obs-websocket's codes and reasons (WebSocketServer_Protocol.cpp).
        guard let requested = d?["rpcVersion"] else {
            try await outbound.close(.unknown(4003), reason: "Your payload's data is missing an `rpcVersion`.")
            return
        }
        guard type(of: requested) != Bool.self, let version = requested as? Int, version >= 0 else {
            try await outbound.close(.unknown(4004), reason: "Your `rpcVersion` is not an unsigned number.")
            return
        }
        guard version == 1 else {
            try await outbound.close(.unknown(4010), reason: "Your requested RPC version is not supported by this server.")
            return
        }
        try await send(outbound, op: 2, ["negotiatedRpcVersion": 1])
        let id = UUID()
        state.withLockedValue { $0.outbounds[id] = outbound }
        defer { _ = state.withLockedValue { $0.outbounds.removeValue(forKey: id) } }

        while let message = try await messages.next() {
            guard case .text(let text) = message, let frame = Self.object(text), let d = frame["d"] as? [String: Any] else { continue }
            switch frame["op"] as? Int {
            case 6:
                let type = d["requestType"] as? String ?? ""
                let (code, comment, data) = handle(type, d["requestData"] as? [String: Any] ?? [:])
                try await send(outbound, op: 7, Self.response(type, d["requestId"] as Any, code, comment, data))
            case 8:
                let results = (d["requests"] as? [[String: Any]] ?? []).map { request -> [String: Any] in
                    let type = request["requestType"] as? String ?? ""
                    let (code, comment, data) = handle(type, request["requestData"] as? [String: Any] ?? [:])
                    return Self.response(type, request["requestId"] as Any, code, comment, data)
                }
                try await send(outbound, op: 9, ["requestId": d["requestId"] as Any, "results": results])
            default:
                continue
            }
        }
    }

    private func handle(_ type: String, _ data: [String: Any]) -> (Int, String?, [String: Any]?) {
        let now = Date()
        return state.withLockedValue { state -> (Int, String?, [String: Any]?) in
            if !type.hasPrefix("Get") { state.mutations.append((type, now)) }
            let sceneName = data["sceneName"] as? String
            let inputName = data["inputName"] as? String
            switch type {
            case "GetVersion":
                return (100, nil, ["obsVersion": "29.0.2", "obsWebSocketVersion": "5.1.0", "rpcVersion": 1])
            case "GetVideoSettings":
                return (100, nil, ["baseWidth": 640, "baseHeight": 360, "outputWidth": 640, "outputHeight": 360, "fpsNumerator": 15, "fpsDenominator": 1])
            case "GetCurrentProgramScene":
                return (100, nil, ["currentProgramSceneName": state.program])
            case "SetCurrentProgramScene":
                guard let sceneName, state.scenes[sceneName] != nil else { return (600, "No source was found by the name of `\(sceneName ?? "")`.", nil) }
                state.program = sceneName
                return (100, nil, nil)
            case "GetSceneList":
                let scenes = state.sceneOrder.reversed().enumerated().map { ["sceneIndex": $0.offset, "sceneName": $0.element] as [String: Any] }
                return (100, nil, ["currentProgramSceneName": state.program, "currentPreviewSceneName": NSNull(), "scenes": scenes])
            case "CreateScene":
                guard let sceneName else { return (300, "Your request is missing the `sceneName` field.", nil) }
                guard state.scenes[sceneName] == nil else { return (601, "A source already exists by that scene name.", nil) }
                state.scenes[sceneName] = []
                state.sceneOrder.append(sceneName)
                return (100, nil, nil)
            case "GetSceneItemList":
                guard let sceneName, let items = state.scenes[sceneName] else { return (600, "No source was found by the name of `\(sceneName ?? "")`.", nil) }
                let list = items.enumerated().map { index, item -> [String: Any] in
                    ["sceneItemId": item.id, "sourceName": item.source, "sceneItemEnabled": item.enabled, "sceneItemIndex": index,
                     "inputKind": state.inputs[item.source]?.kind ?? NSNull()]
                }
                return (100, nil, ["sceneItems": list])
            case "CreateInput":
                guard let sceneName, state.scenes[sceneName] != nil else { return (600, "No source was found by the name of `\(sceneName ?? "")`.", nil) }
                guard let inputName, state.inputs[inputName] == nil else { return (601, "A source already exists by that input name.", nil) }
                let settings = (data["inputSettings"] as? [String: Any] ?? [:]).mapValues(Self.sendable)
                state.inputs[inputName] = Input(kind: data["inputKind"] as? String ?? "", settings: settings, loadedAt: now)
                let item = Item(id: state.nextItemId, source: inputName, enabled: data["sceneItemEnabled"] as? Bool ?? true)
                state.nextItemId += 1
                state.scenes[sceneName]?.append(item)
                return (100, nil, ["sceneItemId": item.id, "inputUuid": UUID().uuidString])
            case "CreateSceneItem":
                guard let sceneName, state.scenes[sceneName] != nil, let source = data["sourceName"] as? String,
                      state.inputs[source] != nil || (state.scenes[source] != nil && source != sceneName)
                else {
                    return (600, "No source was found.", nil)
                }
                let item = Item(id: state.nextItemId, source: source, enabled: data["sceneItemEnabled"] as? Bool ?? true)
                state.nextItemId += 1
                state.scenes[sceneName]?.append(item)
                return (100, nil, ["sceneItemId": item.id])
            case "SetSceneItemEnabled", "SetSceneItemIndex", "SetSceneItemTransform":
                guard let sceneName, let id = data["sceneItemId"] as? Int, let index = state.scenes[sceneName]?.firstIndex(where: { $0.id == id }) else {
                    return (600, "No scene items were found in the specified scene by that ID.", nil)
                }
                if type == "SetSceneItemEnabled" {
                    state.scenes[sceneName]?[index].enabled = data["sceneItemEnabled"] as? Bool ?? true
                } else if type == "SetSceneItemIndex" {
                    let item = state.scenes[sceneName]!.remove(at: index)
                    let target = min(max(data["sceneItemIndex"] as? Int ?? 0, 0), state.scenes[sceneName]!.count)
                    state.scenes[sceneName]!.insert(item, at: target)
                }
                return (100, nil, nil)
            case "GetInputSettings":
                guard let inputName, let input = state.inputs[inputName] else { return (600, "No source was found by the name of `\(inputName ?? "")`.", nil) }
                return (100, nil, ["inputKind": input.kind, "inputSettings": input.settings])
            case "SetInputSettings":
                guard let inputName, var input = state.inputs[inputName] else { return (600, "No source was found by the name of `\(inputName ?? "")`.", nil) }
                if let waitUntil = input.reconnectWaitUntil, now < waitUntil {
                    state.violations.append("SetInputSettings on \(inputName) during its reconnect wait (would freeze OBS's video thread)")
                }
                let changes = (data["inputSettings"] as? [String: Any] ?? [:]).mapValues(Self.sendable)
                let previous = input.url
                let wasDelivering = Self.media(input, state.live, now).delivering
                input.settings.merge(changes) { _, new in new }
                if input.kind == "ffmpeg_source" {
                    input.loadedAt = now
                    input.deliveringSince = nil
                    input.frozenCursor = nil
                    // obs-headless.md P1: leaving an input that delivered nothing kills the new open;
                    // OBS then sleeps reconnect_delay_sec before trying again.
                    input.reconnectWaitUntil = (!wasDelivering && !previous.isEmpty) ? now.addingTimeInterval(input.reconnectDelay) : nil
                }
                state.inputs[inputName] = input
                return (100, nil, nil)
            case "GetMediaInputStatus":
                guard let inputName, let input = state.inputs[inputName] else { return (600, "No source was found by the name of `\(inputName ?? "")`.", nil) }
                let media = Self.media(input, state.live, now)
                if media.delivering, input.deliveringSince == nil {
                    state.inputs[inputName]?.deliveringSince = now
                }
                return (100, nil, ["mediaState": media.state, "mediaCursor": media.cursor as Any, "mediaDuration": media.cursor == nil ? NSNull() : -9_223_372_036_854_775])
            case "GetInputMute":
                guard let inputName, let input = state.inputs[inputName] else { return (600, "No source was found by the name of `\(inputName ?? "")`.", nil) }
                return (100, nil, ["inputMuted": input.muted])
            case "SetInputMute":
                guard let inputName, state.inputs[inputName] != nil else { return (600, "No source was found by the name of `\(inputName ?? "")`.", nil) }
                state.inputs[inputName]?.muted = data["inputMuted"] as? Bool ?? false
                return (100, nil, nil)
            case "GetCurrentSceneTransition":
                return (100, nil, [
                    "transitionName": state.transition, "transitionKind": state.transition == "Cut" ? "cut_transition" : "fade_transition",
                    "transitionFixed": state.transition == "Cut", "transitionDuration": state.transition == "Cut" ? NSNull() : state.transitionDuration,
                    "transitionConfigurable": false, "transitionSettings": NSNull(),
                ])
            case "SetCurrentSceneTransition":
                guard let name = data["transitionName"] as? String, ["Cut", "Fade"].contains(name) else { return (600, "No transition was found by that name.", nil) }
                state.transition = name
                return (100, nil, nil)
            case "SetCurrentSceneTransitionDuration":
                guard let duration = data["transitionDuration"] as? Int, (50...20000).contains(duration) else { return (402, "transitionDuration is out of range.", nil) }
                state.transitionDuration = duration
                return (100, nil, nil)
            case "RemoveInput":
                guard let inputName, state.inputs.removeValue(forKey: inputName) != nil else { return (600, "No source was found.", nil) }
                for scene in state.scenes.keys { state.scenes[scene]?.removeAll { $0.source == inputName } }
                return (100, nil, nil)
            default:
                return (204, "Your request type is not valid.", nil)
            }
        }
    }

    /// A media input's state: PLAYING as soon as it is opened (even with nothing arriving, the
    /// trap), with a cursor that moves only while frames arrive.
    static func media(_ input: Input, _ live: Set<String>, _ now: Date) -> (state: String, cursor: Int?, delivering: Bool) {
        guard input.kind == "ffmpeg_source" else { return ("OBS_MEDIA_STATE_NONE", nil, false) }
        if input.url.isEmpty { return ("OBS_MEDIA_STATE_NONE", nil, false) }
        if let frozen = input.frozenCursor { return ("OBS_MEDIA_STATE_PLAYING", frozen, false) }
        let opensAt = max(input.loadedAt.addingTimeInterval(0.3), input.reconnectWaitUntil ?? .distantPast)
        guard now >= opensAt else {
            return input.reconnectWaitUntil.map { now < $0 } == true ? ("OBS_MEDIA_STATE_ENDED", nil, false) : ("OBS_MEDIA_STATE_OPENING", nil, false)
        }
        guard live.contains(input.url) else { return ("OBS_MEDIA_STATE_PLAYING", 0, false) }
        let since = input.deliveringSince ?? opensAt
        return ("OBS_MEDIA_STATE_PLAYING", max(1, Int(now.timeIntervalSince(since) * 1000)), true)
    }

    private func closeAll(code: UInt16, reason: String) async {
        let outbounds = state.withLockedValue { Array($0.outbounds.values) }
        for outbound in outbounds {
            try? await outbound.close(.unknown(code), reason: reason)
        }
    }

    private func send(_ outbound: WebSocketOutboundWriter, op: Int, _ d: [String: Any]) async throws {
        let data = try JSONSerialization.data(withJSONObject: ["op": op, "d": d])
        try await outbound.writeTextMessage(String(decoding: data, as: UTF8.self))
    }

    private static func response(_ type: String, _ id: Any, _ code: Int, _ comment: String?, _ data: [String: Any]?) -> [String: Any] {
        var status: [String: Any] = ["result": code == 100, "code": code]
        if let comment { status["comment"] = comment }
        var response: [String: Any] = ["requestType": type, "requestId": id, "requestStatus": status]
        if let data { response["responseData"] = data }
        return response
    }

    private static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    private static func sendable(_ value: Any) -> Any & Sendable {
        switch value {
        case let value as Bool where type(of: value) == Bool.self: return value
        case let value as NSNumber: return value.doubleValue
        case let value as String: return value
        default: return String(describing: value)
        }
    }
}
