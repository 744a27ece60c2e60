import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import Shared
import TestSupport

/// HookGateway's outputs API and internal recordings API as a live server, built from the
/// contracts in Shared/Contracts/Outputs.swift. It keeps the stream keys it was given (so a test
/// can tell what arrived) and reads them back only as a hint; it lists every recording even when
/// asked for one DJ's, so the tests show AccountService itself keeps a DJ to their own; and it
/// serves a recording's bytes from a formula, in chunks, optionally holding back all but the
/// first megabyte until the test says so.
final class FakeHookGateway: Sendable {
    struct Call: Sendable, Equatable {
        var method: String
        var path: String
        var authorization: String?
        var body: String
    }

    struct State: Sendable {
        var targets: [OutputTargetView] = []
        var keys: [UUID: String] = [:]
        var recordings: [RecordingView] = []
        var calls: [Call] = []
        var held = false
    }

    let server: LiveServer
    private let state: NIOLockedValueBox<State>
    private let gate: Gate

    var calls: [Call] { state.withLockedValue { $0.calls } }
    var targets: [OutputTargetView] { state.withLockedValue { $0.targets } }
    var keys: [UUID: String] { state.withLockedValue { $0.keys } }
    var recordings: [RecordingView] { state.withLockedValue { $0.recordings } }
    func calls(to prefix: String) -> [Call] { calls.filter { $0.path.hasPrefix(prefix) } }

    func add(_ recording: RecordingView) { state.withLockedValue { $0.recordings.append(recording) } }
    func holdDownloads() { state.withLockedValue { $0.held = true } }
    func releaseDownloads() async { await gate.openUp() }
    func report(_ id: UUID, _ change: @Sendable (inout OutputTargetView) -> Void) {
        state.withLockedValue { state in
            if let index = state.targets.firstIndex(where: { $0.id == id }) { change(&state.targets[index]) }
        }
    }

