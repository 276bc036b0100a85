/// One facet to compute over the documents a search matches: value counts of a keyword field, or
/// range counts, a histogram and statistics of a numeric or date field.
///
/// Facets are exhaustive: every live document that matches the query and the filter counts, not
/// only the returned hits. A facet on a field that has a ``FacetSelection`` in the request is
/// disjunctive: it is counted with that selection removed (see ``SearchRequest/selections``).
public struct FacetRequest: Sendable, Hashable {
    /// What to compute.
    public enum Kind: Sendable, Hashable {
        /// Keyword fields: the `limit` most frequent values with their document counts, in `order`.
        /// A multi-valued document counts once for each of its distinct values.
        case values(limit: Int, order: FacetOrder)
        /// Numeric and date fields: the documents with a value in each range (a document counts once
        /// per range however many of its values fall in it), plus statistics.
        case ranges([FacetRange])
        /// Numeric and date fields: documents per bucket `[k·interval, (k+1)·interval)`, non-empty
        /// buckets only, by key; plus statistics. Dates use milliseconds (a day is 86,400,000).
        case histogram(interval: Double)
        /// Numeric and date fields: statistics only.
        case stats
    }

    /// The field faceted on.
    public var field: String
    /// What to compute.
    public var kind: Kind

    /// A facet on `field`.
    public init(field: String, _ kind: Kind) {
        self.field = field
        self.kind = kind
    }

    /// The `limit` most frequent values of a keyword field (ties: by value, byte-wise).
    public static func values(_ field: String, limit: Int = 10, order: FacetOrder = .count) -> FacetRequest {
        FacetRequest(field: field, .values(limit: limit, order: order))
    }
}

/// How keyword facet values are ordered before the limit applies.
public enum FacetOrder: Sendable, Hashable {
    /// Most documents first; equal counts by value (byte-wise UTF-8 order).
    case count
    /// By value (byte-wise UTF-8 order).
    case value
}

/// One range of a range facet; nil bounds are open. Bounds take the values filters take.
public struct FacetRange: Sendable, Hashable {
    /// A name for the range, echoed in the result (such as "cheap").
    public var label: String
    /// Where the range starts.
    public var lower: FilterBound?
    /// Where the range ends.
    public var upper: FilterBound?

    /// A labelled range.
    public init(_ label: String, lower: FilterBound? = nil, upper: FilterBound? = nil) {
        self.label = label
        self.lower = lower
        self.upper = upper
    }
}

/// The part of a request's filter that a user chose in one facet (Algolia's and Meilisearch's
/// disjunctive faceting): `brand IN [a, b]` selected in the brand facet.
///
/// Hits and every other facet use all selections (and the request's filter); the facet on
/// `field` is counted without this selection, so its unselected values keep their counts and a
/// user can widen the choice.
public struct FacetSelection: Sendable, Hashable {
    /// The faceted field the selection was made in.
    public var field: String
    /// The condition chosen, usually on `field`.
    public var filter: Filter

    /// A selection of `filter` in the facet on `field`.
    public init(field: String, filter: Filter) {
        self.field = field
        self.filter = filter
    }
}

/// The result of one ``FacetRequest``, in request order.
public struct FacetResult: Sendable, Hashable {
    /// The field faceted on.
    public var field: String
    /// The counts, of the kind requested.
    public var counts: FacetCounts
    /// Statistics over every value of the counted documents (numeric and date facets); nil for
    /// keyword facets and when no counted document has a value.
    public var stats: NumericStats?

    /// A result from its parts.
    public init(field: String, counts: FacetCounts, stats: NumericStats?) {
        self.field = field
        self.counts = counts
        self.stats = stats
    }
}

/// The counts of one facet.
public enum FacetCounts: Sendable, Hashable {
    /// Keyword values and their document counts; `distinctValues` is how many values had a
    /// non-zero count before the limit.
    case values([FacetValueCount], distinctValues: Int)
    /// Document counts per requested range, in request order.
    case ranges([FacetRangeCount])
    /// Non-empty histogram buckets by ascending key.
    case histogram([FacetBucket])
    /// Statistics only.
    case stats
}

/// One keyword value and the number of counted documents having it.
public struct FacetValueCount: Sendable, Hashable {
    /// The value.
    public var value: String
    /// Documents with the value.
    public var count: Int

    /// A value and its count.
    public init(value: String, count: Int) {
        self.value = value
        self.count = count
    }
}

/// One range and the number of counted documents with a value in it.
public struct FacetRangeCount: Sendable, Hashable {
    /// The range as requested.
    public var range: FacetRange
    /// Documents with a value in the range.
    public var count: Int

    /// A range and its count.
    public init(range: FacetRange, count: Int) {
        self.range = range
        self.count = count
    }
}

/// One histogram bucket: documents with a value in `[key, key + interval)`.
public struct FacetBucket: Sendable, Hashable {
    /// The bucket's lower end, a multiple of the interval (milliseconds for dates).
    public var key: Double
    /// Documents with a value in the bucket.
    public var count: Int

    /// A bucket and its count.
    public init(key: Double, count: Int) {
        self.key = key
        self.count = count
    }
}

/// Statistics over values (not documents: a multi-valued document adds each of its values), as
/// doubles (int64 values past 2⁵³ and dates lose their last bits there).
public struct NumericStats: Sendable, Hashable {
    /// Values counted.
    public var count: Int
    /// The smallest value.
    public var min: Double
    /// The largest value.
    public var max: Double
    /// The sum of the values.
    public var sum: Double
    /// The mean value.
    public var average: Double { sum / Double(count) }

    /// Statistics from their parts.
    public init(count: Int, min: Double, max: Double, sum: Double) {
        self.count = count
        self.min = min
        self.max = max
        self.sum = sum
    }
}
