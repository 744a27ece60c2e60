import Crypto
import Foundation
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers

/// An independent obs-websocket client for tests to look at OBS with (screenshots, stats) — not
/// the bridge's client, so the bridge is checked by something other than itself.
public final class OBSProbe: @unchecked Sendable {
    private let pending = NIOLockedValueBox((next: 0, waiting: [String: CheckedContinuation<String, any Error>]()))
    private var outbound: WebSocketOutboundWriter?
    private var task: Task<Void, Never>?

    public static func connect(port: Int, password: String) async throws -> OBSProbe {
        let probe = OBSProbe()
        let (ready, signal) = AsyncStream<WebSocketOutboundWriter?>.makeStream()
        probe.task = Task {
            var logger = Logger(label: "obs-probe")
            logger.logLevel = .critical
            var configuration = WebSocketClientConfiguration()
            configuration.maxFrameSize = 1 << 24
            _ = try? await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)", configuration: configuration, logger: logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 26).makeAsyncIterator()
                guard case .text(let helloText)? = try await messages.next(), let hello = Self.object(helloText)?["d"] as? [String: Any] else { return }
                var identify: [String: Any] = ["rpcVersion": 1, "eventSubscriptions": 0]
                if let auth = hello["authentication"] as? [String: Any], let salt = auth["salt"] as? String, let challenge = auth["challenge"] as? String {
                    let secret = Data(SHA256.hash(data: Data((password + salt).utf8))).base64EncodedString()
                    identify["authentication"] = Data(SHA256.hash(data: Data((secret + challenge).utf8))).base64EncodedString()
                }
                try await outbound.writeTextMessage(Self.text(["op": 1, "d": identify]))
                guard case .text? = try await messages.next() else { signal.yield(nil); return }
                signal.yield(outbound)
                while let message = try await messages.next() {
                    guard case .text(let text) = message, let frame = Self.object(text), frame["op"] as? Int == 7,
                          let id = (frame["d"] as? [String: Any])?["requestId"] as? String
                    else { continue }
                    let waiter = probe.pending.withLockedValue { $0.waiting.removeValue(forKey: id) }
                    waiter?.resume(returning: text)
                }
            }
            signal.yield(nil)
        }
        for await writer in ready {
            guard let writer else { break }
            probe.outbound = writer
            return probe
        }
        throw ServiceProcessError("could not identify with OBS on port \(port)")
    }

    /// Sends a request and returns its `responseData` (throws on a non-100 status).
    public func request(_ type: String, _ data: [String: Any] = [:]) async throws -> [String: Any] {
        guard let outbound else { throw ServiceProcessError("probe not connected") }
        let id = pending.withLockedValue { state -> String in
            state.next += 1
            return "probe-\(state.next)"
        }
        let text = Self.text(["op": 6, "d": ["requestType": type, "requestId": id, "requestData": data]])
        let reply = try await withCheckedThrowingContinuation { continuation in
            pending.withLockedValue { $0.waiting[id] = continuation }
            Task { try? await outbound.writeTextMessage(text) }
        }
        let answer = Self.object(reply)?["d"] as? [String: Any] ?? [:]
        let status = answer["requestStatus"] as? [String: Any]
        guard status?["code"] as? Int == 100 else { throw ServiceProcessError("\(type) failed: \(status ?? [:])") }
        return answer["responseData"] as? [String: Any] ?? [:]
    }

    /// The average colour of what the programme shows (the current program scene, rendered small).
    public func programmeColour() async throws -> (red: Double, green: Double, blue: Double) {
        let scene = try await request("GetCurrentProgramScene")["currentProgramSceneName"] as? String ?? ""
        let shot = try await request("GetSourceScreenshot", ["sourceName": scene, "imageFormat": "bmp", "imageWidth": 64, "imageHeight": 36])
        guard let url = shot["imageData"] as? String, let comma = url.firstIndex(of: ","), let bmp = Data(base64Encoded: String(url[url.index(after: comma)...])) else {
            throw ServiceProcessError("no screenshot data")
        }
        return try Self.averageColour(bmp: bmp)
    }

    public func close() {
        task?.cancel()
    }

    static func averageColour(bmp: Data) throws -> (red: Double, green: Double, blue: Double) {
        let bytes = [UInt8](bmp)
        func u32(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24 }
        guard bytes.count > 54, bytes[0] == 0x42, bytes[1] == 0x4D else { throw ServiceProcessError("not a BMP") }
        let offset = u32(10), width = u32(18), height = abs(Int(Int32(truncatingIfNeeded: u32(22)))), bits = Int(bytes[28]) | Int(bytes[29]) << 8
        guard bits == 24 || bits == 32 else { throw ServiceProcessError("unsupported BMP depth \(bits)") }
        let stride = ((width * bits / 8) + 3) / 4 * 4
        var sum = (0.0, 0.0, 0.0)
        for row in 0..<height {
            for column in 0..<width {
                let pixel = offset + row * stride + column * bits / 8
                guard pixel + 2 < bytes.count else { continue }
                sum.0 += Double(bytes[pixel + 2])
                sum.1 += Double(bytes[pixel + 1])
                sum.2 += Double(bytes[pixel])
            }
        }
        let count = Double(width * height)
        return (sum.0 / count, sum.1 / count, sum.2 / count)
    }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    static func text(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self)
    }
}

/// The named colour nearest to an average: how the real-OBS test tells pictures apart.
public func nearestColour(_ colour: (red: Double, green: Double, blue: Double)) -> String {
    let palette: [(String, Double, Double, Double)] = [
        ("red", 255, 0, 0), ("blue", 0, 0, 255), ("green", 0, 255, 0), ("yellow", 255, 255, 0), ("black", 0, 0, 0),
    ]
    return palette.min { lhs, rhs in
        let l = pow(lhs.1 - colour.red, 2) + pow(lhs.2 - colour.green, 2) + pow(lhs.3 - colour.blue, 2)
        let r = pow(rhs.1 - colour.red, 2) + pow(rhs.2 - colour.green, 2) + pow(rhs.3 - colour.blue, 2)
        return l < r
    }!.0
}
