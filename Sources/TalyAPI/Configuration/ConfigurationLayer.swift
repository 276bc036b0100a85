import Foundation
import Logging

/// The values one configuration source sets; `nil` means "not set here, ask the next source".
public struct ConfigurationLayer: Sendable, Equatable {
    /// See ``TalyConfiguration/host``.
    public var host: String?
    /// See ``TalyConfiguration/port``.
    public var port: Int?
    /// See ``TalyConfiguration/dataDirectory``.
    public var dataDirectory: String?
    /// See ``TalyConfiguration/logLevel``.
    public var logLevel: Logger.Level?
    /// See ``TalyConfiguration/logFormat``.
    public var logFormat: LogFormat?
    /// See ``GatewaySettings/maxBodyBytes``.
    public var maxBodyBytes: Int?
    /// See ``GatewaySettings/maxIngestBodyBytes``.
    public var maxIngestBodyBytes: Int?
    /// See ``GatewaySettings/corsAllowedOrigins``.
    public var corsAllowedOrigins: [String]?
    /// See ``GatewaySettings/trustForwardedFor``.
    public var trustForwardedFor: Bool?
    /// See ``GatewaySettings/sessionIdleTimeout``.
    public var sessionIdleSeconds: Int?
    /// See ``GatewaySettings/sessionAbsoluteTimeout``.
    public var sessionAbsoluteSeconds: Int?
    /// See ``GatewaySettings/loginFailuresPerAccountPerHour``.
    public var loginFailuresPerAccount: Int?
    /// See ``GatewaySettings/loginFailuresPerAddressPerHour``.
    public var loginFailuresPerAddress: Int?
    /// See ``GatewaySettings/rateLimitPerCredential``.
    public var rateLimitPerCredential: RateLimit?
    /// See ``GatewaySettings/rateLimitPerAddress``.
    public var rateLimitPerAddress: RateLimit?
    /// See ``GatewaySettings/requestTimeout``.
    public var requestTimeoutSeconds: Int?
    /// See ``GatewaySettings/ingestTimeout``.
    public var ingestTimeoutSeconds: Int?

    /// A layer that sets nothing.
    public init() {}

