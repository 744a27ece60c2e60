import Foundation
import Shared
import Testing
@testable import AccountService

/// What the admin Status page says of HookGateway's recorder and relays.
@Suite struct StatusBoardTests {
    @Test func aFullDiskIsSaidPlainlyAndTheBroadcastGoesOn() {
        let stopped = RecordingStatus(state: .stoppedForSpace, freeMegabytes: 8, minimumFreeMegabytes: 1024)
        #expect(ServiceStatusBoard.describe(stopped) == "stopped: less than 1024 MB free (the broadcast goes on) · 8 MB free")
        let recording = RecordingStatus(state: .recording, djName: "Night Owl", freeMegabytes: 90_000, minimumFreeMegabytes: 1024, lastError: "connection refused")
        #expect(ServiceStatusBoard.describe(recording) == "recording Night Owl · 90000 MB free · last error: connection refused")
        #expect(ServiceStatusBoard.describe(RecordingStatus(state: .off, minimumFreeMegabytes: 1024)) == "off (RECORD_STREAM)")
    }

    @Test func eachTargetWithItsStateBitrateAndError() {
        let outputs = OutputsStatus(source: "programme", sourceLive: true, targets: [
            OutputRelayStatus(id: UUID(), name: "Twitch", enabled: true, state: .live, kbps: 4521.7),
            OutputRelayStatus(id: UUID(), name: "YouTube", enabled: true, state: .failing, lastError: "Connection refused", retryInSeconds: 4),
            OutputRelayStatus(id: UUID(), name: "Spare", enabled: false, state: .off),
        ])
        #expect(ServiceStatusBoard.describe(outputs) == "programme live · Twitch: live 4521 kbps · YouTube: failing (Connection refused) · Spare: disabled")
        #expect(ServiceStatusBoard.describe(OutputsStatus(source: "lead", sourceLive: false, targets: [])) == "lead not live · no targets")
        #expect(ServiceStatusBoard.describe(nil as OutputsStatus?) == "no relays")
    }
}
