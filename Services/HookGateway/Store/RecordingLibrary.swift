import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Shared

/// What is kept beside each recording: everything the listing shows, nothing of a stream key.
struct StoredRecording: Codable, Sendable, Equatable {
    var id: String
    var userId: UUID?
    var djName: String
    var turn: UInt64?
    var part: Int
    /// When this file's recording began (the turn may have begun a moment earlier).
    var startedAt: Date
    var endedAt: Date?
    var durationSeconds: Double?
    var fileName: String
    /// Seconds of pre-roll at the head of the partial file (captured before the turn began), cut
    /// off when it is finished; kept here so a crash mid-turn still cuts them.
    var preRollSeconds: Double?

    func view(bytes: UInt64) -> RecordingView {
        RecordingView(
            id: id, userId: userId, djName: djName, turn: turn, startedAt: startedAt, endedAt: endedAt, bytes: bytes,
            durationSeconds: durationSeconds, fileName: fileName
        )
    }
}

/// The recordings on disk under `RECORD_DIR`:
/// - `<name>.mkv`: finished recordings, under their final names;
/// - `.recordings/<id>.json`: what is known of each;
/// - `.partial/<id>.mkv` (+ `<id>.json`): recordings in progress, under an opaque random name
///   nobody could take for a DJ's or derive a key from.
/// Calls block on the disk (fsync): run them off the concurrency pool.
struct RecordingLibrary: Sendable {
    let directory: String

    var metadataDirectory: String { (directory as NSString).appendingPathComponent(".recordings") }
    var partialDirectory: String { (directory as NSString).appendingPathComponent(".partial") }

    func prepare() throws {
        for path in [directory, metadataDirectory, partialDirectory] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        }
    }

    /// Registers a recording about to start; returns the path ffmpeg writes to.
    func begin(_ recording: StoredRecording) throws -> String {
        try writeAtomically(JSONCoding.encode(recording), to: pendingPath(recording.id))
        return partialMediaPath(recording.id)
    }

    /// Gives a closed partial recording its name and metadata, or drops it when nothing playable
    /// was recorded (`durationSeconds` nil or under half a second). The metadata is written before
    /// the rename, so a crash in between leaves the partial to be finished again at the next start.
    func finish(id: String, endedAt: Date, durationSeconds: Double?) throws -> RecordingView? {
        let pending = pendingPath(id)
        let media = partialMediaPath(id)
        guard var recording = try? JSONCoding.decoder.decode(StoredRecording.self, from: Data(contentsOf: URL(fileURLWithPath: pending))) else {
            try? FileManager.default.removeItem(atPath: media)
            return nil
        }
        guard let durationSeconds, durationSeconds >= 0.5, FileManager.default.fileExists(atPath: media) else {
            try? FileManager.default.removeItem(atPath: media)
            try? FileManager.default.removeItem(atPath: pending)
            return nil
        }
        recording.fileName = freeName(for: recording)
        recording.endedAt = endedAt
        recording.durationSeconds = durationSeconds
        try writeAtomically(JSONCoding.encode(recording), to: metadataPath(id))
        try rename(media, finalPath(recording.fileName))
        try? FileManager.default.removeItem(atPath: pending)
        return recording.view(bytes: size(of: finalPath(recording.fileName)) ?? 0)
    }

    /// A capture that was never registered (a pre-roll whose DJ did not go on air): its media goes.
    func discard(id: String) {
        try? FileManager.default.removeItem(atPath: partialMediaPath(id))
        try? FileManager.default.removeItem(atPath: pendingPath(id))
    }

    /// What is registered of a recording in progress.
    func pending(_ id: String) -> StoredRecording? {
        (try? Data(contentsOf: URL(fileURLWithPath: pendingPath(id)))).flatMap { try? JSONCoding.decoder.decode(StoredRecording.self, from: $0) }
    }

    /// What a previous run left in `.partial` (a crash, a kill): the ids to finish now, after
    /// deleting media nobody registered.
    func leftovers() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialDirectory)) ?? []
        let registered = Set(names.filter { $0.hasSuffix(".json") }.map { ($0 as NSString).deletingPathExtension }.filter(RecordingName.isValidID))
        for name in names where !registered.contains((name as NSString).deletingPathExtension) {
            try? FileManager.default.removeItem(atPath: (partialDirectory as NSString).appendingPathComponent(name))
        }
        return registered.sorted()
    }

    func partialMediaPath(_ id: String) -> String {
        (partialDirectory as NSString).appendingPathComponent("\(id).\(RecordingName.fileExtension)")
    }

    /// Finished recordings, newest first; one whose file is gone is not listed.
    func list() -> [RecordingView] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: metadataDirectory)) ?? []
        return names.compactMap { name -> RecordingView? in
            let id = (name as NSString).deletingPathExtension
            guard name.hasSuffix(".json"), RecordingName.isValidID(id) else { return nil }
            return recording(id)?.view
        }
        .sorted { $0.startedAt > $1.startedAt }
    }

    func recording(_ id: String) -> (view: RecordingView, path: String)? {
        guard RecordingName.isValidID(id),
            let data = FileManager.default.contents(atPath: metadataPath(id)),
            let stored = try? JSONCoding.decoder.decode(StoredRecording.self, from: data)
        else { return nil }
        let path = finalPath(stored.fileName)
        guard let bytes = size(of: path) else { return nil }
        return (stored.view(bytes: bytes), path)
    }

    /// Deletes the file and its metadata; false when there was no such recording.
    func delete(_ id: String) throws -> Bool {
        guard let found = recording(id) else { return false }
        try FileManager.default.removeItem(atPath: found.path)
        try FileManager.default.removeItem(atPath: metadataPath(id))
        return true
    }

    /// Free bytes for an unprivileged writer on the filesystem holding `RECORD_DIR`.
    func freeBytes() -> UInt64? {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    private func pendingPath(_ id: String) -> String { (partialDirectory as NSString).appendingPathComponent("\(id).json") }
    private func metadataPath(_ id: String) -> String { (metadataDirectory as NSString).appendingPathComponent("\(id).json") }
    private func finalPath(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// The intended name, or the first `_2`, `_3`, … not taken by another recording.
    private func freeName(for recording: StoredRecording) -> String {
        var name = recording.fileName
        var number = 1
        while FileManager.default.fileExists(atPath: finalPath(name)) {
            number += 1
            name = RecordingName.alternative(recording.fileName, number: number)
        }
        return name
    }

    private func size(of path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? UInt64
    }

    private func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw RecordingLibraryError(path: to, errno: errno) }
    }

    /// Write, fsync, rename: a reader sees the old file or the new one, never half of one.
    private func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw RecordingLibraryError(path: temporary, errno: errno) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0 else { throw RecordingLibraryError(path: temporary, errno: errno) }
        try rename(temporary, path)
    }
}

struct RecordingLibraryError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32
    var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
}
