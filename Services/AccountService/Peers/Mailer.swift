import Foundation
import Logging
import Shared

/// Where mail goes: a sendmail-compatible command (`SENDMAIL_COMMAND`, e.g. `msmtp -t`) or, by
/// default, `.eml` files in `DATA_DIR/outbox` whose path is logged.
protocol Mailer: Sendable {
    func send(to address: String, subject: String, body: String) async throws
}

struct OutboxMailer: Mailer {
    let directory: String
    let from: String
    let logger: Logger

    func send(to address: String, subject: String, body: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let now = Date()
        let name = "\(Int(now.timeIntervalSince1970 * 1000))-\(UUID().uuidString.prefix(8)).eml"
        let path = (directory as NSString).appendingPathComponent(name)
        let message = Data(Mail.message(from: from, to: address, subject: subject, body: body, date: now).utf8)
        guard FileManager.default.createFile(atPath: path, contents: message, attributes: [.posixPermissions: 0o600]) else {
            throw MailError(message: "could not write \(path)")
        }
        logger.notice("mail written to the outbox (no SENDMAIL_COMMAND configured)", metadata: ["path": "\(path)", "subject": "\(subject)"])
    }
}

/// Hands each mail to `/bin/sh -c COMMAND` on its standard input. A command that has not finished
/// within `timeout` is killed (its whole process group: a pipeline's commands too) and the send
/// fails, so a hung mail relay cannot pile up waiting requests.
struct SendmailMailer: Mailer {
    let command: String
    let from: String
    var timeout: Duration = .seconds(30)
    let logger: Logger

    func send(to address: String, subject: String, body: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        // Set before `run()`, so an exit that comes at once still wakes the wait below.
        let exited = Wakeup()
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        // A command that exits without reading gets EPIPE here, not a signal (NIO ignores SIGPIPE).
        try? input.fileHandleForWriting.write(contentsOf: Data(Mail.message(from: from, to: address, subject: subject, body: body, date: Date()).utf8))
        try? input.fileHandleForWriting.close()
        guard await exited.wait(upTo: timeout) else {
            Self.kill(process)
            if Task.isCancelled { throw CancellationError() }
            await exited.wait(upTo: .seconds(5))
            throw MailError(message: "SENDMAIL_COMMAND did not finish within \(timeout) and was killed")
        }
        guard process.terminationStatus == 0 else {
            throw MailError(message: "SENDMAIL_COMMAND exited with status \(process.terminationStatus)")
        }
        logger.info("mail handed to the sendmail command", metadata: ["subject": "\(subject)"])
    }

    /// The shell and whatever it started: Foundation makes the child a process group leader.
    private static func kill(_ process: Process) {
        let pid = process.processIdentifier
        if getpgid(pid) == pid {
            Foundation.kill(-pid, SIGKILL)
        } else {
            Foundation.kill(pid, SIGKILL)
        }
    }
}

struct MailError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
