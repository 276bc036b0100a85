import Foundation
import Hummingbird
import TalyIndex
import TalyStore

/// The answer of `GET|POST /v1/search`.
struct SearchResultResource: ResponseEncodable, Sendable {
    var collection: String
    var hits: [SearchHitResource]
    /// Exact up to `SearchLimits.exactTotalCap`, then the cap.
    var total: Int
    var totalIsExact: Bool
    var offset: Int
    var limit: Int
    /// For sorted searches with a full page: pass as `cursor` for the next page.
    var nextCursor: String?
    var facets: [FacetResultResource]
    /// The newest outbox event the searched index reflects (null: none applied yet).
    var appliedEventID: Int64?
    var processingTimeMs: Double

    enum CodingKeys: String, CodingKey {
        case collection, hits, total, offset, limit, facets
        case totalIsExact = "total_is_exact"
        case nextCursor = "next_cursor"
        case appliedEventID = "applied_event_id"
        case processingTimeMs = "processing_time_ms"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(collection, forKey: .collection)
        try container.encode(hits, forKey: .hits)
        try container.encode(total, forKey: .total)
        try container.encode(totalIsExact, forKey: .totalIsExact)
        try container.encode(offset, forKey: .offset)
        try container.encode(limit, forKey: .limit)
        try container.encode(nextCursor, forKey: .nextCursor)
        try container.encode(facets, forKey: .facets)
        try container.encode(appliedEventID, forKey: .appliedEventID)
        try container.encode(processingTimeMs, forKey: .processingTimeMs)
    }

    static let schema = JSONSchema.object(
        [
            ("collection", .string()), ("hits", .array(.reference("SearchHit"))), ("total", .integer),
            ("total_is_exact", .boolean), ("offset", .integer), ("limit", .integer),
            ("next_cursor", .nullable(.string())), ("facets", .array(.reference("FacetResult"))),
            ("applied_event_id", .nullable(.integer)), ("processing_time_ms", .number),
        ],
        required: ["collection", "hits", "total", "total_is_exact", "offset", "limit", "facets", "applied_event_id"])
}

/// One hit: its id, score, stored fields, and on request its snippets and score explanation.
struct SearchHitResource: Encodable, Sendable {
    var id: String
    var score: Float
    var document: StoredDocumentResource
    var highlight: [String: [String]]?
    var explanation: ExplanationResource?
    /// Multi-search with federation: which query found the hit, and its merged score.
    var queryIndex: Int?
    var collection: String?
    var mergedScore: Double?

    enum CodingKeys: String, CodingKey {
        case id, score, document, highlight, explanation, collection
        case queryIndex = "query_index"
        case mergedScore = "merged_score"
    }

    static let schema = JSONSchema.object(
        [
            ("id", .string()), ("score", .number), ("document", .freeObject),
            ("highlight", .object([])), ("explanation", .reference("Explanation")),
            ("query_index", .integer), ("collection", .string()), ("merged_score", .number),
        ], required: ["id", "score", "document"])
}

/// A hit's stored fields as the index decoded them, written out in the collection schema's
/// field order (field number): a deterministic order that costs no sorting or hashing per hit.
struct StoredDocumentResource: Encodable, Sendable {
    /// The schema's field names by field number, one array shared by every hit of a search.
    let fieldNames: [String]
    /// The stored values by field number, in increasing field number.
    let values: [(field: Int, value: FieldValue)]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        for (field, value) in values {
            try container.encode(ContentValue(value), forKey: DynamicCodingKey(stringValue: fieldNames[field]))
        }
    }
}

/// Lucene-style score explanation: the value, how it was computed, and its parts.
struct ExplanationResource: Encodable, Sendable {
    var value: Float
    var description: String
    var details: [ExplanationResource]

    init(_ explanation: Explanation) {
        value = explanation.value
        description = explanation.description
        details = explanation.details.map(ExplanationResource.init)
    }

    static let schema = JSONSchema.object(
        [("value", .number), ("description", .string()), ("details", .array(.reference("Explanation")))],
        required: ["value", "description", "details"])
}

/// One facet's result; the members present depend on `type`.
struct FacetResultResource: Encodable, Sendable {
    struct ValueCount: Encodable, Sendable {
        var value: String
        var count: Int
    }
    struct RangeCount: Encodable, Sendable {
        var label: String
        var from: Double?
        var to: Double?
        var count: Int
    }
    struct Bucket: Encodable, Sendable {
        var key: Double
        var count: Int
    }
    struct Stats: Encodable, Sendable {
        var count: Int
        var min: Double
        var max: Double
        var sum: Double
        var average: Double
    }

