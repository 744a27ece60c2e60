import Foundation
import Shared

/// One recorded set as the dashboard and the admins' list show it, dated in the viewer's time zone.
struct RecordingRow: Sendable, Equatable {
    var id: String
    var djName: String
    /// "2026-12-01 21:30".
    var date: String
    /// "1:02:03", or "still recording" for a turn that has not ended.
    var duration: String
    var size: String
    var fileName: String

    init(_ recording: RecordingView, in zone: TimeZone) {
        id = recording.id
        djName = recording.djName
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: recording.startedAt)
        date = String(format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
        if let seconds = recording.durationSeconds ?? recording.endedAt.map({ $0.timeIntervalSince(recording.startedAt) }) {
            duration = FigureText.clock(seconds)
        } else {
            duration = "still recording"
        }
        size = FigureText.size(recording.bytes)
        fileName = recording.fileName
    }

    /// Newest first: the set just played is the one looked for.
    static func rows(_ recordings: [RecordingView], in zone: TimeZone) -> [RecordingRow] {
        recordings.sorted { $0.startedAt > $1.startedAt }.map { RecordingRow($0, in: zone) }
    }

    var values: [String: Any] {
        ["id": id, "djName": djName, "date": date, "duration": duration, "size": size, "fileName": fileName]
    }
}
