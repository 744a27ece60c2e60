import AsyncHTTPClient
import Logging
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// Reading every client SRS holds through its paged `GET /api/v1/clients`, against the fake SRS
/// API over HTTP: all pages or an error, never a partial list.
@Suite struct SRSClientListTests {
    func withSRS(_ body: (FakeSRSAPI) async throws -> Void) async throws {
        let srs = try await FakeSRSAPI.start()
        do {
            try await body(srs)
        } catch {
            await srs.stop()
            throw error
        }
        await srs.stop()
    }

    func list(_ srs: FakeSRSAPI, pageSize: Int = 10) -> SRSClientList {
        SRSClientList(client: PeerClient(baseURL: srs.server.baseURL, http: HTTPClient.shared, authorization: nil, timeout: .seconds(5)), pageSize: pageSize)
    }

    func connect(_ count: Int, to srs: FakeSRSAPI) -> Set<String> {
        let ids = (0..<count).map { "c\($0)x" }
        ids.forEach { srs.connect($0, stream: "KEY\($0)") }
        return Set(ids)
    }

    /// The fake lists what it holds in the recorded shape: holding the recorded client, it
    /// answers the recorded body byte for byte.
    @Test func theFakeAnswersInTheRecordedShape() async throws {
        try await withSRS { srs in
            srs.connect("z26773g6", stream: "KEY123")
            let reply = try await TestHTTP().get("\(srs.server.baseURL)/api/v1/clients")
            let recorded = try SRSFixture.text("api-v1-clients.json")
            #expect(reply.body == recorded)
            srs.disconnect("z26773g6")
            let empty = try await TestHTTP().get("\(srs.server.baseURL)/api/v1/clients?start=0&count=3")
            #expect(empty.body == #"{"code":0,"server":"vid-1858sa0","service":"9u1970o4","pid":"11769","clients":[]}"#)
            #expect(srs.listings == [.init(start: 0, count: 10), .init(start: 0, count: 10)])
        }
    }

    @Test func everyPageIsRead() async throws {
        try await withSRS { srs in
            let ids = connect(25, to: srs)
            let read = try await list(srs).connectedClientIDs(requestID: nil)
            #expect(read == ids)
            #expect(srs.listings == [.init(start: 0, count: 10), .init(start: 10, count: 10), .init(start: 20, count: 10)])
        }
    }

    @Test func aFullLastPageIsFollowedByAnEmptyOne() async throws {
        try await withSRS { srs in
            let ids = connect(20, to: srs)
            let read = try await list(srs).connectedClientIDs(requestID: nil)
            #expect(read == ids)
            #expect(srs.listings.map(\.start) == [0, 10, 20])
        }
    }

    @Test func noClientsIsAnEmptyList() async throws {
        try await withSRS { srs in
            let read = try await list(srs, pageSize: 100).connectedClientIDs(requestID: nil)
            #expect(read.isEmpty)
            #expect(srs.listings == [.init(start: 0, count: 100)])
        }
    }

    static let failures: [FakeSRSAPI.ClientListFailure] = [.code(1), .status(500), .status(401), .truncated, .otherProcess]

    /// A read that fails on any page, first or later, is an error rather than the pages read so far.
    @Test(arguments: failures, [0, 1, 2]) func aFailedPageFailsTheWholeRead(_ failure: FakeSRSAPI.ClientListFailure, page: Int) async throws {
        try await withSRS { srs in
            _ = connect(25, to: srs)
            srs.failClientListings(failure, after: page)
            await #expect(throws: SRSAPIError.self) { try await list(srs).connectedClientIDs(requestID: nil) }
            // A first page from another process is only found out by the second.
            #expect(srs.listings.count == (failure == .otherProcess && page == 0 ? 2 : page + 1))
        }
    }

    /// The whole pass over real HTTP: a page cut off mid-read closes nothing, even for a session
    /// whose client is on no page read so far; the next complete read closes only that one.
    @Test func aPassOnAPartialReadClosesNothing() async throws {
        try await withSRS { srs in
            _ = connect(25, to: srs)
            let queue = FakeQueuePeer()
            queue.open = ["c3x", "c24x", "ghost1"]
            let logger = Logger(label: "test")
            let reconciler = SessionReconciler(
                sessions: queue, ingest: list(srs), closes: SessionCloseRelay(queue: queue, logger: logger), interval: .seconds(10), logger: logger
            )
            srs.failClientListings(.truncated, after: 1)
            guard case .abandoned = await reconciler.reconcile() else {
                Issue.record("a pass on a cut-off page must be abandoned")
                return
            }
            #expect(queue.closes.isEmpty)
            #expect(await reconciler.reconcile() == .reconciled(open: 3, closed: ["ghost1"]))
            #expect(queue.open == ["c3x", "c24x"])
        }
    }

    /// SRS never answers fewer than 10 per page; asked for fewer, a page may hold more than asked,
    /// and such a page cannot tell whether the list is complete.
    @Test func aPageLargerThanAskedFailsTheRead() async throws {
        try await withSRS { srs in
            _ = connect(7, to: srs)
            await #expect(throws: SRSAPIError.self) { try await list(srs, pageSize: 5).connectedClientIDs(requestID: nil) }
        }
    }

    @Test func aListThatNeverEndsFailsTheRead() async throws {
        try await withSRS { srs in
            _ = connect(30, to: srs)
            var list = list(srs)
            list.maximumPages = 2
            await #expect(throws: SRSAPIError.self) { try await list.connectedClientIDs(requestID: nil) }
        }
    }
}
