import Foundation

/// A real OBS Studio (Debian's obs-studio, obs-websocket 5.1), headless under Xvfb with a
/// generated profile (640×360 @ 15 fps) and scene collection: MOTHERSTREAM with a TIMER text
/// overlay, and BRB showing a yellow card. Fails loudly when OBS cannot start here.
public final class RealOBS: @unchecked Sendable {
    public let port: Int
    public let password = "obs-test-password"
    public let directory: URL
    private var xvfb: Process?
    private var obs: Process?

    public var pid: Int32? { obs?.processIdentifier }
    public var logFile: URL { directory.appendingPathComponent("obs.log") }

    public static func start() async throws -> RealOBS {
        for binary in ["/usr/bin/obs", "/usr/bin/Xvfb"] where !FileManager.default.isExecutableFile(atPath: binary) {
            throw ServiceProcessError("\(binary) is missing: the real-OBS test needs obs-studio and xvfb (make test installs them)")
        }
        let obs = RealOBS(port: try freePort(), directory: try temporaryDirectory("obs"))
        try await obs.launch()
        return obs
    }

    private init(port: Int, directory: URL) {
        self.port = port
        self.directory = directory
    }

    private func launch() async throws {
        let home = directory.appendingPathComponent("home")
        let config = home.appendingPathComponent(".config/obs-studio")
        let runtime = directory.appendingPathComponent("run")
        for folder in ["basic/profiles/Motherstream", "basic/scenes"] {
            try FileManager.default.createDirectory(at: config.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Self.globalINI(port: port, password: password).write(to: config.appendingPathComponent("global.ini"), atomically: true, encoding: .utf8)
        try Self.profileINI.write(to: config.appendingPathComponent("basic/profiles/Motherstream/basic.ini"), atomically: true, encoding: .utf8)
        try Self.sceneCollection.write(to: config.appendingPathComponent("basic/scenes/Motherstream.json"), atomically: true, encoding: .utf8)

        let displayFile = directory.appendingPathComponent("display")
        let xvfb = Process()
        xvfb.executableURL = URL(fileURLWithPath: "/bin/sh")
        xvfb.arguments = ["-c", "exec Xvfb -displayfd 5 -screen 0 1280x720x24 -nolisten tcp -noreset 5>'\(displayFile.path)'"]
        xvfb.standardOutput = FileHandle.nullDevice
        xvfb.standardError = FileHandle.nullDevice
        try xvfb.run()
        self.xvfb = xvfb
        var display = ""
        for _ in 0..<100 {
            display = (try? String(contentsOf: displayFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if !display.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard !display.isEmpty else { throw ServiceProcessError("Xvfb did not start") }

        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let obs = Process()
        obs.executableURL = URL(fileURLWithPath: "/usr/bin/obs")
        obs.arguments = ["--multi", "--disable-missing-files-check", "--collection", "Motherstream", "--profile", "Motherstream", "--scene", "BRB"]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["DISPLAY"] = ":\(display)"
        environment["LIBGL_ALWAYS_SOFTWARE"] = "1"
        environment["XDG_RUNTIME_DIR"] = runtime.path
        obs.environment = environment
        let log = try FileHandle(forWritingTo: logFile)
        obs.standardOutput = log
        obs.standardError = log
        obs.currentDirectoryURL = directory
        try obs.run()
        self.obs = obs
        for _ in 0..<200 {
            if Self.isListening(port) { return }
            if !obs.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        await stop()
        let tail = (try? String(contentsOf: logFile, encoding: .utf8))?.suffix(3000) ?? ""
        throw ServiceProcessError("OBS did not open its websocket on port \(port) within 20 s — it cannot start on this machine. OBS log:\n\(tail)")
    }

    public func stop() async {
        for process in [obs, xvfb].compactMap({ $0 }) where process.isRunning {
            process.terminate()
            for _ in 0..<150 where process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    /// CPU seconds (user + system) OBS has used so far.
    public func cpuSeconds() -> Double? {
        guard let pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func globalINI(port: Int, password: String) -> String {
        """
        [General]
        Pre19Defaults=false
        Pre21Defaults=false
        Pre23Defaults=false
        Pre24.1Defaults=false
        FirstRun=true
        LastVersion=486539266
        EnableAutoUpdates=false
        ConfirmOnExit=false
        MaxLogs=3

        [Basic]
        Profile=Motherstream
        ProfileDir=Motherstream
        SceneCollection=Motherstream
        SceneCollectionFile=Motherstream
        ConfigOnNewProfile=false

        [BasicWindow]
        PreviewEnabled=false
        SysTrayEnabled=false

        [OBSWebSocket]
        FirstLoad=false
        ServerEnabled=true
        ServerPort=\(port)
        AlertsEnabled=false
        AuthRequired=true
        ServerPassword=\(password)

        """
    }

    static let profileINI = """
        [General]
        Name=Motherstream

        [Video]
        BaseCX=640
        BaseCY=360
        OutputCX=640
        OutputCY=360
        FPSType=1
        FPSInt=15
        ScaleType=bicubic
        ColorFormat=NV12
        ColorSpace=709
        ColorRange=Partial

        [Audio]
        SampleRate=48000
        ChannelSetup=Stereo

        [Output]
        Mode=Simple

        """

    static let sceneCollection = #"""
        {"name":"Motherstream","current_scene":"BRB","current_program_scene":"BRB",
         "scene_order":[{"name":"MOTHERSTREAM"},{"name":"BRB"}],
         "sources":[
          {"id":"scene","versioned_id":"scene","name":"MOTHERSTREAM","enabled":true,"settings":{"custom_size":false,"id_counter":1,"items":[
             {"name":"TIMER","id":1,"visible":true,"locked":false,"pos":{"x":8.0,"y":8.0},"rot":0.0,"scale":{"x":1.0,"y":1.0},"align":5,"bounds_type":0,"bounds_align":0,"bounds":{"x":0.0,"y":0.0},"crop_left":0,"crop_top":0,"crop_right":0,"crop_bottom":0,"scale_filter":"disable","blend_method":"default","blend_type":"normal","private_settings":{}}]}},
          {"id":"scene","versioned_id":"scene","name":"BRB","enabled":true,"settings":{"custom_size":false,"id_counter":1,"items":[
             {"name":"BRB CARD","id":1,"visible":true,"locked":false,"pos":{"x":0.0,"y":0.0},"rot":0.0,"scale":{"x":1.0,"y":1.0},"align":5,"bounds_type":0,"bounds_align":0,"bounds":{"x":0.0,"y":0.0},"crop_left":0,"crop_top":0,"crop_right":0,"crop_bottom":0,"scale_filter":"disable","blend_method":"default","blend_type":"normal","private_settings":{}}]}},
          {"id":"color_source","versioned_id":"color_source_v3","name":"BRB CARD","enabled":true,"settings":{"color":4278255615,"width":640,"height":360}},
          {"id":"text_ft2_source","versioned_id":"text_ft2_source_v2","name":"TIMER","enabled":true,"settings":{"text":"00:00","font":{"face":"DejaVu Sans Mono","size":16,"style":"Book","flags":0},"color1":4294967295,"color2":4294967295}}
         ],
         "groups":[],"quick_transitions":[],"transitions":[],"current_transition":"Cut","transition_duration":300,"preview_locked":false,"scaling_enabled":false,"modules":{}}
        """#
}
