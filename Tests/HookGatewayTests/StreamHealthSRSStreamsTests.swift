import AsyncHTTPClient
import Foundation
import Hummingbird
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// SRS's `GET /api/v1/streams` as the stream-health monitor reads it: the recorded body, then
/// over HTTP from a stand-in that answers as SRS does (errors as HTTP 200 with a code).
@Suite struct StreamHealthSRSStreamsTests {
    @Test func theRecordedBodyGivesThePublishersClientIdAndCounters() throws {
        let page = try SRSStreams.Page.decode(SRSFixture.data("api-v1-streams.json"))
        #expect(page.code == 0)
        #expect(page.service == "9u1970o4")
        #expect(page.publishers == [PublisherHealth(clientId: "z26773g6", bytesReceived: 125053, frames: 0, kbps: 0)])
    }

    @Test func onlyStreamsWithAnActivePublisherAreReadings() throws {
        let body = #"""
        {"code":0,"service":"s1","streams":[
          {"id":"a","publish":{"active":true,"cid":"p1"},"recv_bytes":10,"frames":3,"kbps":{"recv_30s":812,"send_30s":0}},
          {"id":"b","publish":{"active":false},"recv_bytes":99,"frames":0,"kbps":{"recv_30s":0,"send_30s":0}},
          {"id":"c","publish":{"active":true},"recv_bytes":5}
        ]}
        """#
        let page = try SRSStreams.Page.decode(Data(body.utf8))
        #expect(page.publishers == [PublisherHealth(clientId: "p1", bytesReceived: 10, frames: 3, kbps: 812)])
        #expect(throws: SRSAPIError.self) { try SRSStreams.Page.decode(Data("<html>".utf8)) }
    }

    /// A stand-in for SRS's stream list: `answer` gives the body for a page's `start`.
    func withSRS(status: HTTPResponse.Status = .ok, _ answer: @escaping @Sendable (Int) -> String, _ body: (SRSStreams) async throws -> Void) async throws {
        let router = Router()
        router.get("/api/v1/streams") { request, _ -> Response in
            let start = request.uri.queryParameters["start"].flatMap { Int($0) } ?? 0
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer(start))))
        }
        let server = try await LiveServer.start(router, label: "fake-srs-streams")
        let streams = SRSStreams(client: PeerClient(baseURL: server.baseURL, http: HTTPClient.shared, authorization: nil, timeout: .seconds(5)), pageSize: 10)
        do {
            try await body(streams)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func theRecordedBodyIsReadOverHTTP() async throws {
        let recorded = try SRSFixture.text("api-v1-streams.json")
        try await withSRS({ _ in recorded }) { streams in
            let publishers = try await streams.publishers(requestID: nil)
            #expect(publishers.map(\.clientId) == ["z26773g6"])
        }
    }

    @Test func everyPageIsReadAndAnyFailureThrows() async throws {
        @Sendable func stream(_ index: Int) -> String {
            #"{"publish":{"active":true,"cid":"p\#(index)"},"recv_bytes":\#(index),"frames":0,"kbps":{"recv_30s":0,"send_30s":0}}"#
        }
        try await withSRS({ start in
            let indices = start == 0 ? Array(0..<10) : Array(10..<12)
            return #"{"code":0,"service":"s1","streams":[\#(indices.map(stream).joined(separator: ","))]}"#
        }) { streams in
            let publishers = try await streams.publishers(requestID: nil)
            #expect(publishers.count == 12)
        }
        try await withSRS({ start in
            start == 0 ? #"{"code":0,"service":"s1","streams":[\#((0..<10).map(stream).joined(separator: ","))]}"# : #"{"code":0,"service":"s2","streams":[]}"#
        }) { streams in
            await #expect(throws: SRSAPIError.self) { try await streams.publishers(requestID: nil) }
        }
        try await withSRS({ _ in #"{"code":1061}"# }) { streams in
            await #expect(throws: SRSAPIError.self) { try await streams.publishers(requestID: nil) }
        }
        try await withSRS(status: .unauthorized, { _ in "" }) { streams in
            let error = await #expect(throws: SRSAPIError.self) { try await streams.publishers(requestID: nil) }
            #expect(error?.message.contains("SRS_API_USERNAME") == true)
        }
    }
}
