import ArgumentParser
import Foundation
import Logging
import TalyAPI
import TalyIngest
import TalyStore

/// `taly worker`: the worker role alone, for deployments that split it from `taly serve`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract:
            "Keep every tenant's search indexes in sync with the store, publish scheduled items, prune the outbox.",
        discussion: """
            The same role `taly serve` runs beside the HTTP server (unless --no-worker). The data \
            directory, log level and format come from flags, TALY_* variables or --config as for \
            serve. SIGTERM or SIGINT stops it between batches; SIGKILL loses nothing either (a \
            batch is acknowledged only after its index commit).
            """
    )

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var settings: WorkerSettings

    @Option(help: "A JSON config file.")
    var config: String?

    @Option(help: "Lowest log level: trace, debug, info, notice, warning, error, critical (default info).")
    var logLevel: String?

    @Option(help: "Log line format: text or json (default text).")
    var logFormat: String?

    func run() async throws {
        let configuration = orFail { () throws(ConfigurationError) in
            try TalyConfiguration.resolve(
                flags: try ConfigurationLayer(
                    dataDirectory: data.dataDir, logLevel: try parseLogLevel(logLevel),
                    logFormat: try parseLogFormat(logFormat)),
                configFile: config, environment: ProcessInfo.processInfo.environment)
        }
        let options = settings.options()
        TalyLogHandler.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
        do {
            try await TalyServer.runWorker(
                configuration: configuration, options: options, logger: Logger(label: "taly"))
        } catch {
            fail(error.description)
        }
    }
}

/// The worker role's flags, shared by `taly worker` and `taly serve`.
struct WorkerSettings: ParsableArguments {
    @Option(help: "Delete outbox events older than this: a number with s, m, h or d (default 7d).")
    var outboxRetention: String?

    @Option(help: "How often old outbox events are deleted (default 10m).")
    var pruneEvery: String?

    @Option(help: "How often due scheduled items are published (default 1s).")
    var publishEvery: String?

    @Option(help: "The most outbox events applied in one index commit (default 2000).")
    var syncBatchSize: Int?

    /// The role's options, or a one-line failure naming the bad flag.
    func options() -> BackgroundWorker.Options {
        var options = BackgroundWorker.Options()
        if let outboxRetention { options.outboxRetention = seconds(outboxRetention, flag: "--outbox-retention") }
        if let pruneEvery {
            options.pruneInterval = .milliseconds(Int64(seconds(pruneEvery, flag: "--prune-every") * 1000))
        }
        if let publishEvery {
            options.publishInterval = .milliseconds(Int64(seconds(publishEvery, flag: "--publish-every") * 1000))
        }
        if let syncBatchSize {
            guard syncBatchSize >= 1 else { fail("--sync-batch-size must be at least 1, not \(syncBatchSize)") }
            options.sync.batchSize = syncBatchSize
        }
        return options
    }

    /// `90s`, `15m`, `12h`, `7d` (or bare seconds) as seconds; anything else fails naming `flag`.
    private func seconds(_ text: String, flag: String) -> TimeInterval {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var number = Substring(text)
        var unit: TimeInterval = 1
        if let last = text.last, let scale = units[last] {
            number = text.dropLast()
            unit = scale
        }
        guard let value = Double(number), value.isFinite, value > 0, value * unit <= 3650 * 86_400 else {
            fail("\(flag) must be a positive duration such as 90s, 15m, 12h or 7d, not \"\(text)\"")
        }
        return value * unit
    }
}

/// `--log-level`'s value, checked.
func parseLogLevel(_ value: String?) throws(ConfigurationError) -> Logger.Level? {
    try value.map { value throws(ConfigurationError) in
        guard let level = Logger.Level(rawValue: value.lowercased()) else {
            throw .invalidValue(source: "--log-level", value: value, expected: "a log level")
        }
        return level
    }
}

/// `--log-format`'s value, checked.
func parseLogFormat(_ value: String?) throws(ConfigurationError) -> LogFormat? {
    try value.map { value throws(ConfigurationError) in
        guard let format = LogFormat(rawValue: value.lowercased()) else {
            throw .invalidValue(source: "--log-format", value: value, expected: "text or json")
        }
        return format
    }
}
