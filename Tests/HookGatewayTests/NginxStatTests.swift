import Foundation
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// Stat pages captured from the real nginx-rtmp in `Tests/Fixtures/nginx-rtmp`.
enum NginxFixture {
    static func text(_ name: String) throws -> String {
        let directory = SRSFixture.directory.deletingLastPathComponent().appendingPathComponent("nginx-rtmp")
        return try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }
}

/// Stat documents in the shape nginx-rtmp 1.2.2 (Debian's libnginx-mod-rtmp) writes them.
enum NginxStatDocuments {
    /// Captured from `rtmp_stat all` with one ffmpeg publishing to `live/abc` (verified locally).
    static let captured = """
        <?xml version="1.0" encoding="utf-8" ?>
        <rtmp>
        <nginx_version>1.22.1</nginx_version>
        <nginx_rtmp_version>1.1.4</nginx_rtmp_version>
        <built>Feb 13 2023 11:56:56</built>
        <pid>10472</pid>
        <uptime>4</uptime>
        <naccepted>1</naccepted>
        <bw_in>0</bw_in>
        <bytes_in>24456</bytes_in>
        <bw_out>0</bw_out>
        <bytes_out>409</bytes_out>
        <server>
        <application>
        <name>live</name>
        <live>
        <stream>
        <name>abc</name>
        <time>2724</time><bw_in>0</bw_in>
        <bytes_in>22817</bytes_in>
        <bw_out>0</bw_out>
        <bytes_out>0</bytes_out>
        <bw_audio>0</bw_audio>
        <bw_video>0</bw_video>
        <client><id>1</id><address>127.0.0.1</address><time>2901</time><flashver>FMLE/3.0 (compatible; Lavf59.27</flashver><dropped>0</dropped><avsync>-8</avsync><timestamp>2423</timestamp><publishing/><active/></client>
        <meta><video><width>160</width><height>90</height><frame_rate>15</frame_rate><codec>H264</codec><profile>Baseline</profile><compat>192</compat><level>1.0</level></video><audio><codec>AAC</codec><profile>LC</profile><channels>1</channels><sample_rate>44100</sample_rate></audio></meta>
        <nclients>1</nclients>
        <publishing/>
        <active/>
        </stream>
        <nclients>1</nclients>
        </live>
        </application>
        </server>
        </rtmp>

        """

    /// The same shape for these publishers (client id → stream name), each with a player beside it.
    static func document(_ publishers: [(key: String, value: String)]) -> String {
        let streams = publishers.enumerated().map { index, publisher in
            """
            <stream><name>\(publisher.value)</name><time>1000</time><bw_in>0</bw_in><bytes_in>100</bytes_in><bw_out>0</bw_out><bytes_out>0</bytes_out><bw_audio>0</bw_audio><bw_video>0</bw_video>
            <client><id>\(publisher.key)</id><address>127.0.0.1</address><time>1000</time><flashver>FMLE/3.0 (compatible; Lavf59.27</flashver><dropped>0</dropped><avsync>0</avsync><timestamp>900</timestamp><publishing/><active/></client>
            <client><id>9\(index)00</id><address>127.0.0.1</address><time>500</time><flashver>LNX 9,0,124,2</flashver><dropped>0</dropped><avsync>0</avsync><timestamp>900</timestamp><active/></client>
            <meta><video><codec>H264</codec></video><audio><codec>AAC</codec></audio></meta><nclients>2</nclients><publishing/><active/></stream>
            """
        }
        return """
            <?xml version="1.0" encoding="utf-8" ?>
            <rtmp><nginx_version>1.22.1</nginx_version><nginx_rtmp_version>1.1.4</nginx_rtmp_version><uptime>10</uptime>
            <server><application><name>live</name><live>
            \(streams.joined(separator: "\n"))
            <nclients>\(publishers.count * 2)</nclients></live></application></server></rtmp>

            """
    }
}

