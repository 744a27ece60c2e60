import Logging
import NIOConcurrencyHelpers
import Shared
import Testing
@testable import HookGateway

/// The programme's liveness follows the ingest where its hooks were not heard: a gateway started
/// while OBS was already publishing, or a `publish_done` lost on the way.
@Suite struct ProgrammeWatchTests {
    final class Ingest: IngestStreamStats {
        struct Down: Error {}
        let listed = NIOLockedValueBox<Result<String?, Down>>(.success(nil))

        func publishers(requestID: String?) async throws -> [PublisherHealth] { [] }

        func publisher(app: String, stream: String, requestID: String?) async throws -> String? {
            #expect(app == "programme" && stream == "PROGRAMME_KEY_0123456789")
            return try listed.withLockedValue { $0 }.get()
        }
    }

    let feed = ProgrammeFeed(app: "programme", stream: "PROGRAMME_KEY_0123456789")

    func watch(_ ingest: Ingest, _ tracker: ProgrammeTracker) -> ProgrammeWatch {
        ProgrammeWatch(ingest: ingest, tracker: tracker, feed: feed, interval: .seconds(10), logger: Logger(label: "test"))
    }

    @Test func aProgrammeAlreadyPublishedAtStartIsLive() async {
        let ingest = Ingest()
        let tracker = ProgrammeTracker(broadcast: nil)
        ingest.listed.withLockedValue { $0 = .success("obs-7") }
        #expect(await watch(ingest, tracker).look(missingBefore: 0) == 0)
        #expect(tracker.liveClient() == "obs-7")
        #expect(tracker.programme() == feed)
    }

    @Test func aProgrammeTheIngestNoLongerListsEndsOnTheSecondRead() async {
        let ingest = Ingest()
        let tracker = ProgrammeTracker(broadcast: nil)
        await tracker.published(clientId: "obs-7", feed: feed)
        let watch = watch(ingest, tracker)
        let once = await watch.look(missingBefore: 0)
        #expect(once == 1 && tracker.liveClient() == "obs-7", "one read may just be behind the hook")
        #expect(await watch.look(missingBefore: once) == 0)
        #expect(tracker.liveClient() == nil)
    }

    @Test func anIngestThatCannotBeReadChangesNothing() async {
        let ingest = Ingest()
        let tracker = ProgrammeTracker(broadcast: nil)
        await tracker.published(clientId: "obs-7", feed: feed)
        ingest.listed.withLockedValue { $0 = .failure(Ingest.Down()) }
        let watch = watch(ingest, tracker)
        #expect(await watch.look(missingBefore: 1) == 1)
        #expect(tracker.liveClient() == "obs-7")
    }

    @Test func aNewPublisherTakesOver() async {
        let ingest = Ingest()
        let tracker = ProgrammeTracker(broadcast: nil)
        await tracker.published(clientId: "obs-7", feed: feed)
        ingest.listed.withLockedValue { $0 = .success("obs-8") }
        _ = await watch(ingest, tracker).look(missingBefore: 0)
        #expect(tracker.liveClient() == "obs-8")
    }
}