    /// The byte at `offset` of every recording this fake serves.
    static func byte(at offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: offset &* 31 &+ offset >> 10) }
    static func bytes(_ range: Range<Int>) -> [UInt8] { range.map(byte(at:)) }
    static let heldAfter = 1 << 20

    static func start() async throws -> FakeHookGateway {
        let state = NIOLockedValueBox(State())
        let gate = Gate()
        let router = Router()

        @Sendable func record(_ request: Request) async throws -> String {
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 64 * 1024))
            state.withLockedValue {
                $0.calls.append(Call(method: request.method.rawValue, path: request.uri.description, authorization: request.headers[.authorization], body: body))
            }
            return body
        }
        @Sendable func json(_ value: some Encodable & Sendable, _ status: HTTPResponse.Status = .ok) throws -> Response {
            Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encode(value))))
        }
        @Sendable func refusal(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) throws -> Response {
            try json(APIError(status, code: "invalid", message: message, field: field).body, status)
        }
        let adminOnly: @Sendable (Request) -> Bool = { $0.headers[.authorization]?.hasPrefix("Bearer ey") == true }
        let internalOnly: @Sendable (Request) -> Bool = { $0.headers[.authorization] == "Bearer \(TestSecrets.internalToken)" }

        router.get("api/v1/admin/outputs") { request, _ -> Response in
            _ = try await record(request)
            guard adminOnly(request) else { return Response(status: .unauthorized) }
            return try json(OutputsOverview(source: "programme", sourceLive: true, targets: state.withLockedValue { $0.targets }))
        }
        router.post("api/v1/admin/outputs") { request, _ -> Response in
            let body = try await record(request)
            guard adminOnly(request) else { return Response(status: .unauthorized) }
            let input = try JSONCoding.decoder.decode(OutputTargetInput.self, from: ByteBuffer(string: body))
            guard let url = input.url, url.hasPrefix("rtmp://") || url.hasPrefix("rtmps://") else {
                return try refusal(.unprocessableContent, "The URL must start with rtmp:// or rtmps://.", field: "url")
            }
            let key = input.streamKey ?? ""
            let target = OutputTargetView(
                id: UUID(), name: input.name ?? "", url: url, keyHint: "…" + key.suffix(4), enabled: input.enabled ?? true, state: .connecting
            )
            state.withLockedValue {
                $0.targets.append(target)
                $0.keys[target.id] = key
            }
            return try json(target, .created)
        }
        router.patch("api/v1/admin/outputs/:id") { request, context -> Response in
            let body = try await record(request)
            guard adminOnly(request) else { return Response(status: .unauthorized) }
            let id = try context.parameters.require("id", as: UUID.self)
            let input = try JSONCoding.decoder.decode(OutputTargetInput.self, from: ByteBuffer(string: body))
            let changed: OutputTargetView? = state.withLockedValue { state in
                guard let index = state.targets.firstIndex(where: { $0.id == id }) else { return nil }
                if let enabled = input.enabled {
                    state.targets[index].enabled = enabled
                    state.targets[index].state = enabled ? .connecting : .off
                }
                return state.targets[index]
            }
            guard let changed else { return try refusal(.notFound, "No such output.") }
            return try json(changed)
        }
        router.delete("api/v1/admin/outputs/:id") { request, context -> Response in
            _ = try await record(request)
            guard adminOnly(request) else { return Response(status: .unauthorized) }
            let id = try context.parameters.require("id", as: UUID.self)
            state.withLockedValue { $0.targets.removeAll { $0.id == id } }
            return Response(status: .noContent)
        }

        router.get("internal/v1/recordings") { request, _ -> Response in
            _ = try await record(request)
            guard internalOnly(request) else { return Response(status: .unauthorized) }
            return try json(RecordingList(recordings: state.withLockedValue { $0.recordings }))
        }
        router.get("internal/v1/recordings/:id") { request, context -> Response in
            _ = try await record(request)
            guard internalOnly(request) else { return Response(status: .unauthorized) }
            let id = try context.parameters.require("id")
            let (found, held) = state.withLockedValue { state in (state.recordings.first { $0.id == id }, state.held) }
            guard let recording = found else { return try refusal(.notFound, "No such recording.") }
            let size = Int(recording.bytes)
            var headers: HTTPFields = [
                .contentType: "video/x-matroska", .acceptRanges: "bytes", .contentDisposition: "attachment; filename=\"\(recording.fileName)\"",
            ]
            var range = 0..<size
            var status = HTTPResponse.Status.ok
            if let asked = request.headers[.range] {
                guard let wanted = Self.range(asked, size: size) else {
                    headers[.contentRange] = "bytes */\(size)"
                    return Response(status: .rangeNotSatisfiable, headers: headers)
                }
                range = wanted
                status = .partialContent
                headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
            }
            let served = range
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: served.count) { writer in
                var offset = served.lowerBound
                while offset < served.upperBound {
                    if held, offset - served.lowerBound >= Self.heldAfter { await gate.wait() }
                    let end = min(offset + 64 * 1024, served.upperBound)
                    try await writer.write(ByteBuffer(bytes: Self.bytes(offset..<end)))
                    offset = end
                }
                try await writer.finish(nil)
            })
        }
        router.delete("internal/v1/recordings/:id") { request, context -> Response in
            _ = try await record(request)
            guard internalOnly(request) else { return Response(status: .unauthorized) }
            let id = try context.parameters.require("id")
            let removed = state.withLockedValue { state in
                let before = state.recordings.count
                state.recordings.removeAll { $0.id == id }
                return state.recordings.count < before
            }
            return Response(status: removed ? .noContent : .notFound)
        }
        return FakeHookGateway(server: try await LiveServer.start(router, label: "fake-hook-gateway"), state: state, gate: gate)
    }

    /// One `bytes=` range of RFC 9110 (`a-b`, `a-`, `-n`), or nil when it cannot be served.
    static func range(_ header: String, size: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let parts = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let count = Int(parts[1]), count > 0, size > 0 else { return nil }
            return max(0, size - count)..<size
        }
        guard let start = Int(parts[0]), start < size else { return nil }
        let end = parts[1].isEmpty ? size - 1 : min(Int(parts[1]) ?? -1, size - 1)
        return end >= start ? start..<(end + 1) : nil
    }

    private init(server: LiveServer, state: NIOLockedValueBox<State>, gate: Gate) {
        self.server = server
        self.state = state
        self.gate = gate
    }
}

/// Opens once, for every download waiting on it.
private actor Gate {
    private var open = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func openUp() {
        open = true
        waiting.forEach { $0.resume() }
        waiting.removeAll()
    }

    func wait() async {
        if open { return }
        await withCheckedContinuation { waiting.append($0) }
    }
}
