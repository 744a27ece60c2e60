import Foundation
import Testing
import TestSupport

/// HookGateway SIGKILLed while it records the programme, with the real services, Debian's
/// nginx-rtmp and a real ffmpeg: its recorder lives on as an orphan until the next start ends it,
/// and that start finds the programme still published and records it again without OBS
/// reconnecting. Nothing of the earlier recording is lost: it is finished as a leftover.
@Suite(.serialized) struct GatewayKillNineMediaTests {
    static let programmeKey = "kill-nine-programme-key-0123"

    @Test func aKilledGatewaysRecorderIsEndedAtItsNextStartWhichRecordsTheProgrammeAgain() async throws {
        let recordDir = try temporaryDirectory("kill-nine-recordings")
        let ports = try NginxRTMPIngest.ports()
        let system = try await RunningSystem.start(extra: NginxRTMPIngest.gatewayEnvironment(ports).merging([
            "RECORD_PROGRAMME": "true", "PROGRAMME_KEY": Self.programmeKey, "RECORD_DIR": recordDir.path,
            "RECORDING_MIN_FREE_MB": "1",
        ]) { $1 })
        let nginx: NginxRTMPIngest
        do {
            nginx = try await NginxRTMPIngest.start(ports: ports, hookURL: "\(system.gateway.baseURL)/nginx-rtmp/hooks?secret=\(TestSecrets.hook)")
        } catch {
            await system.stop()
            throw error
        }
        let obs = try ColourPublisher.start(colour: "white", to: nginx.url(app: "programme", Self.programmeKey))
        defer { Task { await obs.stop(); await nginx.stop() } }
        let children = URL(fileURLWithPath: system.gateway.environment["DATA_DIR"]!).appendingPathComponent("children")
        try await system.run { system in
            try await system.waitUntil("the programme is recorded", timeout: .seconds(20)) { try listed(children).count == 1 }
            let orphan = try #require(try listed(children).first)

            await system.gateway.kill()
            try await Task.sleep(for: .seconds(1))
            #expect(isRunning(orphan), "a SIGKILLed gateway's recorder lives on")

            try await system.gateway.start()
            #expect(!isRunning(orphan), "the next start ended it before it was ready")
            try await system.waitUntil("the programme is recorded again", timeout: .seconds(30)) {
                try listed(children).contains { $0 != orphan }
            }
            #expect(obs.isRunning, "OBS never had to reconnect")
            try await system.waitUntil("the killed run's recording is finished", timeout: .seconds(20)) {
                (try? FileManager.default.contentsOfDirectory(atPath: recordDir.path))?.contains { $0.hasSuffix("_programme.mkv") } == true
            }
        }
    }

    private func listed(_ children: URL) throws -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: children.path)) ?? []).compactMap { pid_t($0) }.filter(isRunning)
    }

    private func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }
}
