import Foundation
import NIOPosix
import Shared

/// The output targets, in one small JSON file (`DATA_DIR/outputs.json`) replaced atomically on
/// every change (write, fsync, rename, fsync of the directory), so a crash leaves the old list
/// or the new one. The stream keys in it are sealed (`OutputKeySeal`); the plaintext keys exist
/// only in this actor's memory and in what `targets()` hands the relays.
actor OutputTargetStore: OutputTargetsSource {
    let path: String
    private let seal: OutputKeySeal
    private var all: [OutputTarget] = []
    /// Why the file could not be read at start. HookGateway starts anyway — DJs' publishes must
    /// not wait on the output side — but nothing goes out, and no change is saved over the file
    /// (it holds keys an admin would otherwise have to enter again).
    nonisolated let unreadable: OutputTargetStoreError?
    private let changes = ChangeSignal<Void>()

    init(path: String, seal: OutputKeySeal) {
        self.path = path
        self.seal = seal
        do {
            all = try Self.load(path: path, seal: seal)
            unreadable = nil
        } catch let error as OutputTargetStoreError {
            unreadable = error
        } catch {
            unreadable = .unreadable(path: path, reason: "\(error)")
        }
    }

    func targets() -> [OutputTarget] {
        all
    }

    /// The targets, or why there are none to show.
    func readable() throws -> [OutputTarget] {
        if let unreadable { throw unreadable }
        return all
    }

    nonisolated func targetChanges() -> AsyncStream<Void> {
        changes.subscribe()
    }

    func insert(_ target: OutputTarget) async throws {
        try await save(all + [target])
    }

    /// Applies `change` to one target inside the actor, so two edits never lose one another.
    func update(_ id: UUID, _ change: @Sendable (OutputTarget) throws -> OutputTarget) async throws -> OutputTarget {
        guard let index = all.firstIndex(where: { $0.id == id }) else { throw OutputTargetStoreError.notFound }
        var next = all
        next[index] = try change(all[index])
        guard next[index] != all[index] else { return next[index] }
        try await save(next)
        return next[index]
    }

    func delete(_ id: UUID) async throws {
        guard all.contains(where: { $0.id == id }) else { throw OutputTargetStoreError.notFound }
        try await save(all.filter { $0.id != id })
    }

    /// The list in memory changes only once it is on disk; then the relays hear of it.
    private func save(_ targets: [OutputTarget]) async throws {
        if let unreadable { throw unreadable }
        let stored = try StoredTargets(targets: targets.map { target in
            StoredTarget(id: target.id, name: target.name, url: target.url, sealedKey: try seal.seal(target.streamKey, for: target.id), enabled: target.enabled)
        })
        let bytes = try JSONCoding.encoder.encode(stored)
        let path = path
        try await NIOThreadPool.singleton.runIfActive { try Self.write(bytes, to: path) }
        all = targets
        changes.send(())
    }

    private static func load(path: String, seal: OutputKeySeal) throws -> [OutputTarget] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let stored: StoredTargets
        do {
            stored = try JSONCoding.decoder.decode(StoredTargets.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw OutputTargetStoreError.unreadable(path: path, reason: "\(error)")
        }
        return try stored.targets.map { target in
            do {
                return OutputTarget(id: target.id, name: target.name, url: target.url, streamKey: try seal.open(target.sealedKey, for: target.id), enabled: target.enabled)
            } catch {
                throw OutputTargetStoreError.unreadable(path: path, reason: "\(error)")
            }
        }
    }

    private static func write(_ bytes: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputTargetStoreError.write(path: temporary, errno: errno) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        let failure = errno
        close(fd)
        guard written == bytes.count, synced == 0 else { throw OutputTargetStoreError.write(path: temporary, errno: failure) }
        guard rename(temporary, path) == 0 else { throw OutputTargetStoreError.write(path: path, errno: errno) }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw OutputTargetStoreError.write(path: directory, errno: errno) }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw OutputTargetStoreError.write(path: directory, errno: errno) }
    }
}

/// The file's shape: every field as entered but the key, which is sealed.
private struct StoredTargets: Codable {
    var targets: [StoredTarget]
}

private struct StoredTarget: Codable {
    var id: UUID
    var name: String
    var url: String
    var sealedKey: String
    var enabled: Bool
}

enum OutputTargetStoreError: Error, CustomStringConvertible {
    case notFound
    case unreadable(path: String, reason: String)
    case write(path: String, errno: Int32)

    var description: String {
        switch self {
        case .notFound: "no such output target"
        case .unreadable(let path, let reason): "the output targets file \(path) is unreadable (\(reason)); fix or remove it"
        case .write(let path, let errno): "cannot write \(path): \(String(cString: strerror(errno)))"
        }
    }
}
