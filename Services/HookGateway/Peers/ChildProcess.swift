import Foundation
import Synchronization

/// Starts ffmpeg (a relay, a recorder) with posix_spawn rather than Foundation's `Process`, which
/// starts a child with the spawning thread's signal mask: from a Swift concurrency thread that
/// blocks SIGINT and SIGTERM, so ffmpeg never saw the signals that ask it to finish (measured:
/// every relay stop ended in SIGKILL, and a recording closed that way had no duration).
enum ChildProcess {
    struct SpawnError: Error, CustomStringConvertible {
        var executable: String
        var errno: Int32
        var description: String { "cannot start \(executable): \(String(cString: strerror(errno)))" }
    }

    struct Started {
        var pid: pid_t
        /// Read ends; the caller reads them to their end of file and closes them.
        var standardOutput: Int32?
        var standardError: Int32
    }

    /// Standard input from /dev/null; standard error, and standard output when
    /// `pipeStandardOutput` (else /dev/null), into pipes. SIGINT, SIGTERM and SIGPIPE start at
    /// their defaults, nothing blocked.
    static func spawn(_ executable: String, _ arguments: [String], pipeStandardOutput: Bool) throws -> Started {
        try spawning.withLock { _ in try spawnAlone(executable, arguments, pipeStandardOutput: pipeStandardOutput) }
    }

    /// Pipes are made close-on-exec one call after they are made (Glibc has no `pipe2` here); one
    /// spawn at a time, so no child started meanwhile inherits another's pipe ends (which would
    /// hold that child's end of file until the other exits).
    private static let spawning = Mutex(())

    private static func spawnAlone(_ executable: String, _ arguments: [String], pipeStandardOutput: Bool) throws -> Started {
        var errors: [Int32] = [0, 0]
        guard pipe(&errors) == 0 else { throw SpawnError(executable: executable, errno: errno) }
        var output: [Int32] = [0, 0]
        if pipeStandardOutput {
            guard pipe(&output) == 0 else {
                let failure = errno
                errors.forEach { close($0) }
                throw SpawnError(executable: executable, errno: failure)
            }
        }
        let opened = errors + (pipeStandardOutput ? output : [])
        for fd in opened { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if pipeStandardOutput {
            posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(errors[1])
        if pipeStandardOutput { close(output[1]) }
        guard spawned == 0 else {
            close(errors[0])
            if pipeStandardOutput { close(output[0]) }
            throw SpawnError(executable: executable, errno: spawned)
        }
        return Started(pid: pid, standardOutput: pipeStandardOutput ? output[0] : nil, standardError: errors[0])
    }
}
