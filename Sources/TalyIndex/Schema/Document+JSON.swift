import Foundation

extension Document {
    /// The document as one JSON object with sorted keys: text and keyword values as strings (a
    /// list for several keyword values), numbers as numbers, dates as ISO 8601 strings.
    public func jsonText() -> String {
        var object: [String: Any] = [:]
        for (name, value) in values {
            switch value {
            case .text(let text): object[name] = text
            case .keyword(let values): object[name] = values.count == 1 ? values[0] : values
            case .int64(let number): object[name] = number
            case .double(let number): object[name] = number.isFinite ? number : String(number)
            case .date(let milliseconds):
                object[name] = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
                    .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
