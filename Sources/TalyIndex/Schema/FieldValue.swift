/// One field's value in a document, already checked against the field's type.
public enum FieldValue: Sendable, Hashable {
    /// Text to analyze.
    case text(String)
    /// Exact values; exactly one unless the field is multi-valued (then zero or more, in order).
    case keyword([String])
    /// An integer.
    case int64(Int64)
    /// A finite or infinite floating-point number (never NaN).
    case double(Double)
    /// An instant, in milliseconds since 1970-01-01T00:00:00Z.
    case date(milliseconds: Int64)
}

/// A document: field values by field name, as a caller builds it.
public struct Document: Sendable, Hashable {
    /// The values by field name.
    public var values: [String: FieldValue]

    /// A document with `values`.
    public init(_ values: [String: FieldValue] = [:]) { self.values = values }

    /// The value of field `name`.
    public subscript(name: String) -> FieldValue? {
        get { values[name] }
        set { values[name] = newValue }
    }
}

/// Why a document does not fit the schema; names the field and the problem.
public struct DocumentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field at fault (empty when the document as a whole is malformed).
    public let field: String
    /// What is wrong with it.
    public let problem: String

    /// An error about `field`.
    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { field.isEmpty ? problem : "field \"\(field)\": \(problem)" }
}
