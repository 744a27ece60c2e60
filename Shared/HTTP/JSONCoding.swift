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
            try container.encode(date.formatted(timestampStyle))
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
            if let date = try? timestampStyle.parse(text) { return date }
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 timestamp: \(text)")
        }
        return decoder
    }

    public static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    public static func encode(_ value: some Encodable) throws -> Data {
        try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder.decode(type, from: data)
    }

    public static func timestamp(_ date: Date) -> String {
        date.formatted(timestampStyle)
    }
}
