import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// `/internal/v1/recordings` on the gateway as `buildApplication` wires it, over real HTTP, with
/// recordings put on disk through the library the recorder uses.
struct RecordingRoutesTests {
    let auth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)"]

    func ranged(_ range: String) -> HTTPFields {
        var headers = auth
        headers[.range] = range
        return headers
    }

    func app(directory: URL) async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["RECORD_DIR"] = directory.path
        environment["DATA_DIR"] = directory.appendingPathComponent("data").path
        return try await buildApplication(try HookGatewayConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
    }

    /// A finished recording of `bytes` under `library`, as the recorder leaves one.
    func record(_ library: RecordingLibrary, user: UUID, dj: String, turn: UInt64, bytes: [UInt8], startedAt: Date = Date()) throws -> RecordingView {
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let stored = StoredRecording(
            id: id, userId: user, djName: dj, turn: turn, part: 1, startedAt: startedAt, endedAt: nil, durationSeconds: nil,
            fileName: RecordingName.fileName(turnStartedAt: startedAt, slug: RecordingName.slug(dj), turn: turn, timeZone: .current)
        )
        let path = try library.begin(stored)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try #require(try library.finish(id: id, endedAt: startedAt.addingTimeInterval(8), durationSeconds: 8))
    }

    @Test func listsFiltersServesRangesAndDeletesBehindTheInternalToken() async throws {
        let directory = try temporaryDirectory("recording-routes")
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = RecordingLibrary(directory: directory.path)
        try library.prepare()
        let ada = UUID(), bo = UUID()
        let content = (0..<5000).map { _ in UInt8.random(in: 0...255) }
        let adas = try record(library, user: ada, dj: "Ada Lovelace", turn: 3, bytes: content, startedAt: Date().addingTimeInterval(-60))
        let bos = try record(library, user: bo, dj: "Bo", turn: 4, bytes: [1, 2, 3])

        try await app(directory: directory).test(.live) { client in
            // Internal token required on every route.
            for (uri, method) in [("/internal/v1/recordings", HTTPRequest.Method.get), ("/internal/v1/recordings/\(adas.id)", .get), ("/internal/v1/recordings/\(adas.id)", .delete)] {
                try await client.execute(uri: uri, method: method) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer wrong-token-0123456789"]) { #expect($0.status == .unauthorized) }
            }

            let all = try await client.execute(uri: "/internal/v1/recordings", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                return try JSONCoding.decoder.decode(RecordingList.self, from: Data(buffer: response.body))
            }
            #expect(all.recordings.map(\.id) == [bos.id, adas.id], "newest first")
            #expect(all.recordings.last?.bytes == 5000)
            #expect(all.recordings.last?.fileName.hasSuffix("_ada-lovelace_turn-3.mkv") == true)
            let onlyAda = try await client.execute(uri: "/internal/v1/recordings?user_id=\(ada)", method: .get, headers: auth) {
                try JSONCoding.decoder.decode(RecordingList.self, from: Data(buffer: $0.body))
            }
            #expect(onlyAda.recordings.map(\.id) == [adas.id])
            try await client.execute(uri: "/internal/v1/recordings?user_id=nope", method: .get, headers: auth) { #expect($0.status == .badRequest) }

            // The whole file, with its name.
            try await client.execute(uri: "/internal/v1/recordings/\(adas.id)", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == content)
                #expect(response.headers[.contentType] == "video/x-matroska")
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"\(adas.fileName)\"")
                #expect(response.headers[.acceptRanges] == "bytes")
                #expect(response.headers[.contentLength] == "5000")
            }
            // One range, an open end, a suffix: 206 with exactly those bytes.
            for (range, expected, contentRange) in [
                ("bytes=100-199", Array(content[100...199]), "bytes 100-199/5000"),
                ("bytes=4990-", Array(content[4990...]), "bytes 4990-4999/5000"),
                ("bytes=-7", Array(content[4993...]), "bytes 4993-4999/5000"),
            ] {
                try await client.execute(uri: "/internal/v1/recordings/\(adas.id)", method: .get, headers: ranged(range)) { response in
                    #expect(response.status == .partialContent)
                    #expect(Array(buffer: response.body) == expected)
                    #expect(response.headers[.contentRange] == contentRange)
                    #expect(response.headers[.contentLength] == "\(expected.count)")
                }
            }
            // Past the end: 416 with the size.
            try await client.execute(uri: "/internal/v1/recordings/\(adas.id)", method: .get, headers: ranged("bytes=5000-")) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */5000")
            }
            // Unknown, malformed and path-like ids name nothing.
            for id in ["0123456789abcdef0123456789abcdef", "nope", "..%2F..%2Fetc%2Fpasswd"] {
                try await client.execute(uri: "/internal/v1/recordings/\(id)", method: .get, headers: auth) { #expect($0.status == .notFound) }
            }

            // Deleted: gone from disk and the list; a second delete is a 404.
            try await client.execute(uri: "/internal/v1/recordings/\(bos.id)", method: .delete, headers: auth) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/internal/v1/recordings/\(bos.id)", method: .delete, headers: auth) { #expect($0.status == .notFound) }
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(bos.fileName).path))
            #expect(library.list().map(\.id) == [adas.id])
        }
    }
}

