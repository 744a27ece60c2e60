import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The ffmpeg children this gateway started, one small file each under `DATA_DIR/children`. A
/// gateway killed outright (SIGKILL, the OOM killer) leaves its children running: a relay would
/// go on publishing to the platform beside the one its successor starts, a recorder would go on
/// writing the file the next start finishes. So each start ends what the ledger lists first. A
/// file holds the child's start time as the kernel counts it, so a pid since given to another
/// process is never signalled.
struct ChildLedger: Sendable {
    enum Role: String, Sendable {
        /// Ended at once: a relay holds nothing worth finishing.
        case relay
        /// Asked to finish its file (SIGINT), killed only if it has not within the grace.
        case recording
    }

    let directory: String

    func started(_ pid: pid_t, role: Role) {
        guard let since = Self.startTime(of: pid) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try? Data("\(since) \(role.rawValue)\n".utf8).write(to: URL(fileURLWithPath: path(pid)))
    }

    func ended(_ pid: pid_t) {
        unlink(path(pid))
    }

    /// Ends every child an earlier run left behind and returns how many there were; blocks until
    /// they are gone (at most `grace` for a recording to close its file).
    func endOrphans(grace: Duration = .seconds(7)) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var orphans: [pid_t] = []
        for name in names {
            guard let pid = pid_t(name), let text = try? String(contentsOfFile: path(pid), encoding: .utf8) else { continue }
            let fields = text.split(whereSeparator: \.isWhitespace)
            if fields.count == 2, Self.startTime(of: pid) == String(fields[0]), let role = Role(rawValue: String(fields[1])) {
                kill(pid, role == .relay ? SIGKILL : SIGINT)
                orphans.append(pid)
            } else {
                unlink(path(pid))
            }
        }
        let deadline = ContinuousClock.now + grace
        while orphans.contains(where: Self.isRunning), ContinuousClock.now < deadline { usleep(50_000) }
        for pid in orphans {
            if Self.isRunning(pid) { kill(pid, SIGKILL) }
            unlink(path(pid))
        }
        return orphans.count
    }

    private func path(_ pid: pid_t) -> String {
        (directory as NSString).appendingPathComponent("\(pid)")
    }

    /// Field 22 of `/proc/<pid>/stat`, the start in clock ticks since boot; nil when it is gone.
    /// Read after the `)` that closes the command name, which may itself hold spaces.
    static func startTime(of pid: pid_t) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }

    /// Alive and not yet a zombie (an orphan's new parent reaps it).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }
}
