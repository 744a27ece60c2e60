import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import AccountService

/// Real images made by ffmpeg for the tests, and ffprobe's view of what AccountService serves.
enum TestPicture {
    /// One frame of ffmpeg's test pattern, `width`×`height`, in the format the extension names.
    static func make(width: Int, height: Int, as ext: String) throws -> Data {
        let file = try temporaryDirectory("picture").appendingPathComponent("in.\(ext)")
        let status = try run("/usr/bin/ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=\(width)x\(height)", "-frames:v", "1", file.path])
        guard status.code == 0 else { throw ServiceProcessError("ffmpeg could not make a test picture: \(status.output)") }
        return try Data(contentsOf: file)
    }

    /// `codec,width,height` of the one stream ffprobe finds in `bytes`.
    static func probe(_ bytes: Data) throws -> String {
        let file = try temporaryDirectory("probe").appendingPathComponent("served")
        try bytes.write(to: file)
        return try run("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", file.path]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Bytes that begin like a PNG and are none.
    static var fakePNG: Data {
        var generator = SeededRandom(seed: 11)
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

extension Visitor {
    /// Posts a form as a browser does when it has a file input (`multipart/form-data`).
    func postMultipart(_ uri: String, _ fields: [String: String], file: (name: String, filename: String, bytes: Data)?, csrf: String? = nil) async throws -> (status: HTTPResponse.Status, body: String, location: String?) {
        let boundary = "----MotherstreamTest\(UUID().uuidString.prefix(8))"
        var body = Data()
        var all = fields
        all["csrf"] = csrf ?? jar["motherstream_csrf"] ?? ""
        for (name, value) in all {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        if let file {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(file.bytes)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        var headers = jar.header
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
            jar.remember(response)
            return (response.status, String(buffer: response.body), response.headers[.location])
        }
    }
}

/// Profile pictures over real HTTP: uploaded through the API and the pages, resized by the real
/// ffmpeg, served public, refused clearly, gone when removed.
@Suite struct ProfilePictureRouteTests {
    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func put(_ client: some TestClientProtocol, _ bytes: Data, token: String) async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
        try await client.execute(uri: "/api/v1/users/me/picture", method: .put, headers: bearer(token), body: ByteBuffer(bytes: bytes)) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:])
        }
    }

    static func get(_ client: some TestClientProtocol, _ url: String) async throws -> (status: HTTPResponse.Status, type: String?, cache: String?, bytes: Data) {
        let path = try #require(URL(string: url)?.path)
        return try await client.execute(uri: path, method: .get) { response in
            (response.status, response.headers[.contentType], response.headers[.cacheControl], Data(buffer: response.body))
        }
    }

    static func me(_ client: some TestClientProtocol, token: String) async throws -> [String: Any] {
        try await client.execute(uri: "/api/v1/users/me", method: .get, headers: bearer(token)) { response in
            try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
        }
    }

    static func errorCode(_ body: [String: Any]) -> String? {
        (body["error"] as? [String: Any])?["code"] as? String
    }

    @Test func aPictureIsServedAsASquareJPEGThatFFmpegMadeAndIsGoneWhenReplacedOrRemoved() async throws {
        let directory = try temporaryDirectory("pictures")
        let png = try TestPicture.make(width: 640, height: 360, as: "png")
        let jpeg = try TestPicture.make(width: 300, height: 500, as: "jpg")
        try await TestApp.build(directory, ["PUBLIC_URL": "https://motherstream.example.org"]).test(.live) { client in
            let (_, signup) = try await AccountRoutesTests.signup(client)
            let key = try #require(signup["stream_key"] as? String)
            let token = try #require(try await AccountRoutesTests.login(client))

            let (status, reply) = try await Self.put(client, png, token: token)
            #expect(status == .ok, "\(reply)")
            let first = try #require(reply["picture_url"] as? String)
            #expect(first.hasPrefix("https://motherstream.example.org/pictures/") && first.hasSuffix(".jpg"))
            let served = try await Self.get(client, first)
            #expect(served.status == .ok && served.type == "image/jpeg")
            #expect(served.cache?.contains("max-age=31536000") == true)
            #expect(try TestPicture.probe(served.bytes) == "mjpeg,\(ProfilePicture.side),\(ProfilePicture.side)")
            #expect(served.bytes != png, "the upload itself is never served")
            #expect(try await Self.me(client, token: token)["picture_url"] as? String == first)

            // HookGateway's question on every publish carries the picture on to the queue.
            try await client.execute(
                uri: "/internal/v1/stream-keys/verify", method: .post, headers: AccountRoutesTests.internalAuth,
                body: ByteBuffer(string: #"{"stream_key":"\#(key)"}"#)
            ) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["picture_url"] as? String == first)
            }

            let (replaced, second) = try await Self.put(client, jpeg, token: token)
            let secondURL = try #require(second["picture_url"] as? String)
            #expect(replaced == .ok && secondURL != first, "a new picture gets a new address")
            #expect(try await Self.get(client, first).status == .notFound)
            #expect(try TestPicture.probe(try await Self.get(client, secondURL).bytes) == "mjpeg,\(ProfilePicture.side),\(ProfilePicture.side)")

            try await client.execute(uri: "/api/v1/users/me/picture", method: .delete, headers: Self.bearer(token)) { response in
                #expect(response.status == .noContent)
            }
            #expect(try await Self.get(client, secondURL).status == .notFound)
            #expect(try await Self.me(client, token: token)["picture_url"] == nil)
            #expect(try await Self.get(client, "https://x/pictures/not-a-picture.jpg").status == .notFound)
        }
    }

    @Test func tooBigAndUnreadableUploadsAreRefusedClearly() async throws {
        try await TestApp.build(try temporaryDirectory("pictures")).test(.live) { client in
            _ = try await AccountRoutesTests.signup(client)
            let token = try #require(try await AccountRoutesTests.login(client))

            var oversize = try TestPicture.make(width: 64, height: 64, as: "png")
            oversize.append(Data(count: ProfilePicture.maximumUploadBytes + 1 - oversize.count))
            let (tooBig, tooBigBody) = try await Self.put(client, oversize, token: token)
            #expect(tooBig == .contentTooLarge)
            #expect(((tooBigBody["error"] as? [String: Any])?["message"] as? String)?.contains("4 MB") == true, "\(tooBigBody)")

            let (garbage, garbageBody) = try await Self.put(client, Data("this is not a picture at all".utf8), token: token)
            #expect(garbage == .badRequest && Self.errorCode(garbageBody) == "unreadable_picture", "\(garbageBody)")
            let (fake, fakeBody) = try await Self.put(client, TestPicture.fakePNG, token: token)
            #expect(fake == .badRequest && Self.errorCode(fakeBody) == "unreadable_picture", "ffmpeg cannot decode it: \(fakeBody)")

            let (anonymous, _) = try await Self.put(client, try TestPicture.make(width: 64, height: 64, as: "png"), token: "not-a-token")
            #expect(anonymous == .unauthorized)
            #expect(try await Self.me(client, token: token)["picture_url"] == nil, "nothing refused was kept")
        }
    }

    @Test func aDeactivatedOrDeletedAccountsPictureIsNotServed() async throws {
        let directory = try temporaryDirectory("pictures")
        try await TestApp.build(directory).test(.live) { client in
            let (_, signup) = try await AccountRoutesTests.signup(client)
            let token = try #require(try await AccountRoutesTests.login(client))
            let id = try #require((signup["user"] as? [String: Any])?["id"] as? String)
            let userId = try #require(UUID(uuidString: id))
            let url = try #require(try await Self.put(client, try TestPicture.make(width: 200, height: 200, as: "png"), token: token).body["picture_url"] as? String)
            #expect(try await Self.get(client, url).status == .ok)

            try await TestApp.withStore(directory) { try await $0.setActive(userId: userId, active: false) }
            #expect(try await Self.get(client, url).status == .notFound)
            try await TestApp.withStore(directory) { try await $0.setActive(userId: userId, active: true) }
            #expect(try await Self.get(client, url).status == .ok, "a reactivated DJ has their picture back")
            try await TestApp.withStore(directory) { try await $0.delete(userId) }
            #expect(try await Self.get(client, url).status == .notFound)
        }
    }

    @Test func theSignupAndSettingsPagesTakeAPicture() async throws {
        let directory = try temporaryDirectory("picture-pages")
        let gif = try TestPicture.make(width: 120, height: 90, as: "gif")
        try await TestApp.build(directory).test(.live) { client in
            let visitor = Visitor(client: client)
            #expect(try await visitor.get("/signup").body.contains(#"enctype="multipart/form-data""#))
            let fields = ["email": "pic@example.org", "dj_name": "Picture Person", "timezone": "UTC", "password": "a long password", "password_again": "a long password"]

            let refused = try await visitor.postMultipart("/signup", fields, file: ("picture", "notes.txt", Data("plain text".utf8)))
            #expect(refused.status == .badRequest && refused.body.contains("not a picture"), "\(refused.body.prefix(300))")
            let tooBig = try await visitor.postMultipart("/signup", fields, file: ("picture", "huge.png", gif + Data(count: ProfilePicture.maximumUploadBytes)))
            #expect(tooBig.status == .contentTooLarge && tooBig.body.contains("4 MB"))

            let created = try await visitor.postMultipart("/signup", fields, file: ("picture", "me.gif", gif))
            #expect(created.status == .seeOther && created.location == "/dashboard?welcome=1", "\(created.body.prefix(300))")
            let settings = try await visitor.get("/settings").body
            let src = try #require(settings.firstMatch(of: /src="[^"]*(\/pictures\/[A-Za-z0-9_-]+\.jpg)"/)?.1)
            let served = try await ProfilePictureRouteTests.get(client, "http://x\(src)")
            #expect(try TestPicture.probe(served.bytes) == "mjpeg,\(ProfilePicture.side),\(ProfilePicture.side)")

            let empty = try await visitor.postMultipart("/settings/picture", [:], file: ("picture", "", Data()))
            #expect(empty.status == .unprocessableContent && empty.body.contains("Choose a picture first"))
            let replaced = try await visitor.postMultipart("/settings/picture", [:], file: ("picture", "new.png", try TestPicture.make(width: 100, height: 300, as: "png")))
            #expect(replaced.status == .seeOther && replaced.location == "/settings?done=picture")
            #expect(try await ProfilePictureRouteTests.get(client, "http://x\(src)").status == .notFound, "the old picture went with the change")

            let removed = try await visitor.post("/settings/picture/remove", [:])
            #expect(removed.status == .seeOther)
            #expect(!(try await visitor.get("/settings").body.contains("/pictures/")))

            let forged = try await visitor.postMultipart("/settings/picture", [:], file: ("picture", "x.gif", gif), csrf: String(repeating: "f", count: 32))
            #expect(forged.status == .forbidden, "a post from another site is refused")
            #expect(!(try await visitor.get("/settings").body.contains("/pictures/")))
            let stranger = try await Visitor(client: client).postMultipart("/settings/picture", [:], file: ("picture", "x.gif", gif))
            #expect(stranger.status == .seeOther && stranger.location?.hasPrefix("/login") == true)
        }
    }
}

