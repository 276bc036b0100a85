/// A coding key made from any string: for JSON objects whose member names are data (product
/// attributes, a schema's field names) rather than a fixed set of cases.
public struct DynamicCodingKey: CodingKey, Sendable {
    public let stringValue: String
    public var intValue: Int? { nil }

    public init(stringValue: String) { self.stringValue = stringValue }

    /// Never made from an integer: these keys name object members only.
    public init?(intValue: Int) { nil }
}
