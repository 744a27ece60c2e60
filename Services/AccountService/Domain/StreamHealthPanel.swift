import Foundation
import Shared

/// What the dashboard's stream-health panel and the night page's bitrate column say about one
/// DJ's stream, in words a DJ can act on, from QueueService's reading of it.
struct StreamHealthPanel: Codable, Sendable, Equatable {
    enum Condition: String, Codable, Sendable {
        case receiving
        case lowBitrate = "low_bitrate"
        case stalled
        /// Connected, but no reading of the stream yet (no health monitor, or its first second).
        case connected
        case notConnected = "not_connected"
    }

    var condition: Condition
    /// The incoming bitrate, rounded; nil when there is none worth showing (stalled, or the
    /// ingest's average still warming up at 0).
    var kbps: Int?
    var secondsSinceData: Int?
    /// `kbps` as the page shows it ("4 520 kbps"), or "—".
    var bitrate: String
    var text: String

    /// `dj` nil: not in the lineup, so not connected.
    init(_ dj: LineupHealth.DJ?) {
        guard let dj, dj.sessions > 0 else {
            self.init(.notConnected, kbps: nil, text: "Not connected")
            return
        }
        guard let reading = dj.reading else {
            self.init(.connected, kbps: nil, text: "Connected — waiting for the first reading of your stream")
            return
        }
        let kbps = reading.kbps.map { Int($0.rounded()) }.flatMap { $0 > 0 ? $0 : nil }
        let seconds = reading.secondsSinceData.map { Int($0) }
        if reading.stalled {
            let silence = seconds.map { "No data for \(Self.duration($0))" } ?? "No data arriving"
            self.init(.stalled, kbps: nil, secondsSinceData: seconds, text: "\(silence) — check your encoder")
        } else if reading.lowBitrate {
            self.init(.lowBitrate, kbps: kbps, secondsSinceData: seconds, text: "Low bitrate: \(Self.bitrate(kbps)) — check your upload and your encoder's bitrate")
        } else if kbps != nil {
            self.init(.receiving, kbps: kbps, secondsSinceData: seconds, text: "Receiving \(Self.bitrate(kbps))")
        } else {
            self.init(.receiving, kbps: nil, secondsSinceData: seconds, text: "Receiving — measuring the bitrate…")
        }
    }

    private init(_ condition: Condition, kbps: Int?, secondsSinceData: Int? = nil, text: String) {
        self.condition = condition
        self.kbps = kbps
        self.secondsSinceData = secondsSinceData
        self.bitrate = Self.bitrate(kbps)
        self.text = text
    }

    /// Thousands apart by a narrow no-break space, as "4 520 kbps" is written and never wrapped.
    static func bitrate(_ kbps: Int?) -> String {
        guard let kbps else { return "—" }
        var digits = String(kbps)
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(Substring(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(Substring(digits), at: 0)
        return groups.joined(separator: "\u{202F}") + " kbps"
    }

    static func duration(_ seconds: Int) -> String {
        seconds < 120 ? "\(seconds) s" : "\(seconds / 60) min"
    }
}