/// The ffmpeg adapter on its own: each taken format, a decompression bomb, a hang, no ffmpeg.
@Suite struct PictureResizerTests {
    @Test(arguments: ["png", "jpg", "gif", "webp"]) func everyTakenFormatBecomesASquareJPEG(_ ext: String) async throws {
        let upload = try TestPicture.make(width: 333, height: 200, as: ext)
        let format = try #require(ProfilePicture.Format.sniff(upload))
        let jpeg = try await FFmpegPictureResizer().squareJPEG(from: upload, format: format)
        #expect(ProfilePicture.isServableJPEG(jpeg))
        #expect(try TestPicture.probe(jpeg) == "mjpeg,\(ProfilePicture.side),\(ProfilePicture.side)")
    }

    @Test func aHugeImageIsRefusedBeforeItIsDecoded() async throws {
        // 8000 × 6000 of one colour: a small file that would decode to 192 MB.
        let bomb = try TestPicture.make(width: 8000, height: 6000, as: "png")
        #expect(bomb.count < ProfilePicture.maximumUploadBytes)
        await #expect(throws: PictureResizeError.self) { try await FFmpegPictureResizer().squareJPEG(from: bomb, format: .png) }
    }

    @Test func aRunOverItsTimeIsKilledAndMissingFFmpegSaysSo() async throws {
        let upload = try TestPicture.make(width: 64, height: 64, as: "png")
        // An "ffmpeg" that hangs, as one stuck on a hostile file would.
        let hanging = try temporaryDirectory("hanging-ffmpeg").appendingPathComponent("ffmpeg")
        try "#!/bin/sh\nexec sleep 60\n".write(to: hanging, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hanging.path)
        let started = ContinuousClock.now
        await #expect(throws: PictureResizeError.timedOut) {
            try await FFmpegPictureResizer(executable: hanging.path, timeout: .milliseconds(500)).squareJPEG(from: upload, format: .png)
        }
        #expect(ContinuousClock.now - started < .seconds(30), "killed, not waited out")

