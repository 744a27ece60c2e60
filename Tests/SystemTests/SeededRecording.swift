import Foundation

/// A recording on disk as HookGateway leaves one under `RECORD_DIR`: the file and its metadata,
/// in its format, for tests that need one without recording it.
struct SeededRecording {
    var id: String
    var fileName: String
    var bytes: Data

    static func make(in directory: URL, djName: String, userId: UUID = UUID(), endedDaysAgo days: Double, bytes: Data = Data(repeating: 7, count: 1000)) throws -> SeededRecording {
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let ended = Date().addingTimeInterval(-days * 86_400)
        let slug = djName.lowercased().replacingOccurrences(of: " ", with: "-")
        let fileName = "2026-01-01_2100_\(slug)_turn-1.mkv"
        let metadata = directory.appendingPathComponent(".recordings")
        try FileManager.default.createDirectory(at: metadata, withIntermediateDirectories: true)
        try bytes.write(to: directory.appendingPathComponent(fileName))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let stamp = { (date: Date) in formatter.string(from: date) }
        let json = """
            {"id":"\(id)","user_id":"\(userId)","dj_name":"\(djName)","turn":1,"part":1,"started_at":"\(stamp(ended.addingTimeInterval(-600)))",\
            "ended_at":"\(stamp(ended))","duration_seconds":600,"file_name":"\(fileName)"}
            """
        try Data(json.utf8).write(to: metadata.appendingPathComponent("\(id).json"))
        return SeededRecording(id: id, fileName: fileName, bytes: bytes)
    }
}
