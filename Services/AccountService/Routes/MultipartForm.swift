import Foundation

/// A browser's `multipart/form-data` body (RFC 7578), as a form with a file input posts it:
/// each part's name, its file name and type when it is a file, and its bytes. Hummingbird reads
/// only URL-encoded forms, and the pages need nothing more than this.
struct MultipartForm {
    struct Part {
        var name: String
        /// Set for a file input, empty when none was chosen.
        var filename: String?
        var body: ArraySlice<UInt8>
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

    init(body: [UInt8], boundary: String) throws {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n".utf8) + delimiter
        guard body.starts(with: delimiter) else { throw Unreadable() }
        var parts: [Part] = []
        var cursor = delimiter.count
        while true {
            // After a delimiter: `--` ends the body, CRLF starts the next part.
            if body[cursor...].starts(with: Array("--".utf8)) { break }
            guard body[cursor...].starts(with: Array("\r\n".utf8)) else { throw Unreadable() }
            let start = cursor + 2
            guard let end = Self.find(separator, in: body, from: start),
                  let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: start), headerEnd <= end
            else { throw Unreadable() }
            let headers = String(decoding: body[start..<headerEnd], as: UTF8.self)
            guard let disposition = Self.disposition(headers), let name = disposition["name"] else { throw Unreadable() }
            parts.append(Part(name: name, filename: disposition["filename"], body: body[(headerEnd + 4)..<end]))
            cursor = end + separator.count
        }
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

    /// The parameters of a part's `Content-Disposition: form-data; name="…"; filename="…"`.
    private static func disposition(_ headers: String) -> [String: String]? {
        for line in headers.split(separator: "\r\n") {
            let header = line.split(separator: ":", maxSplits: 1)
            guard header.count == 2, header[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-disposition" else { continue }
            var parameters: [String: String] = [:]
            for field in header[1].split(separator: ";").dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                var value = pair[1].trimmingCharacters(in: .whitespaces)
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                parameters[pair[0].trimmingCharacters(in: .whitespaces).lowercased()] = value
            }
            return parameters
        }
        return nil
    }

    /// Where `needle` first occurs in `haystack` at or after `start`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            guard let candidate = haystack[index...last].firstIndex(of: first) else { return nil }
            if haystack[candidate..<(candidate + needle.count)].elementsEqual(needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}
