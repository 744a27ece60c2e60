import Foundation
import Shared
import Testing
@testable import OBSBridge

@Suite struct OBSProtocolTests {
    /// reference/protocols.md §3.2, computed with the documented algorithm.
    @Test func theAuthenticationStringMatchesTheTestVector() {
        let auth = OBSAuthentication.response(
            password: "supersecretpassword",
            salt: "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=",
            challenge: "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY="
        )
        #expect(auth == "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4=")
    }

    @Test func backoffGrowsWithJitterAndStopsAtTheCap() {
        let backoff = Backoff(base: .milliseconds(500), cap: .seconds(30))
        #expect(backoff.delay(attempt: 0, random: 1) == .milliseconds(500))
        #expect(backoff.delay(attempt: 0, random: 0) == .milliseconds(250))
        #expect(backoff.delay(attempt: 3, random: 1) == .seconds(4))
        #expect(backoff.delay(attempt: 20, random: 1) == .seconds(30))
        #expect(backoff.delay(attempt: 60, random: 0) == .seconds(15))
        let samples = (0..<100).map { _ in backoff.delay(attempt: 2, random: Double.random(in: 0...1)) }
        #expect(samples.allSatisfy { $0 >= .seconds(1) && $0 <= .seconds(2) })
    }

    @Test func closeCodesDecideWhatHappensNext() {
        #expect(ReconnectPolicy.after(closeCode: nil) == .retry)
        #expect(ReconnectPolicy.after(closeCode: 1001) == .retry)
        guard case .configurationError = ReconnectPolicy.after(closeCode: 4009) else { Issue.record("4009 is a configuration error"); return }
        guard case .configurationError = ReconnectPolicy.after(closeCode: 4010) else { Issue.record("4010 is a configuration error"); return }
        guard case .stop = ReconnectPolicy.after(closeCode: 4011) else { Issue.record("4011 stops reconnecting"); return }
    }

    @Test func responsesAndBatchesDecode() throws {
        let text = #"{"op":9,"d":{"requestId":"ms-1","results":[{"requestType":"GetSceneItemId","requestStatus":{"result":false,"code":600,"comment":"No scene items were found"}},{"requestType":"GetCurrentProgramScene","requestStatus":{"result":true,"code":100},"responseData":{"currentProgramSceneName":"MOTHERSTREAM"}}]}}"#
        let frame = try JSONDecoder().decode(OBSFrame.self, from: Data(text.utf8))
        let results = (frame.d["results"]?.array ?? []).map(OBSResponse.init)
        #expect(frame.op == .requestBatchResponse)
        #expect(results.map(\.code) == [600, 100])
        #expect(results[1].data?["currentProgramSceneName"]?.string == "MOTHERSTREAM")
        #expect(!results[0].ok && results[1].ok)
    }
}
