import Foundation

/// Debian's nginx with libnginx-mod-rtmp as a local RTMP server for the real-OBS test.
public final class NginxRTMP: @unchecked Sendable {
    public let port: Int
    private let process: Process

    /// - Parameter port: a port to listen on again (a "platform" coming back), or nil for a free one.
    public static func start(port chosen: Int? = nil) async throws -> NginxRTMP {
        let module = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx"), FileManager.default.fileExists(atPath: module) else {
            throw ServiceProcessError("nginx with libnginx-mod-rtmp is needed for the real-OBS test (make test installs it)")
        }
        let directory = try temporaryDirectory("nginx")
        let port = try chosen ?? freePort()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let config = """
            load_module \(module);
            daemon off;
            master_process off;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/logs/error.log warn;
            events { worker_connections 256; }
            rtmp { server { listen 127.0.0.1:\(port); chunk_size 4096; application live { live on; wait_key on; wait_video on; } } }
            """
        try config.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", directory.path, "-c", directory.appendingPathComponent("nginx.conf").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where !RealOBS.isListening(port) {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard RealOBS.isListening(port) else { throw ServiceProcessError("nginx-rtmp did not listen on \(port)") }
        return NginxRTMP(port: port, process: process)
    }

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    public func url(_ stream: String) -> String { "rtmp://127.0.0.1:\(port)/live/\(stream)" }

    public func stop() async {
        await stopProcess(process)
    }
}

/// An ffmpeg test pattern of one solid colour (and a tone) published to an RTMP URL until stopped.
public final class ColourPublisher: @unchecked Sendable {
    private let process: Process

    public static func start(colour: String, to url: String) throws -> ColourPublisher {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = [
            "-hide_banner", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", "color=c=\(colour):size=320x180:rate=15",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15", "-pix_fmt", "yuv420p",
            // Each packet out as it is made, as OBS sends it: ffmpeg's default 32 KB output buffer
            // holds about 3 s of this tiny stream, which a kick at the turn's end then throws away.
            "-c:a", "aac", "-b:a", "64k", "-flush_packets", "1", "-f", "flv", url,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return ColourPublisher(process: process)
    }

    private init(process: Process) {
        self.process = process
    }

    public func stop() async {
        await stopProcess(process)
    }
}

func stopProcess(_ process: Process) async {
    guard process.isRunning else { return }
    process.terminate()
    for _ in 0..<150 where process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
}

/// Debian's nginx with libnginx-mod-rtmp as Motherstream's ingest, run from the shipped
/// `deploy/nginx-rtmp/nginx.conf` with its hooks pointed at a HookGateway, on loopback ports.
public final class NginxRTMPIngest: @unchecked Sendable {
    public let rtmpPort: Int
    public let httpPort: Int
    public let directory: URL
    private let process: Process

    public var statURL: String { "http://127.0.0.1:\(httpPort)/stat" }
    public var controlURL: String { "http://127.0.0.1:\(httpPort)/control" }

    /// Ports to choose before the gateway starts, since each side must be told where the other is.
    public static func ports() throws -> (rtmp: Int, http: Int) {
        (try freePort(), try freePort())
    }

    /// The gateway's settings for the nginx-rtmp that will listen on `ports`: the ingest, its
    /// control and stat pages, and the pull URL its recorder and relays use.
    public static func gatewayEnvironment(_ ports: (rtmp: Int, http: Int)) -> [String: String] {
        [
            "INGEST_SERVER": "nginx-rtmp",
            "NGINX_RTMP_CONTROL_URL": "http://127.0.0.1:\(ports.http)/control",
            "NGINX_RTMP_STAT_URL": "http://127.0.0.1:\(ports.http)/stat",
            "LEAD_PULL_URL": "rtmp://127.0.0.1:\(ports.rtmp)/{app}/{stream}",
        ]
    }

    /// - Parameter extraApplications: more `application` blocks (e.g. a relay target) for the rtmp server.
    public static func start(ports: (rtmp: Int, http: Int), hookURL: String, extraApplications: String = "") async throws -> NginxRTMPIngest {
        let module = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx"), FileManager.default.fileExists(atPath: module) else {
            throw ServiceProcessError("nginx with libnginx-mod-rtmp is needed for the nginx-rtmp tests (make test installs it)")
        }
        let directory = try temporaryDirectory("nginx-ingest")
        let template = try String(contentsOf: PackageRoot.url.appendingPathComponent("deploy/nginx-rtmp/nginx.conf"), encoding: .utf8)
        let anchor = "        chunk_size  4096;\n"
        guard template.contains(anchor) else { throw ServiceProcessError("deploy/nginx-rtmp/nginx.conf no longer has the line \(anchor)") }
        let config = template
            .replacingOccurrences(of: "__MODULE__", with: module)
            .replacingOccurrences(of: "__PREFIX__", with: directory.path)
            .replacingOccurrences(of: "__RTMP_LISTEN__", with: "127.0.0.1:\(ports.rtmp)")
            .replacingOccurrences(of: "__HTTP_LISTEN__", with: "127.0.0.1:\(ports.http)")
            .replacingOccurrences(of: "__HOOK_URL__", with: hookURL)
            .replacingOccurrences(of: anchor, with: anchor + extraApplications + "\n")
        let file = directory.appendingPathComponent("nginx.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", directory.path, "-e", directory.appendingPathComponent("startup.log").path, "-c", file.path, "-g", "daemon off; master_process off;"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let ingest = NginxRTMPIngest(rtmpPort: ports.rtmp, httpPort: ports.http, directory: directory, process: process)
        for _ in 0..<200 where !(RealOBS.isListening(ports.rtmp) && RealOBS.isListening(ports.http)) && process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard RealOBS.isListening(ports.rtmp), RealOBS.isListening(ports.http) else {
            await ingest.stop()
            throw ServiceProcessError("nginx-rtmp did not listen on \(ports.rtmp)/\(ports.http):\n\(ingest.errorLog())")
        }
        return ingest
    }

    private init(rtmpPort: Int, httpPort: Int, directory: URL, process: Process) {
        self.rtmpPort = rtmpPort
        self.httpPort = httpPort
        self.directory = directory
        self.process = process
    }

    public func url(app: String = "live", _ stream: String) -> String { "rtmp://127.0.0.1:\(rtmpPort)/\(app)/\(stream)" }

    /// nginx's own log, for a failing test's report.
    public func errorLog() -> String {
        ["startup.log", "error.log"].compactMap { try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n").suffix(4000).description
    }

    public func stop() async {
        await stopProcess(process)
    }
}

extension ColourPublisher {
    /// False once ffmpeg has exited: the ingest refused or dropped it.
    public var isRunning: Bool { process.isRunning }

    /// Freezes the encoder (SIGSTOP), as a hung encoder or a dead uplink looks to the ingest:
    /// the TCP connection stays open and nothing more arrives on it.
    public func pause() {
        kill(process.processIdentifier, SIGSTOP)
    }

    /// Lets a paused encoder go on (SIGCONT); with `-re` it sends what it missed, then keeps time.
    /// Call it before `stop()`: a stopped ffmpeg only dies when `stop()` falls back to SIGKILL.
    public func resume() {
        kill(process.processIdentifier, SIGCONT)
    }
}