@Suite struct NginxStatTests {
    /// Captured from nginx 1.22.1 / nginx-rtmp 1.1.4 while a publish waited for its on_publish
    /// answer and a player (the recorder's capture) had already joined the stream.
    static let playerWaitingForItsPublisher = """
        <?xml version="1.0" encoding="utf-8" ?>
        <rtmp>
        <nginx_version>1.22.1</nginx_version>
        <nginx_rtmp_version>1.1.4</nginx_rtmp_version>
        <built>Feb 13 2023 11:56:56</built>
        <pid>11034</pid>
        <uptime>2</uptime>
        <naccepted>2</naccepted>
        <bw_in>0</bw_in>
        <bytes_in>685</bytes_in>
        <bw_out>0</bw_out>
        <bytes_out>728</bytes_out>
        <server>
        <application>
        <name>live</name>
        <live>
        <stream>
        <name>DJKEY_waiting_0123</name>
        <time>770</time><bw_in>0</bw_in>
        <bytes_in>0</bytes_in>
        <bw_out>0</bw_out>
        <bytes_out>0</bytes_out>
        <bw_audio>0</bw_audio>
        <bw_video>0</bw_video>
        <client><id>3</id><address>127.0.0.1</address><time>943</time><flashver>LNX 9,0,124,2</flashver><dropped>0</dropped><avsync>0</avsync><timestamp>0</timestamp></client>
        <nclients>1</nclients>
        </stream>
        <nclients>1</nclients>
        </live>
        </application>
        </server>
        </rtmp>
        """

    @Test func aPlayerWaitingForTheStreamsPublisherIsListed() throws {
        let players = try NginxStat.players(Self.playerWaitingForItsPublisher)
        #expect(players == [NginxStat.StreamName(app: "live", stream: "DJKEY_waiting_0123"): 1])
        #expect(try NginxStat.publishingClientIDs(Self.playerWaitingForItsPublisher).isEmpty)
    }

    @Test func theCapturedDocumentListsItsPublisher() throws {
        #expect(try NginxStat.publishingClientIDs(NginxStatDocuments.captured) == ["1"])
    }

    @Test func playersAreNotPublishers() throws {
        let document = NginxStatDocuments.document([("3", "KEYA"), ("7", "KEYB")])
        #expect(try NginxStat.publishingClientIDs(document) == ["3", "7"])
    }

    @Test func anIdleServerHasNoPublishers() throws {
        let idle = #"<?xml version="1.0" encoding="utf-8" ?><?xml-stylesheet type="text/xsl" href="stat.xsl" ?>"#
            + "<rtmp><server><application><name>live</name><live><nclients>0</nclients></live></application></server></rtmp>\n"
        #expect(try NginxStat.publishingClientIDs(idle).isEmpty)
    }

