import Foundation
import Logging
import Shared
import Synchronization

/// Makes the picture that is stored and served from an uploaded image. There is no Swift image
/// library here, so the real one is Debian's ffmpeg; tests may swap in a fake.
protocol PictureResizer: Sendable {
    /// A JPEG of `ProfilePicture.side` × `ProfilePicture.side` pixels: the upload scaled to cover
    /// the square and cropped to its centre (the first frame of an animation).
    func squareJPEG(from upload: Data, format: ProfilePicture.Format) async throws -> Data
}

enum PictureResizeError: Error, Equatable, CustomStringConvertible {
    /// ffmpeg read the upload and made no picture of it; what it said, in short.
    case undecodable(String)
    /// ffmpeg took longer than the resizer allows and was killed.
    case timedOut
    /// ffmpeg could not be run at all.
    case unavailable(String)
    /// As many pictures are being made as the resizer allows at once.
    case busy

    var description: String {
        switch self {
        case .undecodable(let said): "ffmpeg could not decode the picture: \(said)"
        case .timedOut: "ffmpeg took too long and was killed"
        case .unavailable(let why): "ffmpeg could not be started: \(why)"
        case .busy: "too many pictures are being made at once"
        }
    }
}

/// Runs `ffmpeg` once per picture: the upload on its standard input, the JPEG from its standard
/// output, nothing on disk. Only the one demuxer and decoder the upload's format needs and only
/// the pipe protocol are allowed, a decoded image over `ProfilePicture.maximumPixels` is refused,
/// and a run that has not finished within `timeout` is killed. At most `running.limit` run at once
/// (each may hold a 40-megapixel image): past that an upload is refused at once, not queued.
struct FFmpegPictureResizer: PictureResizer {
    /// `FFMPEG_PATH`, default Debian's.
    var executable = "/usr/bin/ffmpeg"
    var timeout: Duration = .seconds(10)
    var logger = Logger(label: "AccountService.pictures")
    var running = RunningLimit(limit: 2)

    func squareJPEG(from upload: Data, format: ProfilePicture.Format) async throws -> Data {
        guard running.enter() else { throw PictureResizeError.busy }
        defer { running.leave() }
        let side = ProfilePicture.side
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "-hide_banner", "-nostats", "-loglevel", "error",
            "-protocol_whitelist", "pipe", "-format_whitelist", format.demuxer, "-codec_whitelist", format.decoder,
            "-max_pixels", "\(ProfilePicture.maximumPixels)", "-threads", "1",
            "-f", format.demuxer, "-i", "pipe:0",
            "-frames:v", "1", "-an", "-sn", "-dn", "-map_metadata", "-1",
            "-vf", "scale=\(side):\(side):force_original_aspect_ratio=increase,crop=\(side):\(side),setsar=1",
            "-f", "mjpeg", "-q:v", "3", "pipe:1",
        ]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        // Set before `run()`, so an exit that comes at once still wakes the wait below.
        let exited = Wakeup()
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            logger.error("ffmpeg could not be started: profile pictures cannot be taken", metadata: ["ffmpeg": "\(executable)", "error": "\(error)"])
            throw PictureResizeError.unavailable("\(executable): \(error.localizedDescription)")
        }
        // Feeding and draining happen off the concurrency pool (they block), and at the same time,
        // so neither pipe can fill up and stall ffmpeg. An ffmpeg that stops reading early gets
        // its write failing with EPIPE, not a signal (NIO ignores SIGPIPE).
        let writer = input.fileHandleForWriting, reader = output.fileHandleForReading, complaints = errors.fileHandleForReading
        async let fed: Void = Self.blocking {
            try? writer.write(contentsOf: upload)
            try? writer.close()
        }
        async let jpeg = Self.blocking { (try? reader.readToEnd()) ?? Data() }
        async let said = Self.blocking { (try? complaints.readToEnd()) ?? Data() }
        guard await exited.wait(upTo: timeout) else {
            kill(process.processIdentifier, SIGKILL)
            await exited.wait(upTo: .seconds(5))
            _ = await (fed, jpeg, said)
            logger.warning("ffmpeg took too long over a picture and was killed", metadata: ["timeout": "\(timeout)", "bytes": "\(upload.count)"])
            throw PictureResizeError.timedOut
        }
        let (_, picture, complaint) = await (fed, jpeg, said)
        guard process.terminationStatus == 0, ProfilePicture.isServableJPEG(picture) else {
            let said = Self.summary(of: complaint, status: process.terminationStatus)
            logger.info("picture refused: ffmpeg made nothing of it", metadata: ["ffmpeg_said": "\(said)", "bytes": "\(upload.count)"])
            throw PictureResizeError.undecodable(said)
        }
        return picture
    }

    /// The last thing ffmpeg said, which names what was wrong, short enough for a log line.
    private static func summary(of stderr: Data, status: Int32) -> String {
        let lines = String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let last = lines.last(where: { !$0.isEmpty }) else { return "exit status \(status), no picture" }
        return String(last.prefix(200))
    }

    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await BlockingWork.run("picture-resizer", work)
    }
}

/// How many of something run at once, refusing one more past the limit.
final class RunningLimit: Sendable {
    let limit: Int
    private let count = Mutex(0)

    init(limit: Int) {
        self.limit = limit
    }

    func enter() -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() {
        count.withLock { $0 -= 1 }
    }
}
