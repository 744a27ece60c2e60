import Foundation
import MultipartKit

/// A browser's `multipart/form-data` body (RFC 7578), as a form with a file input posts it:
/// each part's name, its file name when it is a file, and its bytes. Hummingbird reads only
/// URL-encoded forms; the multipart framing is MultipartKit's.
struct MultipartForm {
    struct Part {
        var name: String
        /// Set for a file input, empty when none was chosen.
        var filename: String?
        var body: [UInt8]
    }

    var parts: [Part]

    struct Unreadable: Error {}

    /// The boundary a `Content-Type: multipart/form-data; boundary=…` header names.
    static func boundary(inContentType contentType: String) -> String? {
        let fields = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.first?.lowercased() == "multipart/form-data" else { return nil }
        for field in fields.dropFirst() where field.lowercased().hasPrefix("boundary=") {
            let value = field.dropFirst("boundary=".count)
            let boundary = value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? value.dropFirst().dropLast() : value
            // RFC 2046: 1 to 70 characters.
            return (1...70).contains(boundary.count) ? String(boundary) : nil
        }
        return nil
    }

    /// Parsed by MultipartKit; only a body that reaches its closing delimiter counts, so a
    /// truncated upload is refused rather than taken for a shorter picture.
    init(body: [UInt8], boundary: String) throws {
        let parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var headers: [(String, String)] = []
        var partBody: [UInt8] = []
        var malformed = false
        parser.onHeader = { name, value in headers.append((name, value)) }
        parser.onBody = { chunk in partBody.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0.lowercased() == "content-disposition" }.flatMap { Self.parameters(of: $0.1) }
            if let name = disposition?["name"] {
                parts.append(Part(name: name, filename: disposition?["filename"], body: partBody))
            } else {
                malformed = true
            }
            headers = []
            partBody = []
        }
        do {
            try parser.execute(body)
        } catch {
            throw Unreadable()
        }
        let closing = Array("--\(boundary)--".utf8)
        let trimmed = body.reversed().drop(while: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") })
        guard !malformed, !parts.isEmpty, trimmed.starts(with: closing.reversed()) else { throw Unreadable() }
        self.parts = parts
    }

    /// The first text field of this name.
    func text(_ name: String) -> String? {
        parts.first { $0.name == name && $0.filename == nil }.map { String(decoding: $0.body, as: UTF8.self) }
    }

    /// The bytes of the file chosen in the input of this name; nil when none was chosen.
    func file(_ name: String) -> Data? {
        // A file input left empty is still posted: no file name, no bytes.
        guard let part = parts.first(where: { $0.name == name && $0.filename != nil }), !part.body.isEmpty else { return nil }
        return Data(part.body)
    }

    /// The parameters of a `Content-Disposition: form-data; name="…"; filename="…"` value.
    private static func parameters(of value: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for field in value.split(separator: ";").dropFirst() {
            let pair = field.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            parameters[pair[0].trimmingCharacters(in: .whitespaces).lowercased()] = value
        }
        return parameters
    }
}
