import Foundation
import TalyTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("taly serve, as a user runs it", .serialized)
struct ServeCommandTests {
    @Test("starts on the embedded default, creates the data directory and answers /healthz and /readyz")
    func servesAndStopsOnSIGTERM() async throws {
        let dir = try TemporaryDirectory()
        let data = dir.path("data")
        let server = TalyProcess(["serve", "--port", "0", "--data-dir", data])
        try server.start()
        let port = try server.waitForPort()

        let health = try await httpGet("http://127.0.0.1:\(port)/healthz")
        #expect(health.status == 200)
        let ready = try await httpGet("http://127.0.0.1:\(port)/readyz")
        #expect(ready.status == 200)
        #expect(FileManager.default.fileExists(atPath: data + "/taly.sqlite"))

        server.signal(SIGTERM)
        #expect(server.waitForExit() == 0, "a graceful shutdown exits 0; stderr: \(server.stderr)")
        #expect(server.stderr.contains("stopped"))
    }

    @Test("SIGINT stops the server gracefully too")
    func stopsOnSIGINT() throws {
        let dir = try TemporaryDirectory()
        let server = TalyProcess(["serve", "--port", "0", "--data-dir", dir.path("data")])
        try server.start()
        _ = try server.waitForPort()
        server.signal(SIGINT)
        #expect(server.waitForExit() == 0)
    }

    @Test("TALY_PORT and TALY_DATA_DIR are read when no flag is given")
    func environment() async throws {
        let dir = try TemporaryDirectory()
        let data = dir.path("env-data")
        let server = TalyProcess(["serve"], environment: ["TALY_PORT": "0", "TALY_DATA_DIR": data])
        try server.start()
        let port = try server.waitForPort()
        #expect(try await httpGet("http://127.0.0.1:\(port)/healthz").status == 200)
        #expect(FileManager.default.fileExists(atPath: data + "/taly.sqlite"))
        server.signal(SIGTERM)
        server.waitForExit()
    }

    @Test("a port already in use is one line naming the address, and exit status 1")
    func portInUse() throws {
        let dir = try TemporaryDirectory()
        let first = TalyProcess(["serve", "--port", "0", "--data-dir", dir.path("a")])
        try first.start()
        let port = try first.waitForPort()

        let second = try TalyProcess.run(["serve", "--port", String(port), "--data-dir", dir.path("b")])
        #expect(second.status == 1)
        let errorLines = second.stderr.split(separator: "\n").filter { $0.hasPrefix("taly: error:") }
        #expect(errorLines == ["taly: error: cannot listen on 127.0.0.1:\(port): Address already in use"])
        #expect(!second.stderr.contains("Fatal error"))
        first.signal(SIGTERM)
        first.waitForExit()
    }

    @Test("an unusable data directory is one line naming it, and exit status 1")
    func unusableDataDirectory() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("file")
        try Data().write(to: URL(fileURLWithPath: file))
        let result = try TalyProcess.run(["serve", "--port", "0", "--data-dir", file + "/data"])
        #expect(result.status == 1)
        #expect(result.stderr == "taly: error: cannot create data directory \(file)/data: Not a directory\n")
    }

    @Test("a bad environment value is one line naming the variable")
    func badEnvironment() throws {
        let result = try TalyProcess.run(["serve"], environment: ["TALY_PORT": "http"])
        #expect(result.status == 1)
        #expect(result.stderr == "taly: error: TALY_PORT is \"http\", expected a port number 0-65535\n")
    }

    @Test("--help documents every flag, environment variable and the precedence")
    func help() throws {
        let result = try TalyProcess.run(["serve", "--help"])
        #expect(result.status == 0)
        for word in ["--host", "--port", "--data-dir", "--config", "--log-level", "--log-format"]
            + ["TALY_HOST", "TALY_PORT", "TALY_DATA_DIR", "TALY_LOG_LEVEL", "TALY_LOG_FORMAT", "TALY_CONFIG"]
        {
            #expect(result.stdout.contains(word), "help lacks \(word)")
        }
    }
}
