import Foundation
import Shared
import Testing
import TestSupport
@testable import HookGateway

@Suite struct OutputTargetTests {
    let youtube = OutputTargetInput(name: " YouTube ", url: "rtmp://a.rtmp.youtube.com/live2/", streamKey: "abcd-efgh-ijkl-mnop-qrst")

    @Test func aNewTargetIsTrimmedEnabledAndPublishesToItsURLWithTheKey() throws {
        let target = try OutputTarget(id: UUID(), input: youtube)
        #expect(target.name == "YouTube")
        #expect(target.url == "rtmp://a.rtmp.youtube.com/live2")
        #expect(target.enabled)
        #expect(target.destination == "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop-qrst")
        #expect(try OutputTarget(id: UUID(), input: OutputTargetInput(name: "Kick", url: "rtmps://x.live-video.net:443/app", streamKey: "sk_1234567890", enabled: false)).enabled == false)
    }

    @Test func theKeyShowsOnlyAsAShortMaskedTailAndNeverInADescription() throws {
        #expect(OutputTarget.hint(for: "abcd-efgh-ijkl-mnop-qrst") == "••••qrst")
        #expect(OutputTarget.hint(for: "live_12345") == "••••45", "a short key shows less")
        #expect(OutputTarget.hint(for: "secret7") == "••••", "a very short key shows nothing")
        let target = try OutputTarget(id: UUID(), input: youtube)
        #expect(!"\(target)".contains("abcd-efgh"))
        #expect(!String(reflecting: target.view(nil)).contains("abcd-efgh"))
    }

    @Test func aPostNeedsNameURLAndKey() {
        #expect(throws: OutputTargetProblem.missing("name")) { try OutputTarget(id: UUID(), input: OutputTargetInput(url: "rtmp://h/app", streamKey: "k")) }
        #expect(throws: OutputTargetProblem.missing("url")) { try OutputTarget(id: UUID(), input: OutputTargetInput(name: "n", streamKey: "k")) }
        #expect(throws: OutputTargetProblem.missing("stream_key")) { try OutputTarget(id: UUID(), input: OutputTargetInput(name: "n", url: "rtmp://h/app")) }
    }

    @Test(arguments: [
        "http://a.rtmp.youtube.com/live2", "a.rtmp.youtube.com/live2", "rtmp://", "rtmp://host", "rtmp:///app",
        "rtmp://user:pw@host/app", "rtmp://host/app?key=1", "rtmp://host/app#x", "rtmp://host/my app", "",
    ])
    func aURLThatIsNotAPlatformsRTMPIngestIsRefused(url: String) {
        #expect(refusedField(OutputTargetInput(name: "n", url: url, streamKey: "k")) == "url")
    }

    /// The field a new target's input is refused for, or nil when it is accepted.
    func refusedField(_ input: OutputTargetInput) -> String? {
        do {
            _ = try OutputTarget(id: UUID(), input: input)
            return nil
        } catch let problem as OutputTargetProblem {
            return problem.field
        } catch {
            return "\(error)"
        }
    }

    @Test func namesAndKeysAreBounded() {
        let base = OutputTargetInput(name: "n", url: "rtmp://h/app", streamKey: "k")
        for (input, field) in [
            (OutputTargetInput(name: "   ", url: base.url, streamKey: base.streamKey), "name"),
            (OutputTargetInput(name: String(repeating: "n", count: 65), url: base.url, streamKey: base.streamKey), "name"),
            (OutputTargetInput(name: "a\u{7}b", url: base.url, streamKey: base.streamKey), "name"),
            (OutputTargetInput(name: "n", url: base.url, streamKey: " "), "stream_key"),
            (OutputTargetInput(name: "n", url: base.url, streamKey: "has space"), "stream_key"),
            (OutputTargetInput(name: "n", url: base.url, streamKey: "ключ"), "stream_key"),
            (OutputTargetInput(name: "n", url: base.url, streamKey: String(repeating: "k", count: 513)), "stream_key"),
        ] {
            #expect(refusedField(input) == field)
        }
    }

    @Test func aPatchChangesOnlyWhatItNames() throws {
        let target = try OutputTarget(id: UUID(), input: youtube)
        let disabled = try target.applying(OutputTargetInput(enabled: false))
        #expect(disabled.enabled == false)
        #expect(disabled.streamKey == target.streamKey && disabled.url == target.url && disabled.name == target.name)
        let rekeyed = try target.applying(OutputTargetInput(streamKey: "new-key-0123456789"))
        #expect(rekeyed.streamKey == "new-key-0123456789" && rekeyed.enabled)
        #expect(throws: OutputTargetProblem.self) { try target.applying(OutputTargetInput(url: "ftp://x/y")) }
    }