    /// Two DJs in `live` (one with a player), a relay in `rec`: each publisher carries its own
    /// stream's counters, the player is nobody's, and the reconciliation still sees every app.
    @Test func theCapturedPublishersCarryTheirStreamsCounters() throws {
        let document = try NginxFixture.text("stat-two-publishers.xml")
        #expect(try NginxStat.publishers(document) == [
            NginxStat.Publisher(app: "live", clientId: "1", stream: "KEYA", bytesIn: 531657, bitsPerSecondIn: 77200),
            NginxStat.Publisher(app: "live", clientId: "69", stream: "KEYB", bytesIn: 110532, bitsPerSecondIn: 74976),
            NginxStat.Publisher(app: "rec", clientId: "71", stream: "copy", bytesIn: 110286, bitsPerSecondIn: 74792),
        ])
        #expect(try NginxStat.publishingClientIDs(document) == ["1", "69", "71"])
    }

    /// Only the DJs' app has a health: bytes for progress, `bw_in`'s bits per second as kbps.
    @Test func healthIsTheIngestAppsPublishersInBytesAndKbps() throws {
        let document = try NginxFixture.text("stat-two-publishers.xml")
        #expect(try NginxStat.health(document, app: "live") == [
            PublisherHealth(clientId: "1", bytesReceived: 531657, kbps: 77.2),
            PublisherHealth(clientId: "69", bytesReceived: 110532, kbps: 74.976),
        ])
        #expect(try NginxStat.health(document, app: "rec").map(\.clientId) == ["71"])
        #expect(try NginxStat.health(document, app: "other").isEmpty)
    }

    /// A stream's first 10 s: `bw_in` still reads 0 while `bytes_in` already counts (§2.6).
    @Test func aNewStreamHasBytesBeforeItHasABitrate() throws {
        #expect(try NginxStat.health(NginxStatDocuments.captured, app: "live") == [PublisherHealth(clientId: "1", bytesReceived: 22817, kbps: 0)])
    }

    @Test func aCounterThatIsNotANumberThrows() {
        let broken = NginxStatDocuments.captured.replacingOccurrences(of: "<bytes_in>22817</bytes_in>", with: "<bytes_in>lots</bytes_in>")
        #expect(broken != NginxStatDocuments.captured)
        #expect(throws: NginxStat.Unreadable.self) { try NginxStat.health(broken, app: "live") }
    }

    /// A read cut short, an error page or something else must never read as "nobody publishes".
    @Test func anythingButAWholeDocumentThrows() {
        let whole = NginxStatDocuments.document([("3", "KEYA")])
        let broken = [
            "",
            String(whole.prefix(whole.count / 2)),
            String(whole.dropLast(8)),
            "<html><head><title>502 Bad Gateway</title></head><body></body></html>",
            "<rtmp><server></rtmp>",
            "<rtmp></rtmp><rtmp></rtmp>",
            "<rtmp><client><address>x</address><publishing/></client></rtmp>",
            whole + "trailing",
        ]
        for document in broken {
            #expect(throws: NginxStat.Unreadable.self, "\(document.suffix(60))") { try NginxStat.publishingClientIDs(document) }
        }
    }
}

@Suite struct NginxNotificationTests {
    @Test func theCapturedPublishReadsAsSRSWouldAskIt() throws {
        let body = "app=live&flashver=FMLE/3.0%20(compatible%3B%20Lavf59.27&swfurl=&tcurl=rtmp://127.0.0.1:29350/live&pageurl=&addr=127.0.0.1&clientid=1&call=publish&name=mykey&type=live&token=abc&x=1"
        let notification = try NginxNotification.decode(Array(body.utf8))
        #expect(notification.call == .publish)
        #expect(notification["flashver"] == "FMLE/3.0 (compatible; Lavf59.27")
        let hook = try notification.hookRequest()
        #expect(hook == HookRequest(action: "on_publish", clientId: "1", app: "live", stream: "mykey", param: "?token=abc&x=1", ip: "127.0.0.1"))
        #expect(hook.parameter("token") == "abc")
    }

    @Test func eachCallMapsToItsHook() throws {
        let cases: [(String, NginxNotification.Call, HookAction)] = [
            ("publish", .publish, .onPublish), ("publish_done", .sessionEnd("publish_done"), .onUnpublish), ("done", .sessionEnd("done"), .onClose),
            ("update_publish", .updatePublish, .onUpdate), ("play", .other("play"), .other),
        ]
        for (call, expected, action) in cases {
            let notification = try NginxNotification.decode(Array("app=live&clientid=4&call=\(call)&name=k".utf8))
            #expect(notification.call == expected)
            #expect(notification.action == action)
        }
    }

    @Test func aRepeatedNginxFieldIsTheClientsAndStaysAnArgument() throws {
        let body = "app=live&addr=127.0.0.1&clientid=1&call=publish&name=mykey&type=live&call=done&relay_secret=s%26t"
        let hook = try NginxNotification.decode(Array(body.utf8)).hookRequest()
        #expect(hook.action == "on_publish")
        #expect(hook.param == "?call=done&relay_secret=s%26t")
        #expect(hook.parameter("relay_secret") == "s&t")
    }
}