    /// A layer from already-typed values (command-line flags).
    public init(
        host: String? = nil,
        port: Int? = nil,
        dataDirectory: String? = nil,
        logLevel: Logger.Level? = nil,
        logFormat: LogFormat? = nil
    ) throws(ConfigurationError) {
        if let port { try Self.checkPort(port, source: "--port") }
        if let host, host.isEmpty {
            throw .invalidValue(source: "--host", value: host, expected: "a host name or address")
        }
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    /// The environment variables every key reads, in the order the help text lists them.
    public static let environmentKeys = [
        "TALY_HOST", "TALY_PORT", "TALY_DATA_DIR", "TALY_LOG_LEVEL", "TALY_LOG_FORMAT",
        "TALY_MAX_BODY_BYTES", "TALY_CORS_ORIGINS", "TALY_TRUST_FORWARDED_FOR", "TALY_SESSION_IDLE_SECONDS",
        "TALY_SESSION_ABSOLUTE_SECONDS", "TALY_LOGIN_FAILURES_PER_ACCOUNT", "TALY_LOGIN_FAILURES_PER_ADDRESS",
        "TALY_RATE_LIMIT_CREDENTIAL", "TALY_RATE_LIMIT_ADDRESS", "TALY_MAX_INGEST_BODY_BYTES",
        "TALY_REQUEST_TIMEOUT_SECONDS", "TALY_INGEST_TIMEOUT_SECONDS",
    ]

    /// The layer the `TALY_*` environment variables set.
    public init(environment: [String: String]) throws(ConfigurationError) {
        try self.init(
            strings: environment.filter { $0.key.hasPrefix("TALY_") }, naming: { $0 }, keys: Self.environmentMap)
    }

    /// The layer a JSON config file sets: `{"host": ..., "port": 8080, "data_dir": ..., "log_level": ...,
    /// "log_format": ..., "max_body_bytes": 1048576, "cors_origins": "https://a.example,https://b.example",
    /// "trust_forwarded_for": true, "rate_limit_address": "100/20", ...}` (the environment keys, lowercased,
    /// without `TALY_`). A rate limit is `burst/per-second`; `0/0` turns it off.
    public init(jsonFile path: String) throws(ConfigurationError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .malformedFile(path: path, reason: "not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw .malformedFile(path: path, reason: "the top level must be a JSON object")
        }
        var strings: [String: String] = [:]
        for (key, value) in dictionary {
            guard Self.fileMap[key] != nil else {
                let known = Self.fileMap.keys.sorted().joined(separator: ", ")
                throw .malformedFile(path: path, reason: "unknown key \"\(key)\" (known keys: \(known))")
            }
            switch value {
            case let string as String: strings[key] = string
            case let flag as Bool where key == "trust_forwarded_for": strings[key] = flag ? "true" : "false"
            case let number as NSNumber where Self.numericFileKeys.contains(key): strings[key] = number.stringValue
            default: throw .malformedFile(path: path, reason: "\"\(key)\" has the wrong type")
            }
        }
        try self.init(strings: strings, naming: { "\"\($0)\" in \(path)" }, keys: Self.fileMap)
    }

    private enum Key {
        case host, port, dataDirectory, logLevel, logFormat
        case maxBodyBytes, corsOrigins, trustForwardedFor, sessionIdleSeconds, sessionAbsoluteSeconds
        case loginFailuresPerAccount, loginFailuresPerAddress, rateLimitCredential, rateLimitAddress
        case maxIngestBodyBytes, requestTimeoutSeconds, ingestTimeoutSeconds
    }

    private static let environmentMap: [String: Key] = [
        "TALY_HOST": .host, "TALY_PORT": .port, "TALY_DATA_DIR": .dataDirectory,
        "TALY_LOG_LEVEL": .logLevel, "TALY_LOG_FORMAT": .logFormat,
        "TALY_MAX_BODY_BYTES": .maxBodyBytes, "TALY_CORS_ORIGINS": .corsOrigins,
        "TALY_TRUST_FORWARDED_FOR": .trustForwardedFor, "TALY_SESSION_IDLE_SECONDS": .sessionIdleSeconds,
        "TALY_SESSION_ABSOLUTE_SECONDS": .sessionAbsoluteSeconds,
        "TALY_LOGIN_FAILURES_PER_ACCOUNT": .loginFailuresPerAccount,
        "TALY_LOGIN_FAILURES_PER_ADDRESS": .loginFailuresPerAddress,
        "TALY_RATE_LIMIT_CREDENTIAL": .rateLimitCredential, "TALY_RATE_LIMIT_ADDRESS": .rateLimitAddress,
        "TALY_MAX_INGEST_BODY_BYTES": .maxIngestBodyBytes,
        "TALY_REQUEST_TIMEOUT_SECONDS": .requestTimeoutSeconds, "TALY_INGEST_TIMEOUT_SECONDS": .ingestTimeoutSeconds,
    ]
    private static let numericFileKeys: Set<String> = [
        "port", "max_body_bytes", "max_ingest_body_bytes", "session_idle_seconds", "session_absolute_seconds",
        "login_failures_per_account", "login_failures_per_address", "request_timeout_seconds",
        "ingest_timeout_seconds",
    ]
    private static let fileMap: [String: Key] = Dictionary(
        uniqueKeysWithValues: environmentMap.map { (String($0.key.dropFirst("TALY_".count)).lowercased(), $0.value) })

    private init(
        strings: [String: String],
        naming: (String) -> String,
        keys: [String: Key]
    ) throws(ConfigurationError) {
        for (name, value) in strings {
            guard let key = keys[name] else { continue }
            let source = naming(name)
            switch key {
            case .host:
                guard !value.isEmpty else {
                    throw .invalidValue(source: source, value: value, expected: "a host name or address")
                }
                host = value
            case .port:
                guard let port = Int(value) else {
                    throw .invalidValue(source: source, value: value, expected: "a port number 0-65535")
                }
                try Self.checkPort(port, source: source)
                self.port = port
            case .dataDirectory:
                guard !value.isEmpty else {
                    throw .invalidValue(source: source, value: value, expected: "a directory path")
                }
                dataDirectory = value
            case .logLevel:
                guard let level = Logger.Level(rawValue: value.lowercased()) else {
                    let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                    throw .invalidValue(source: source, value: value, expected: "one of \(levels)")
                }
                logLevel = level
            case .logFormat:
                guard let format = LogFormat(rawValue: value.lowercased()) else {
                    throw .invalidValue(source: source, value: value, expected: "text or json")
                }
                logFormat = format
            case .maxBodyBytes: maxBodyBytes = try Self.positive(value, source: source)
            case .maxIngestBodyBytes: maxIngestBodyBytes = try Self.positive(value, source: source)
            case .corsOrigins:
                corsAllowedOrigins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            case .trustForwardedFor:
                switch value.lowercased() {
                case "true", "1", "yes": trustForwardedFor = true
                case "false", "0", "no": trustForwardedFor = false
                default: throw .invalidValue(source: source, value: value, expected: "true or false")
                }
            case .sessionIdleSeconds: sessionIdleSeconds = try Self.positive(value, source: source)
            case .sessionAbsoluteSeconds: sessionAbsoluteSeconds = try Self.positive(value, source: source)
            case .loginFailuresPerAccount: loginFailuresPerAccount = try Self.positive(value, source: source)
            case .loginFailuresPerAddress: loginFailuresPerAddress = try Self.positive(value, source: source)
            case .rateLimitCredential: rateLimitPerCredential = try Self.rateLimit(value, source: source)
            case .rateLimitAddress: rateLimitPerAddress = try Self.rateLimit(value, source: source)
            case .requestTimeoutSeconds: requestTimeoutSeconds = try Self.positive(value, source: source)
            case .ingestTimeoutSeconds: ingestTimeoutSeconds = try Self.positive(value, source: source)
            }
        }
    }

    private static func positive(_ value: String, source: String) throws(ConfigurationError) -> Int {
        guard let number = Int(value), number > 0 else {
            throw .invalidValue(source: source, value: value, expected: "a positive integer")
        }
        return number
    }

    /// `burst/per-second`, e.g. `100/20`; `0/0` turns the limit off.
    private static func rateLimit(_ value: String, source: String) throws(ConfigurationError) -> RateLimit {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let burst = Int(parts[0]), burst >= 0, let rate = Double(parts[1]), rate >= 0,
            rate.isFinite, (burst == 0) == (rate == 0)
        else {
            throw .invalidValue(
                source: source, value: value, expected: "burst/per-second such as 100/20, or 0/0 for none")
        }
        return RateLimit(burst: burst, perSecond: rate)
    }

    private static func checkPort(_ port: Int, source: String) throws(ConfigurationError) {
        guard (0...65535).contains(port) else {
            throw .invalidValue(source: source, value: String(port), expected: "a port number 0-65535")
        }
    }
}

/// A configuration source that could not be read or holds a bad value.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The config file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The config file is not the expected JSON object.
    case malformedFile(path: String, reason: String)
    /// A flag, variable or file key holds a value of the wrong form.
    case invalidValue(source: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason): "cannot read config file \(path): \(reason)"
        case .malformedFile(let path, let reason): "config file \(path) is malformed: \(reason)"
        case .invalidValue(let source, let value, let expected): "\(source) is \"\(value)\", expected \(expected)"
        }
    }
}
