import Foundation
import Logging

/// Writes one line per log event to standard error, as `text` or `json` (see ``LogFormat``).
///
/// Metadata is kept as key/value pairs so log collectors can index it; nothing is interpolated
/// into the message.
public struct TalyLogHandler: LogHandler {
    /// The lowest level this handler writes.
    public var logLevel: Logger.Level
    /// Metadata attached to every event of this logger.
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: LogFormat

    /// A handler for `label` writing `format` lines from `level` up.
    public init(label: String, level: Logger.Level, format: LogFormat) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    /// Bootstraps the process-wide logging system; call once at start-up.
    public static func bootstrap(level: Logger.Level, format: LogFormat) {
        LoggingSystem.bootstrap { label in TalyLogHandler(label: label, level: level, format: format) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = Self.render(
            timestamp: Date(),
            level: event.level,
            label: label,
            message: event.message.description,
            metadata: merged,
            format: format
        )
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func render(
        timestamp: Date,
        level: Logger.Level,
        label: String,
        message: String,
        metadata: Logger.Metadata,
        format: LogFormat
    ) -> String {
        let time = timestamp.formatted(.iso8601)
        let keys = metadata.keys.sorted()
        switch format {
        case .text:
            var line = "\(time) \(level) \(label): \(message)"
            for key in keys { line += " \(key)=\(quoteIfNeeded(metadata[key]!.description))" }
            return line
        case .json:
            var object: [String: String] = ["time": time, "level": level.rawValue, "label": label, "message": message]
            for key in keys where object[key] == nil { object[key] = metadata[key]!.description }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    private static func quoteIfNeeded(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) || value.isEmpty
            ? "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : value
    }
}
