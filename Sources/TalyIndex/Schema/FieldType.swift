/// What a field holds and how it is indexed.
public enum FieldType: Sendable, Hashable, Codable {
    /// Analyzed text: tokens indexed with positions (phrases, highlighting); optionally stored.
    case text(analyzer: AnalyzerKind, stored: Bool)
    /// Exact values: indexed whole (term queries), kept in a column (filters, facets, sorting);
    /// `multiValued` fields take a list per document.
    case keyword(stored: Bool, multiValued: Bool)
    /// 64-bit integers in a column (filters, ranges, sorting).
    case int64(stored: Bool)
    /// 64-bit floating point in a column (filters, ranges, sorting); NaN is rejected.
    case double(stored: Bool)
    /// Instants with millisecond precision, as Int64 milliseconds since 1970 in a column.
    case date(stored: Bool)

    /// Whether the original value is kept in the document store.
    public var isStored: Bool {
        switch self {
        case .text(_, let stored), .keyword(let stored, _), .int64(let stored), .double(let stored),
            .date(let stored):
            stored
        }
    }

    /// Whether the field has terms in the inverted index.
    public var isIndexed: Bool {
        switch self {
        case .text, .keyword: true
        case .int64, .double, .date: false
        }
    }

    /// Whether the field has a column (for filters, facets and sorting).
    public var hasColumn: Bool {
        switch self {
        case .text: false
        case .keyword, .int64, .double, .date: true
        }
    }

    /// A short name for messages: "text", "keyword", "int64", "double", "date".
    public var name: String {
        switch self {
        case .text: "text"
        case .keyword: "keyword"
        case .int64: "int64"
        case .double: "double"
        case .date: "date"
        }
    }
}

extension NumericValueType {
    /// The column encoding of a numeric field type (int64 for anything else, which has no
    /// numeric column).
    init(_ type: FieldType) {
        switch type {
        case .double: self = .double
        case .date: self = .date
        default: self = .int64
        }
    }
}
