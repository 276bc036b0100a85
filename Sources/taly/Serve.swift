import ArgumentParser
import Foundation
import Logging
import TalyAPI

/// `taly serve`: reads the configuration once and hands over to ``TalyServer``.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the HTTP server.",
        discussion: """
            Each setting comes from the first source that sets it: a flag, then a TALY_* \
            environment variable (TALY_HOST, TALY_PORT, TALY_DATA_DIR, TALY_LOG_LEVEL, \
            TALY_LOG_FORMAT), then the JSON config file named by --config or TALY_CONFIG \
            (keys host, port, data_dir, log_level, log_format), then the defaults \
            (127.0.0.1, 8080, ./data, info, text). The data directory holds the SQLite \
            database (taly.sqlite) and is created on first start. SIGTERM or SIGINT stops \
            the server gracefully. The worker role (index sync, scheduled publishing, outbox \
            pruning) runs in the same process unless --no-worker or TALY_WORKER=off: then run \
            `taly worker` apart. With --demo (what `make run` passes), a first start on a data \
            directory without tenants loads the demo tenant from --demo-fixtures and prints its \
            login once; later starts only say it exists. Without --demo nothing is loaded.
            """
    )

    @Option(help: "Address to bind (default 127.0.0.1).")
    var host: String?

    @Option(help: "TCP port to bind (default 8080; 0 picks a free port).")
    var port: Int?

    @OptionGroup var data: DataDirectoryOption

    @Option(help: "A JSON config file.")
    var config: String?

    @Option(help: "Lowest log level: trace, debug, info, notice, warning, error, critical (default info).")
    var logLevel: String?

    @Option(help: "Log line format: text or json (default text).")
    var logFormat: String?

    @Flag(inversion: .prefixedNo, help: "Run the worker role in this process (default; TALY_WORKER=off disables).")
    var worker: Bool?

    @OptionGroup var workerSettings: WorkerSettings

    @Flag(help: "Load the demo tenant on a first start (no tenant yet) and print its login once.")
    var demo = false

    @Option(help: "Directory of the demo fixtures (default fixtures/demo, relative to the working directory).")
    var demoFixtures = "fixtures/demo"

    func run() async throws {
        let configuration: TalyConfiguration
        do {
            let flags = try ConfigurationLayer(
                host: host,
                port: port,
                dataDirectory: data.dataDir,
                logLevel: try parseLogLevel(logLevel),
                logFormat: try parseLogFormat(logFormat)
            )
            configuration = try TalyConfiguration.resolve(
                flags: flags,
                configFile: config,
                environment: ProcessInfo.processInfo.environment
            )
        } catch {
            fail(error.description)
        }
        let runsWorker = worker ?? Self.workerFromEnvironment()
        let workerOptions = runsWorker ? workerSettings.options() : nil
        TalyLogHandler.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
        do {
            try await TalyServer.run(
                configuration: configuration, logger: Logger(label: "taly"), worker: workerOptions,
                demo: demo ? DemoStartup(fixturesDirectory: demoFixtures, announce: announceDemo) : nil)
        } catch {
            fail(error.description)
        }
    }
}

extension Serve {
    /// `TALY_WORKER`: `off`, `false`, `0` or `no` leave the worker role to `taly worker`.
    static func workerFromEnvironment() -> Bool {
        guard let value = ProcessInfo.processInfo.environment["TALY_WORKER"]?.lowercased() else { return true }
        switch value {
        case "off", "false", "0", "no": return false
        case "on", "true", "1", "yes", "": return true
        default: fail("TALY_WORKER must be on or off, not \"\(value)\"")
        }
    }
}

/// `--data-dir`, shared by every command that touches data so they all agree on one place.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory of the database and indexes (default ./data).")
    var dataDir: String?
}

/// Prints `taly: error: <message>` on one line and exits with status 1: a user error, not a crash.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("taly: error: \(message)\n".utf8))
    exit(1)
}