        let one = RunningLimit(limit: 1)
        #expect(one.enter())
        await #expect(throws: PictureResizeError.busy, "past the limit an upload is refused at once") {
            try await FFmpegPictureResizer(running: one).squareJPEG(from: upload, format: .png)
        }
        one.leave()
        #expect(try await FFmpegPictureResizer(running: one).squareJPEG(from: upload, format: .png).count > 0)
        #expect(one.enter(), "a finished run gives its place back")
        await #expect {
            try await FFmpegPictureResizer(executable: "/nonexistent/ffmpeg").squareJPEG(from: upload, format: .png)
        } throws: { error in
            if case PictureResizeError.unavailable = error { return true }
            return false
        }
    }

    @Test func formatsAreKnownByTheirFirstBytes() {
        #expect(ProfilePicture.Format.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(ProfilePicture.Format.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ProfilePicture.Format.sniff(Array("GIF89a...".utf8)) == .gif)
        #expect(ProfilePicture.Format.sniff(Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) == .webp)
        #expect(ProfilePicture.Format.sniff(Array("RIFF\0\0\0\0WAVEfmt ".utf8)) == nil)
        #expect(ProfilePicture.Format.sniff(Array("#EXTM3U\n".utf8)) == nil, "a playlist never reaches ffmpeg")
        #expect(ProfilePicture.Format.sniff([]) == nil)
    }
}

