import Foundation

/// Debian's nginx with libnginx-mod-rtmp as a local RTMP server for the real-OBS test.
public final class NginxRTMP: @unchecked Sendable {
    public let port: Int
    private let process: Process

    public static func start() async throws -> NginxRTMP {
        let module = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx"), FileManager.default.fileExists(atPath: module) else {
            throw ServiceProcessError("nginx with libnginx-mod-rtmp is needed for the real-OBS test (make test installs it)")
        }
        let directory = try temporaryDirectory("nginx")
        let port = try freePort()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let config = """
            load_module \(module);
            daemon off;
            master_process off;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/logs/error.log warn;
            events { worker_connections 256; }
            rtmp { server { listen 127.0.0.1:\(port); chunk_size 4096; application live { live on; } } }
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
            "-c:a", "aac", "-b:a", "64k", "-f", "flv", url,
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
