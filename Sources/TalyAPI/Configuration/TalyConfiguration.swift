import Foundation
import Logging

/// Everything `taly serve` needs, read once at start-up; handlers never look at flags or the
/// environment themselves.
public struct TalyConfiguration: Sendable, Equatable {
    /// The address the HTTP server binds.
    public var host: String
    /// The TCP port the HTTP server binds.
    public var port: Int
    /// The directory holding the SQLite database and the index directories.
    public var dataDirectory: String
    /// The lowest log level written.
    public var logLevel: Logger.Level
    /// How log lines are written.
    public var logFormat: LogFormat
    /// The HTTP gateway's limits: body size, CORS, sessions, login throttling, rate limits.
    public var gateway: GatewaySettings = .defaults

    /// The embedded default: loopback, port 8080, `./data`.
    public static let defaults = TalyConfiguration(
        host: "127.0.0.1",
        port: 8080,
        dataDirectory: "./data",
        logLevel: .info,
        logFormat: .text
    )

    /// A configuration with every value given.
    public init(host: String, port: Int, dataDirectory: String, logLevel: Logger.Level, logFormat: LogFormat) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    /// The path of the SQLite database inside the data directory.
    public var databasePath: String { dataDirectory + "/taly.sqlite" }

    /// Resolves the configuration from its sources; each value comes from the first source that
    /// sets it: command-line flags, then `TALY_*` environment variables, then the config file
    /// (`--config` or `TALY_CONFIG`), then the defaults.
    public static func resolve(
        flags: ConfigurationLayer,
        configFile flagConfigFile: String?,
        environment: [String: String]
    ) throws(ConfigurationError) -> TalyConfiguration {
        let env = try ConfigurationLayer(environment: environment)
        let filePath = flagConfigFile ?? environment["TALY_CONFIG"]
        let file = try filePath.map { path throws(ConfigurationError) in try ConfigurationLayer(jsonFile: path) }
        let layers = [flags, env, file ?? ConfigurationLayer()]

        func first<T>(_ value: (ConfigurationLayer) -> T?) -> T? {
            for layer in layers {
                if let found = value(layer) { return found }
            }
            return nil
        }
        let defaults = TalyConfiguration.defaults
        var configuration = TalyConfiguration(
            host: first(\.host) ?? defaults.host,
            port: first(\.port) ?? defaults.port,
            dataDirectory: first(\.dataDirectory) ?? defaults.dataDirectory,
            logLevel: first(\.logLevel) ?? defaults.logLevel,
            logFormat: first(\.logFormat) ?? defaults.logFormat
        )
        let gateway = GatewaySettings.defaults
        configuration.gateway = GatewaySettings(
            maxBodyBytes: first(\.maxBodyBytes) ?? gateway.maxBodyBytes,
            corsAllowedOrigins: first(\.corsAllowedOrigins) ?? gateway.corsAllowedOrigins,
            trustForwardedFor: first(\.trustForwardedFor) ?? gateway.trustForwardedFor,
            sessionIdleTimeout: first(\.sessionIdleSeconds).map(TimeInterval.init) ?? gateway.sessionIdleTimeout,
            sessionAbsoluteTimeout: first(\.sessionAbsoluteSeconds).map(TimeInterval.init)
                ?? gateway.sessionAbsoluteTimeout,
            loginFailuresPerAccountPerHour: first(\.loginFailuresPerAccount) ?? gateway.loginFailuresPerAccountPerHour,
            loginFailuresPerAddressPerHour: first(\.loginFailuresPerAddress) ?? gateway.loginFailuresPerAddressPerHour,
            rateLimitPerCredential: first(\.rateLimitPerCredential) ?? gateway.rateLimitPerCredential,
            rateLimitPerAddress: first(\.rateLimitPerAddress) ?? gateway.rateLimitPerAddress,
            maxIngestBodyBytes: first(\.maxIngestBodyBytes) ?? gateway.maxIngestBodyBytes,
            requestTimeout: first(\.requestTimeoutSeconds).map { .seconds($0) } ?? gateway.requestTimeout,
            ingestTimeout: first(\.ingestTimeoutSeconds).map { .seconds($0) } ?? gateway.ingestTimeout)
        guard configuration.gateway.sessionAbsoluteTimeout >= configuration.gateway.sessionIdleTimeout else {
            throw .invalidValue(
                source: "session_absolute_seconds", value: String(Int(configuration.gateway.sessionAbsoluteTimeout)),
                expected: "at least the session idle timeout")
        }
        return configuration
    }
}

/// The shape of log lines.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-11-29T19:00:00Z info taly: message key=value` for people at a terminal.
    case text
    /// One JSON object per line for log collectors.
    case json
}