    @Test func aDisabledTargetReadsOffWhateverItsRelaySaid() throws {
        let target = try OutputTarget(id: UUID(), input: youtube)
        let failing = RelayReport(state: .failing, lastError: "Connection refused", retryInSeconds: 4)
        #expect(target.view(failing).state == .failing)
        #expect(target.view(failing).lastError == "Connection refused")
        #expect(target.view(nil).state == .off)
        #expect(try target.applying(OutputTargetInput(enabled: false)).view(failing).state == .off)
    }
}

@Suite struct OutputTargetStoreTests {
    let seal = OutputKeySeal(secret: Secret(TestSecrets.jwt))
    let key = "live_987654321_SeCrEtPlatformKey"

    func target(_ name: String = "Twitch", key: String? = nil) throws -> OutputTarget {
        try OutputTarget(id: UUID(), input: OutputTargetInput(name: name, url: "rtmp://live.twitch.tv/app", streamKey: key ?? self.key))
    }

    @Test func keysAreSealedAtRestAndTheListSurvivesARestart() async throws {
        let path = try temporaryDirectory("outputs-store").appendingPathComponent("outputs.json").path
        let store = OutputTargetStore(path: path, seal: seal)
        let twitch = try target()
        try await store.insert(twitch)
        let youtube = try target("YouTube", key: "yt-key-aaaa-bbbb-cccc")
        try await store.insert(youtube)
        _ = try await store.update(youtube.id) { try $0.applying(OutputTargetInput(enabled: false)) }

        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains(key) && !text.contains("yt-key-aaaa"), "a plaintext key is on disk")
        #expect(!text.contains("SeCrEt"))
        #expect(text.contains("live.twitch.tv"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))

        let restarted = OutputTargetStore(path: path, seal: seal)
        let targets = await restarted.targets()
        #expect(targets.map(\.name) == ["Twitch", "YouTube"])
        #expect(targets.map(\.streamKey) == [key, "yt-key-aaaa-bbbb-cccc"])
        #expect(targets.map(\.enabled) == [true, false])

        try await restarted.delete(twitch.id)
        #expect(await OutputTargetStore(path: path, seal: seal).targets().map(\.id) == [youtube.id])
    }

    @Test func aSealedKeyOpensOnlyForItsOwnTargetAndSecret() throws {
        let id = UUID()
        let sealed = try seal.seal(key, for: id)
        #expect(try seal.open(sealed, for: id) == key)
        #expect(throws: OutputKeySealError.self) { try seal.open(sealed, for: UUID()) }
        #expect(throws: OutputKeySealError.self) { try OutputKeySeal(secret: Secret("another-jwt-secret-0123456789-abcdefghijklmnop")).open(sealed, for: id) }
        #expect(try seal.seal(key, for: id) != sealed, "each sealing has its own nonce")
    }

    /// A file sealed under another `JWT_SECRET` does not stop HookGateway (DJs publish through it);
    /// it reads as unavailable, and no change is saved over it, so its keys are not lost.
    @Test func anUnreadableFileIsReportedAndNeverOverwritten() async throws {
        let path = try temporaryDirectory("outputs-unreadable").appendingPathComponent("outputs.json").path
        let other = OutputTargetStore(path: path, seal: OutputKeySeal(secret: Secret("another-jwt-secret-0123456789-abcdefghijklmnop")))
        try await other.insert(try target())
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let store = OutputTargetStore(path: path, seal: seal)
        #expect(store.unreadable != nil)
        #expect(!"\(store.unreadable!)".contains(key))
        #expect(await store.targets().isEmpty)
        await #expect(throws: OutputTargetStoreError.self) { try await store.readable() }
        await #expect(throws: OutputTargetStoreError.self) { try await store.insert(try target("YouTube")) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func everySavedChangeIsSignalledAndUnknownIdsAreRefused() async throws {
        let store = OutputTargetStore(path: try temporaryDirectory("outputs-signal").appendingPathComponent("outputs.json").path, seal: seal)
        var changes = store.targetChanges().makeAsyncIterator()
        let twitch = try target()
        try await store.insert(twitch)
        #expect(await changes.next() != nil)
        _ = try await store.update(twitch.id) { try $0.applying(OutputTargetInput(enabled: false)) }
        #expect(await changes.next() != nil)
        await #expect(throws: OutputTargetStoreError.self) { try await store.delete(UUID()) }
        await #expect(throws: OutputTargetStoreError.self) { try await store.update(UUID()) { $0 } }
        await #expect(throws: OutputTargetProblem.self) { try await store.update(twitch.id) { try $0.applying(OutputTargetInput(url: "nope")) } }
        #expect(await store.targets().first?.url == "rtmp://live.twitch.tv/app")
    }
}
