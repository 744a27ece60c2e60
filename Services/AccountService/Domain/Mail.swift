import Foundation

/// A plain-text mail as sendmail and `.eml` readers take it: CRLF line ends, an RFC 5322 date.
enum Mail {
    static func message(from: String, to: String, subject: String, body: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return """
            From: \(from)\r
            To: \(to)\r
            Subject: \(subject)\r
            Date: \(formatter.string(from: date))\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            \(body.replacingOccurrences(of: "\n", with: "\r\n"))\r

            """
    }
}
