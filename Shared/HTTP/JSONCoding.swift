import Foundation

/// One JSON dialect for every service boundary: snake_case keys (the original's and SRS's),
/// dates as ISO 8601 with milliseconds (turn deadlines are measured to the millisecond).
public enum JSONCoding {
    public static let encoder: JSONEncoder = makeEncoder()
    public static let decoder: JSONDecoder = makeDecoder()

    /// A fresh encoder in the shared dialect, for callers that need their own `userInfo`.
    public static func makeEncoder(sorted: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        encoder.outputFormatting = sorted ? [.sortedKeys, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = parseTimestamp(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 timestamp: \(text)")
        }
        return decoder
    }

    static let wholeSecondStyle = Date.ISO8601FormatStyle()
    static let fractionalStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    public static func encode(_ value: some Encodable) throws -> Data {
        try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder.decode(type, from: data)
    }

    /// ISO 8601 in UTC rounded to the millisecond, composed by hand: formatting a parsed value
    /// again must give the same text, which float fractions passed through a formatter do not.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let whole = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let text = Date(timeIntervalSince1970: TimeInterval(whole.0)).formatted(wholeSecondStyle)
        return String(text.dropLast()) + "." + String(whole.1 + 1000).dropFirst() + "Z"
    }

    /// Parses ISO 8601 with or without a fraction, rounded to the millisecond.
    public static func parseTimestamp(_ text: String) -> Date? {
        guard let date = (try? fractionalStyle.parse(text)) ?? (try? wholeSecondStyle.parse(text)) else { return nil }
        return Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