    var field: String
    var type: String
    var values: [ValueCount]?
    var distinctValues: Int?
    var ranges: [RangeCount]?
    var buckets: [Bucket]?
    var stats: Stats?

    enum CodingKeys: String, CodingKey {
        case field, type, values, ranges, buckets, stats
        case distinctValues = "distinct_values"
    }

    init(_ result: FacetResult) {
        field = result.field
        switch result.counts {
        case .values(let counts, let distinct):
            type = "values"
            values = counts.map { ValueCount(value: $0.value, count: $0.count) }
            distinctValues = distinct
        case .ranges(let counts):
            type = "ranges"
            ranges = counts.map {
                RangeCount(
                    label: $0.range.label, from: $0.range.lower.map { Self.number($0.value) },
                    to: $0.range.upper.map { Self.number($0.value) }, count: $0.count)
            }
        case .histogram(let counts):
            type = "histogram"
            buckets = counts.map { Bucket(key: $0.key, count: $0.count) }
        case .stats:
            type = "stats"
        }
        stats = result.stats.map {
            Stats(count: $0.count, min: $0.min, max: $0.max, sum: $0.sum, average: $0.average)
        }
    }

    private static func number(_ value: FilterValue) -> Double {
        switch value {
        case .integer(let number): Double(number)
        case .double(let number): number
        case .date(let milliseconds): Double(milliseconds)
        case .string: .nan
        }
    }

    static let schema = JSONSchema.object(
        [
            ("field", .string()), ("type", .string(values: ["values", "ranges", "histogram", "stats"])),
            ("values", .array(.object([("value", .string()), ("count", .integer)]))),
            ("distinct_values", .integer),
            (
                "ranges",
                .array(.object([("label", .string()), ("from", .number), ("to", .number), ("count", .integer)]))
            ),
            ("buckets", .array(.object([("key", .number), ("count", .integer)]))),
            (
                "stats",
                .object([
                    ("count", .integer), ("min", .number), ("max", .number), ("sum", .number), ("average", .number),
                ])
            ),
        ], required: ["field", "type"])
}

/// The answer of `POST /v1/multi-search`: one result per query, or with `federation` one merged
/// list.
struct MultiSearchResultResource: ResponseEncodable, Sendable {
    var results: [SearchResultResource]?
    var hits: [SearchHitResource]?
    var total: Int?
    var offset: Int?
    var limit: Int?
    var processingTimeMs: Double

    enum CodingKeys: String, CodingKey {
        case results, hits, total, offset, limit
        case processingTimeMs = "processing_time_ms"
    }

    static let schema = JSONSchema.object([
        ("results", .array(SearchResultResource.schema)), ("hits", .array(.reference("SearchHit"))),
        ("total", .integer), ("offset", .integer), ("limit", .integer), ("processing_time_ms", .number),
    ])
}

/// The answer of `GET|POST /v1/facet-search`.
struct FacetSearchResultResource: ResponseEncodable, Sendable {
    var facet: String
    var values: [FacetResultResource.ValueCount]
    var matchingValues: Int
    var appliedEventID: Int64?

    enum CodingKeys: String, CodingKey {
        case facet, values
        case matchingValues = "matching_values"
        case appliedEventID = "applied_event_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(facet, forKey: .facet)
        try container.encode(values, forKey: .values)
        try container.encode(matchingValues, forKey: .matchingValues)
        try container.encode(appliedEventID, forKey: .appliedEventID)
    }

    static let schema = JSONSchema.object(
        [
            ("facet", .string()), ("values", .array(.object([("value", .string()), ("count", .integer)]))),
            ("matching_values", .integer), ("applied_event_id", .nullable(.integer)),
        ], required: ["facet", "values", "matching_values", "applied_event_id"])
}

extension ContentValue {
    /// A stored index value as JSON: texts and keywords as strings (a list for several keyword
    /// values), numbers as numbers, dates as ISO 8601 strings.
    init(_ value: FieldValue) {
        switch value {
        case .text(let text): self = .string(text)
        case .keyword(let values): self = values.count == 1 ? .string(values[0]) : .array(values.map { .string($0) })
        case .int64(let number): self = .number(Double(number))
        case .double(let number): self = number.isFinite ? .number(number) : .string(String(number))
        case .date(let milliseconds): self = .string(CanonicalJSONWriter.iso8601Text(milliseconds: milliseconds))
        }
    }
}
