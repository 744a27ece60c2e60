import Foundation
import Logging
import Testing
import TestSupport
@testable import AccountService

@Suite struct MailerTests {
    let logger = Logger(label: "mail-test")
    let from = "Motherstream <no-reply@example.org>"

    @Test func theSendmailCommandGetsTheWholeMessageOnItsInput() async throws {
        let file = try temporaryDirectory("sendmail").appendingPathComponent("piped.eml")
        try await SendmailMailer(command: "cat > '\(file.path)'", from: from, logger: logger).send(to: "dj@example.org", subject: "Hello", body: "line one\nline two")
        let mail = try String(contentsOf: file, encoding: .utf8)
        #expect(mail.hasPrefix("From: Motherstream <no-reply@example.org>\r\nTo: dj@example.org\r\nSubject: Hello\r\nDate: "))
        #expect(mail.hasSuffix("Content-Type: text/plain; charset=utf-8\r\n\r\nline one\r\nline two\r\n"))
    }

    @Test func aSendmailCommandThatFailsIsAnError() async throws {
        let mailer = SendmailMailer(command: "cat > /dev/null; exit 3", from: from, logger: logger)
        await #expect {
            try await mailer.send(to: "dj@example.org", subject: "Hello", body: "text")
        } throws: { error in
            (error as? MailError)?.message == "SENDMAIL_COMMAND exited with status 3"
        }
    }

    /// Before: a hung command (a mail relay that never answers) held the request forever.
    @Test func aSendmailCommandThatHangsIsKilledAfterItsTimeout() async throws {
        let pidFile = try temporaryDirectory("sendmail").appendingPathComponent("sleeper.pid")
        let mailer = SendmailMailer(command: "sleep 60 & echo $! > '\(pidFile.path)'; wait", from: from, timeout: .milliseconds(300), logger: logger)
        let started = ContinuousClock.now
        await #expect {
            try await mailer.send(to: "dj@example.org", subject: "Hello", body: "text")
        } throws: { error in
            (error as? MailError)?.message.contains("did not finish within") == true
        }
        // Far below the command's 60 s, however loaded the machine: the timeout, not the command, ended it.
        #expect(ContinuousClock.now - started < .seconds(30))
        let sleeper = try #require(Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        func gone() -> Bool {
            let state = (try? String(contentsOfFile: "/proc/\(sleeper)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            return state == nil || state == "Z"
        }
        for _ in 0..<100 where !gone() { try await Task.sleep(for: .milliseconds(50)) }
        #expect(gone(), "the command's own children are killed too")
    }

    @Test func withoutACommandMailLandsInTheOutbox() async throws {
        let outbox = try temporaryDirectory("outbox").appendingPathComponent("outbox")
        try await OutboxMailer(directory: outbox.path, from: from, logger: logger).send(to: "dj@example.org", subject: "Hello", body: "text")
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.path)
        #expect(files.count == 1 && files[0].hasSuffix(".eml"))
        let mail = try String(contentsOf: outbox.appendingPathComponent(files[0]), encoding: .utf8)
        #expect(mail.contains("To: dj@example.org\r\n") && mail.hasSuffix("\r\ntext\r\n"))
    }
}
