import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `taly` binary run as a child process, with its standard error and output captured.
final class TalyProcess: @unchecked Sendable {
    /// The `taly` executable SwiftPM built next to the test bundle.
    static let executable: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("taly")

    let process = Process()
    private let stderrPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let lock = NSLock()
    private var stderrText = ""
    private var stdoutText = ""

    init(_ arguments: [String], environment: [String: String] = [:]) {
        process.executableURL = Self.executable
        process.arguments = arguments
        // A clean environment, so the developer's own TALY_* variables cannot change a test.
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TALY_") }
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardError = stderrPipe
        process.standardOutput = stdoutPipe
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.stderrText += String(decoding: data, as: UTF8.self) }
        }
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.stdoutText += String(decoding: data, as: UTF8.self) }
        }
    }

    func start() throws { try process.run() }

    /// Everything written to standard error so far.
    var stderr: String { lock.withLock { stderrText } }

    /// Everything written to standard output so far.
    var stdout: String { lock.withLock { stdoutText } }

    /// Runs to completion and returns the exit status and the captured output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let child = TalyProcess(arguments, environment: environment)
        try child.start()
        // No time limit: a long command on a loaded machine is slow, not stuck.
        child.process.waitUntilExit()
        let status = child.waitForExit()
        return (status, child.stdout, child.stderr)
    }

    /// Waits until standard error (or output) contains a line with `fragment` and returns that line.
    func waitForLine(containing fragment: String, onStandardOutput: Bool = false, timeout: TimeInterval = 60) throws
        -> String
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = onStandardOutput ? stdout : stderr
            if let line = text.split(separator: "\n").first(where: { $0.contains(fragment) }) { return String(line) }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw ProcessTimeout(waitingFor: fragment, stderr: stderr)
    }

    /// The port from the server's `serving url=http://host:port` line.
    func waitForPort() throws -> Int {
        let line = try waitForLine(containing: "serving")
        guard let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw ProcessTimeout(waitingFor: "a port in \(line)", stderr: stderr)
        }
        return port
    }

    /// Waits for the process to exit (killing it after `timeout`) and returns its status.
    @discardableResult
    func waitForExit(timeout: TimeInterval = 30) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        // Drain what the readers have not picked up yet.
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
        let rest = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        let restOut = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        lock.withLock {
            stderrText += String(decoding: rest, as: UTF8.self)
            stdoutText += String(decoding: restOut, as: UTF8.self)
        }
        return process.terminationStatus
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// The child did not print what a test waited for.
struct ProcessTimeout: Error, CustomStringConvertible {
    let waitingFor: String
    let stderr: String
    var description: String { "timed out waiting for \"\(waitingFor)\"; stderr so far:\n\(stderr)" }
}

/// One GET over loopback through URLSession (FoundationNetworking on Linux).
func httpGet(_ url: String) async throws -> (status: Int, body: String) {
    let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
    return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
}
