/// What a download's `Range` header asks of a file of `size` bytes (RFC 9110 §14): one byte
/// range `bytes=a-b`, `bytes=a-` or `bytes=-n`. Several ranges, other units or a malformed value
/// are ignored (the whole file is sent), as the RFC allows; a range past the end cannot be served.
enum RecordingByteRange: Equatable {
    case whole
    case part(ClosedRange<Int>)
    case unsatisfiable

    init(header: String?, size: Int) {
        guard let header else {
            self = .whole
            return
        }
        let value = header.trimmingCharacters(in: .whitespaces)
        guard value.lowercased().hasPrefix("bytes="), !value.contains(",") else {
            self = .whole
            return
        }
        let spec = value.dropFirst("bytes=".count)
        let sides = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard sides.count == 2, sides.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else {
            self = .whole
            return
        }
        switch (Int(sides[0]), Int(sides[1])) {
        case let (first?, last?):
            guard first <= last else {
                self = .whole
                return
            }
            self = first < size ? .part(first...min(last, size - 1)) : .unsatisfiable
        case let (first?, nil) where sides[1].isEmpty:
            self = first < size ? .part(first...(size - 1)) : .unsatisfiable
        case let (nil, suffix?) where sides[0].isEmpty:
            self = suffix > 0 && size > 0 ? .part(max(0, size - suffix)...(size - 1)) : .unsatisfiable
        default:
            self = .whole
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
