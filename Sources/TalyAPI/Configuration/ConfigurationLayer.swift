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
    ]

    /// The layer the `TALY_*` environment variables set.
    public init(environment: [String: String]) throws(ConfigurationError) {
        try self.init(
            strings: environment.filter { $0.key.hasPrefix("TALY_") }, naming: { $0 }, keys: Self.environmentMap)
    }

    /// The layer a JSON config file sets: `{"host": ..., "port": 8080, "data_dir": ..., "log_level": ..., "log_format": ...}`.
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
            case let number as NSNumber where key == "port": strings[key] = number.stringValue
            default: throw .malformedFile(path: path, reason: "\"\(key)\" has the wrong type")
            }
        }
        try self.init(strings: strings, naming: { "\"\($0)\" in \(path)" }, keys: Self.fileMap)
    }

    private enum Key { case host, port, dataDirectory, logLevel, logFormat }

    private static let environmentMap: [String: Key] = [
        "TALY_HOST": .host, "TALY_PORT": .port, "TALY_DATA_DIR": .dataDirectory,
        "TALY_LOG_LEVEL": .logLevel, "TALY_LOG_FORMAT": .logFormat,
    ]
    private static let fileMap: [String: Key] = [
        "host": .host, "port": .port, "data_dir": .dataDirectory, "log_level": .logLevel, "log_format": .logFormat,
    ]

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
            }
        }
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