/// The multipart reader on the bodies browsers send, and on broken ones.
@Suite struct MultipartFormTests {
    @Test func aBrowsersBodyGivesItsFieldsAndFile() throws {
        #expect(MultipartForm.boundary(inContentType: "multipart/form-data; boundary=----WebKitFormBoundaryAbC") == "----WebKitFormBoundaryAbC")
        #expect(MultipartForm.boundary(inContentType: #"multipart/form-data; charset=utf-8; boundary="quoted b""#) == "quoted b")
        #expect(MultipartForm.boundary(inContentType: "application/x-www-form-urlencoded") == nil)
        #expect(MultipartForm.boundary(inContentType: "multipart/form-data") == nil)
        #expect(MultipartForm.boundary(inContentType: "multipart/form-data; boundary=" + String(repeating: "b", count: 71)) == nil)

        let file: [UInt8] = [0x89, 0x50, 0x0D, 0x0A, 0x2D, 0x2D, 0x00, 0xFF]
        let body = Array("--B\r\nContent-Disposition: form-data; name=\"dj_name\"\r\n\r\nNight Owl\r\n".utf8)
            + Array("--B\r\nContent-Disposition: form-data; name=\"picture\"; filename=\"me.png\"\r\nContent-Type: image/png\r\n\r\n".utf8) + file
            + Array("\r\n--B\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--B--\r\n".utf8)
        let form = try MultipartForm(body: body, boundary: "B")
        #expect(form.text("dj_name") == "Night Owl")
        #expect(form.file("picture") == Data(file), "CRLF and dashes inside a file are its bytes")
        #expect(form.file("empty") == nil, "a file input left empty")
        #expect(form.text("picture") == nil && form.file("dj_name") == nil)
    }

    @Test(arguments: ["", "--B", "--B\r\nno headers end", "--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--", "--Bx\r\n", "garbage --B\r\n"])
    func aBrokenBodyIsRefused(_ text: String) {
        #expect(throws: MultipartForm.Unreadable.self) { try MultipartForm(body: Array(text.utf8), boundary: "B") }
    }
}
