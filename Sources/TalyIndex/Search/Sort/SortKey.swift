/// Which way a sort key orders its values.
public enum SortOrder: Sendable, Hashable {
    /// Smallest first (byte order for keywords).
    case ascending
    /// Largest first.
    case descending
}

/// Where documents without a value for a sort key go, whatever the order (Elasticsearch's `missing`).
public enum MissingPlacement: Sendable, Hashable {
    /// Before every document with a value.
    case first
    /// After every document with a value (the default, as in Elasticsearch).
    case last
}

/// One key of a request's sort: the score or a column, with its order.
///
/// A multi-valued field sorts by its smallest value when ascending and its largest when descending
/// (Elasticsearch's default `mode`). Hits equal on every key are ordered by their unique id, byte-wise
/// ascending, so the order does not depend on segments and a ``SearchResponse/cursor`` stays valid
/// across commits and merges.
public struct SortKey: Sendable, Hashable {
    /// What a key sorts by.
    public enum Target: Sendable, Hashable {
        /// The BM25 score.
        case score
        /// The column of a keyword, int64, double or date field.
        case field(String)
    }

    /// What the key sorts by.
    public var target: Target
    /// The order of its values.
    public var order: SortOrder
    /// Where documents without a value go (never applies to the score).
    public var missing: MissingPlacement

    /// A key from its parts.
    public init(_ target: Target, order: SortOrder, missing: MissingPlacement = .last) {
        self.target = target
        self.order = order
        self.missing = missing
    }

    /// The score, best first unless told otherwise.
    public static func score(_ order: SortOrder = .descending) -> SortKey { SortKey(.score, order: order) }

    /// The column of field `name`, ascending unless told otherwise, documents without a value last.
    public static func field(_ name: String, _ order: SortOrder = .ascending, missing: MissingPlacement = .last)
        -> SortKey
    {
        SortKey(.field(name), order: order, missing: missing)
    }

    /// A canonical spelling (`score:desc`, `price:asc:last`) that cursors are checked against.
    var canonical: String {
        let direction = order == .ascending ? "asc" : "desc"
        switch target {
        case .score: return "score:\(direction)"
        case .field(let name): return "\(name):\(direction):\(missing == .first ? "first" : "last")"
        }
    }
}

/// A hit's value for one sort key, as a ``SearchResponse/cursor`` carries it.
public enum SortValue: Sendable, Hashable {
    /// The document has no value for the key's field.
    case missing
    /// The hit's score.
    case score(Float)
    /// An int64 value, or a date's milliseconds since 1970.
    case integer(Int64)
    /// A double value.
    case double(Double)
    /// A keyword's bytes.
    case keyword([UInt8])
}
