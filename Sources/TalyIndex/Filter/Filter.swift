/// A condition on column values that selects documents without scoring them: the `filter` of a
/// search (Meilisearch's `filter`, Elasticsearch's `bool.filter`). `FilterParser` reads the string
/// syntax; programs can build the cases directly.
///
/// Semantics, for every field type (keyword, int64, double, date):
/// - a condition on a multi-valued field holds when ANY value of the document satisfies it;
/// - a document without a value satisfies no comparison (`=`, `IN`, ranges) and no `EXISTS`;
/// - `notEqual` and `not` are complements: they hold for documents with another value or with no
///   value at all (as Meilisearch's `!=` and Elasticsearch's `must_not`), so `tag != a` excludes a
///   document with tags `[a, b]` and includes one without tags;
/// - deleted documents never match.
public indirect enum Filter: Sendable, Hashable {
    /// Some value of `field` equals `value`.
    case equal(field: String, FilterValue)
    /// No value of `field` equals `value` (documents without a value included): `not(equal)`.
    case notEqual(field: String, FilterValue)
    /// Some value of `field` equals one of `values` (`IN [..]`); an empty list matches nothing.
    case oneOf(field: String, [FilterValue])
    /// Some value of `field` lies between the bounds; a nil bound is open. Keyword values compare
    /// byte-wise (UTF-8), numbers numerically, dates by instant.
    case range(field: String, lower: FilterBound?, upper: FilterBound?)
    /// The document has at least one value for `field`.
    case exists(field: String)
    /// The documents the inner filter does not match.
    case not(Filter)
    /// The documents every filter matches (all documents when empty).
    case and([Filter])
    /// The documents some filter matches (none when empty).
    case or([Filter])
}

/// A literal in a filter. Each field type takes the values it can compare exactly: keyword fields
/// take strings; int64 and double fields take integers and doubles (an int64 field compared with
/// 10.5 matches what a mathematician would: `>= 10.5` is `>= 11`); date fields take dates and
/// integers (milliseconds since 1970).
public enum FilterValue: Sendable, Hashable, CustomStringConvertible {
    /// A string, for keyword fields.
    case string(String)
    /// An integer.
    case integer(Int64)
    /// A floating-point number (never NaN).
    case double(Double)
    /// An instant in milliseconds since 1970-01-01T00:00:00Z.
    case date(milliseconds: Int64)

    /// The value as the filter syntax would spell it.
    public var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .integer(let value): "\(value)"
        case .double(let value): "\(value)"
        case .date(let milliseconds): "\(milliseconds)ms"
        }
    }
}

/// One end of a range: its value and whether the value itself is inside.
public struct FilterBound: Sendable, Hashable {
    /// Where the range ends.
    public var value: FilterValue
    /// Whether `value` itself belongs to the range (`<=`, `>=`) or not (`<`, `>`).
    public var inclusive: Bool

    /// A bound at `value`.
    public init(_ value: FilterValue, inclusive: Bool) {
        self.value = value
        self.inclusive = inclusive
    }
}

extension Filter {
    /// `field` between `lower` and `upper`, both included (the syntax's `field lower TO upper`).
    public static func between(_ field: String, _ lower: FilterValue, _ upper: FilterValue) -> Filter {
        .range(field: field, lower: FilterBound(lower, inclusive: true), upper: FilterBound(upper, inclusive: true))
    }
}
