import Foundation
import Shared
import Testing
@testable import QueueService

/// A DJ's picture travels with their name: from the publish into the lineup, the public view the
/// overlays render, and the events Notifier announces; states written before pictures still load.
@Suite struct QueuePictureTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let alice = UUID(), bob = UUID()
    let alicePicture = "https://motherstream.example.org/pictures/AAAAAAAAAAAAAAAAAAAAAA.jpg"

    func publish(_ userId: UUID, _ name: String, client: String, picture: String?) -> PublishRequest {
        PublishRequest(clientId: client, userId: userId, djName: name, app: "live", stream: "KEY_\(name)", pictureUrl: picture)
    }

    func machine() -> QueueMachine {
        QueueMachine(state: QueueState(swapInterval: 3600), rules: QueueRules(leadGrace: 0, waitingGrace: 60))
    }

    @Test func thePictureIsInTheViewsAndTheAnnouncedEvents() throws {
        var queue = machine()
        let (_, bobJoins) = queue.publish(publish(bob, "Bob", client: "b1", picture: nil), now: t0)
        #expect(bobJoins.first { $0.type == .turnStarted }?.payload.pictureUrl == nil)
        let (_, aliceJoins) = queue.publish(publish(alice, "Alice", client: "a1", picture: alicePicture), now: t0 + 1)
        #expect(aliceJoins.first { $0.type == .djJoined }?.payload.pictureUrl == alicePicture)

        var view = queue.state.publicView(seq: 2, now: t0 + 2)
        #expect(view.lead?.pictureUrl == nil && view.waiting.first?.pictureUrl == alicePicture)
        let json = String(decoding: try JSONCoding.encoder.encode(view), as: UTF8.self)
        #expect(json.contains(#""picture_url":"\#(alicePicture)""#), "the overlays read picture_url")

        let handover = queue.closeSession(clientId: "b1", now: t0 + 3)
        #expect(handover.first { $0.type == .turnStarted }?.payload.pictureUrl == alicePicture)
        view = queue.state.publicView(seq: 4, now: t0 + 4)
        #expect(view.lead?.pictureUrl == alicePicture)
        let ended = queue.closeSession(clientId: "a1", now: t0 + 5)
        #expect(ended.first { $0.type == .turnEnded }?.payload.pictureUrl == alicePicture)
    }

    @Test func aNewPictureShowsFromTheDJsNextConnection() {
        var queue = machine()
        _ = queue.publish(publish(bob, "Bob", client: "b1", picture: nil), now: t0)
        _ = queue.publish(publish(alice, "Alice", client: "a1", picture: alicePicture), now: t0 + 1)
        _ = queue.closeSession(clientId: "a1", now: t0 + 2)
        let replaced = "https://motherstream.example.org/pictures/BBBBBBBBBBBBBBBBBBBBBB.jpg"
        let (_, back) = queue.publish(publish(alice, "Alice", client: "a2", picture: replaced), now: t0 + 3)
        #expect(!back.isEmpty, "the change comes with an event, so it is journaled and broadcast")
        #expect(queue.state.waiting.first?.pictureUrl == replaced)
        _ = queue.publish(publish(bob, "Bob", client: "b2", picture: alicePicture), now: t0 + 4)
        #expect(queue.state.lead?.pictureUrl == alicePicture, "the lead's too")
    }

    @Test func aStateWrittenBeforePicturesLoadsWithout() throws {
        var queue = machine()
        _ = queue.publish(publish(bob, "Bob", client: "b1", picture: "https://x.example/p.jpg"), now: t0)
        _ = queue.publish(publish(alice, "Alice", client: "a1", picture: "https://x.example/q.jpg"), now: t0)
        // What a journal written before pictures holds: the same entries without the field.
        let onAir = try #require(queue.state.lead)
        var lead = try #require(try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode(onAir)) as? [String: Any])
        var waiting = try #require(try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode(queue.state.waiting)) as? [[String: Any]])
        #expect(lead.removeValue(forKey: "picture_url") != nil && waiting[0].removeValue(forKey: "picture_url") != nil)
        let loadedLead = try JSONCoding.decoder.decode(Lead.self, from: JSONSerialization.data(withJSONObject: lead))
        let loadedWaiting = try JSONCoding.decoder.decode([WaitingDJ].self, from: JSONSerialization.data(withJSONObject: waiting))
        #expect(loadedLead.djName == "Bob" && loadedLead.pictureUrl == nil && loadedWaiting.first?.pictureUrl == nil)
        let request = try JSONCoding.decoder.decode(PublishRequest.self, from: Data(#"{"client_id":"c","user_id":"\#(alice)","dj_name":"A","app":"live","stream":"k"}"#.utf8))
        #expect(request.pictureUrl == nil, "an older gateway's publish still decodes")
    }
}
