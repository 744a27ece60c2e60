import Foundation

/// A DJ's profile picture: what an upload may be, and what is kept and served instead — a square
/// JPEG that ffmpeg made from it (`Peers/PictureResizer.swift`), never the uploaded bytes.
enum ProfilePicture {
    /// The original's limit for a picture (its signup form took an image of up to 4 MB).
    static let maximumUploadBytes = 4 * 1024 * 1024
    /// The served picture's width and height: enough for a round 96 px avatar on a 1080p overlay
    /// at 2× and for Discord's 80 px thumbnail, and only a few dozen KiB.
    static let side = 256
    /// A decoded upload bigger than this (a "decompression bomb": a small file declaring a huge
    /// image) is refused before ffmpeg allocates it. 40 megapixels is more than phone cameras save.
    static let maximumPixels = 40_000_000
    /// What ffmpeg may write before the result is refused as not a thumbnail.
    static let maximumResultBytes = 1024 * 1024

    /// The image formats taken, each read by exactly one ffmpeg demuxer and decoder, so an upload
    /// cannot make ffmpeg open a playlist, a device or a URL.
    enum Format: String, Sendable, CaseIterable {
        case png, jpeg, gif, webp

        var demuxer: String {
            switch self {
            case .png: "png_pipe"
            case .jpeg: "jpeg_pipe"
            case .gif: "gif"
            case .webp: "webp_pipe"
            }
        }

        var decoder: String {
            switch self {
            case .png: "png"
            case .jpeg: "mjpeg"
            case .gif: "gif"
            case .webp: "webp"
            }
        }

        /// The format a file's first bytes declare, or nil for anything else.
        static func sniff(_ bytes: some Collection<UInt8>) -> Format? {
            let head = Array(bytes.prefix(12))
            if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
            if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
            if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return .gif }
            if head.count == 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return .webp }
            return nil
        }
    }

    /// What the resizer must have produced for the result to be served: a whole JPEG (start and
    /// end markers) of a thumbnail's size.
    static func isServableJPEG(_ bytes: Data) -> Bool {
        bytes.count >= 4 && bytes.count <= maximumResultBytes && bytes.starts(with: [0xFF, 0xD8]) && bytes.suffix(2).elementsEqual([0xFF, 0xD9])
    }

    /// A picture's id names its bytes: a new picture gets a new id (so a cached copy of the old one
    /// is never shown for it) and ids are random, so they say nothing about the account.
    static func isWellFormedId(_ id: Substring) -> Bool {
        (16...64).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// Where a picture is served, under AccountService's public address.
    static func path(id: String) -> String {
        "/pictures/\(id).jpg"
    }
}

/// A resized picture as stored, under its id.
struct StoredPicture: Sendable, Equatable {
    var id: String
    var jpeg: Data
}
