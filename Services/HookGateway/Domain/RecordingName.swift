import Foundation

/// How a finished recording is named: `<yyyy-MM-dd>_<HHmm>_<dj-slug>_turn-<n>.mkv` (the whole
/// programme: `<yyyy-MM-dd>_<HHmm>_programme.mkv`), by the turn's start in the gateway's time zone. Nothing of a stream key and no path character can get in:
/// the slug keeps only ASCII letters, digits and single dashes.
enum RecordingName {
    static let fileExtension = "mkv"
    static let slugLimit = 40

    /// `Zoë & the Night Owls!` → `zoe-the-night-owls`. A name that slugs to nothing, or whose slug
    /// holds one of `streams` (a DJ who named themselves after their key), becomes `dj`.
    static func slug(_ djName: String, avoiding streams: [String] = []) -> String {
        let folded = djName.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
        var slug = ""
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug.append("-")
            }
        }
        slug = String(slug.prefix(slugLimit))
        while slug.hasSuffix("-") { slug.removeLast() }
        let leaks = streams.contains { stream in !stream.isEmpty && slug.contains(stream.lowercased()) }
        return slug.isEmpty || leaks ? "dj" : slug
    }

    /// - Parameter part: 1 for a turn recorded in one go; a turn whose recording was cut (the DJ's
    ///   encoder dropped and came back) continues in `_part-2`, `_part-3`, ….
    static func fileName(turnStartedAt: Date, slug: String, turn: UInt64?, part: Int = 1, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let at = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: turnStartedAt)
        let stamp = String(format: "%04d-%02d-%02d_%02d%02d", at.year ?? 0, at.month ?? 0, at.day ?? 0, at.hour ?? 0, at.minute ?? 0)
        let suffix = part > 1 ? "_part-\(part)" : ""
        return "\(stamp)_\(slug)\(turn.map { "_turn-\($0)" } ?? "")\(suffix).\(fileExtension)"
    }

    /// `name` with `_2`, `_3`, … before the extension, for a name already taken on disk.
    static func alternative(_ name: String, number: Int) -> String {
        let base = (name as NSString).deletingPathExtension
        return "\(base)_\(number).\((name as NSString).pathExtension)"
    }

    /// Recording ids are 32 lowercase hex digits; anything else names no recording (and no path).
    static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