struct RecordingLibraryTests {
    @Test func aPartialIsNamedOnlyWhenFinishedAndNothingPlayableIsDropped() throws {
        let directory = try temporaryDirectory("recording-library")
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = RecordingLibrary(directory: directory.path)
        try library.prepare()
        let start = Date()
        func stored(_ id: String) -> StoredRecording {
            StoredRecording(
                id: id, userId: UUID(), djName: "Ada", turn: 5, part: 1, startedAt: start, endedAt: nil, durationSeconds: nil,
                fileName: "2026-01-01_2100_ada_turn-5.mkv"
            )
        }
        let first = String(repeating: "a", count: 32), second = String(repeating: "b", count: 32), empty = String(repeating: "c", count: 32)
        for id in [first, second, empty] {
            let path = try library.begin(stored(id))
            #expect(path.hasPrefix(library.partialDirectory + "/"))
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        }
        // In progress: listed nowhere, no named file yet.
        #expect(library.list().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.isEmpty)

        let one = try #require(try library.finish(id: first, endedAt: start.addingTimeInterval(9), durationSeconds: 9))
        let two = try #require(try library.finish(id: second, endedAt: start.addingTimeInterval(9), durationSeconds: 9))
        #expect(one.fileName == "2026-01-01_2100_ada_turn-5.mkv")
        #expect(two.fileName == "2026-01-01_2100_ada_turn-5_2.mkv", "a taken name is never overwritten")
        #expect(try library.finish(id: empty, endedAt: start, durationSeconds: nil) == nil)
        #expect(Set(library.list().map(\.id)) == [first, second])
        #expect(try FileManager.default.contentsOfDirectory(atPath: library.partialDirectory).isEmpty)
    }

    @Test func leftoversOfACrashAreTheRegisteredPartialsAndStrayMediaIsDeleted() throws {
        let directory = try temporaryDirectory("recording-leftovers")
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = RecordingLibrary(directory: directory.path)
        try library.prepare()
        let id = String(repeating: "d", count: 32)
        let path = try library.begin(StoredRecording(
            id: id, userId: UUID(), djName: "Bo", turn: 1, part: 1, startedAt: Date(), endedAt: nil, durationSeconds: nil, fileName: "x_bo_turn-1.mkv"
        ))
        try Data([1]).write(to: URL(fileURLWithPath: path))
        let stray = library.partialMediaPath(String(repeating: "e", count: 32))
        try Data([1]).write(to: URL(fileURLWithPath: stray))
        #expect(library.leftovers() == [id])
        #expect(!FileManager.default.fileExists(atPath: stray))
    }
}
