import Foundation

/// Lengths of time and sizes of files as the pages write them.
enum FigureText {
    /// "0:04:09", "2:15:00": a set or a relay's uptime reads like a clock.
    static func clock(_ seconds: Double) -> String {
        let whole = seconds.isFinite ? max(0, Int(seconds.rounded(.down))) : 0
        return "\(whole / 3600):" + String(format: "%02d:%02d", whole % 3600 / 60, whole % 60)
    }

    /// Decimal units, as disks and browsers' download bars count: "812 kB", "1.4 GB", "12 GB".
    static func size(_ bytes: UInt64) -> String {
        guard bytes >= 1000 else { return "\(bytes) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        let number = value < 10 ? String(format: "%.1f", (value * 10).rounded(.down) / 10) : String(Int(value))
        return number + " " + units[unit]
    }
}
