import Foundation
import Hummingbird

/// The parameters of one search as a client sends them: the JSON body of `POST /v1/search` (and
/// of each query of `POST /v1/multi-search`), or the query string of `GET /v1/search`, which
/// `init(query:)` maps onto the same fields. Nothing here is checked against a collection yet:
/// `SearchSpec` does that.
struct SearchParameters: Decodable, Sendable {
    var collection: String?
    var q: String?
    var filter: String?
    var facets: [FacetParameter]?
    var facetFilters: [String: String]?
    var sort: SortParameter?
    var limit: Int?
    var offset: Int?
    var cursor: String?
    var highlight: [String]?
    var highlightPreTag: String?
    var highlightPostTag: String?
    var snippetLength: Int?
    var snippetCount: Int?
    var typoTolerance: Bool?
    var explain: Bool?
    /// Multi-search only: multiplies this query's normalized scores when results are merged.
    var weight: Double?

    enum CodingKeys: String, CodingKey {
        case collection, q, filter, facets, sort, limit, offset, cursor, highlight, explain, weight
        case facetFilters = "facet_filters"
        case highlightPreTag = "highlight_pre_tag"
        case highlightPostTag = "highlight_post_tag"
        case snippetLength = "snippet_length"
        case snippetCount = "snippet_count"
        case typoTolerance = "typo_tolerance"
    }

    init() {}

    /// The parameters of a query string; a value of the wrong type is a 422 naming the parameter
    /// (every bad one at once). Lists are comma-separated (`facets=brand,color`); facet filters
    /// are `facet_filters[<field>]=<filter>`.
    init(query: Parameters) throws(APIError) {
        var problems: [InvalidParam] = []
        func integer(_ name: String) -> Int? {
            guard let text = query.get(name) else { return nil }
            guard let value = Int(text) else {
                problems.append(InvalidParam(name: name, reason: "must be an integer"))
                return nil
            }
            return value
        }
        func flag(_ name: String) -> Bool? {
            guard let text = query.get(name) else { return nil }
            switch text.lowercased() {
            case "true", "1", "": return true
            case "false", "0": return false
            default:
                problems.append(InvalidParam(name: name, reason: "must be true or false"))
                return nil
            }
        }
        func list(_ name: String) -> [String]? {
            query.get(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        }
        collection = query.get("collection")
        q = query.get("q")
        filter = query.get("filter")
        facets = list("facets")?.map { FacetParameter(field: $0) }
        sort = list("sort").map { SortParameter(keys: $0) }
        limit = integer("limit")
        offset = integer("offset")
        cursor = query.get("cursor")
        highlight = list("highlight")
        highlightPreTag = query.get("highlight_pre_tag")
        highlightPostTag = query.get("highlight_post_tag")
        snippetLength = integer("snippet_length")
        snippetCount = integer("snippet_count")
        typoTolerance = flag("typo_tolerance")
        explain = flag("explain")
        // Hummingbird decodes values, not keys: `facet_filters%5Bbrand%5D` is common. A key
        // without `%` is its own decoding, so the other parameters skip Foundation's.
        for (rawKey, value) in query where rawKey.utf8.contains(UInt8(ascii: "%")) || rawKey.hasPrefix("facet_filters[")
        {
            let key = String(rawKey).removingPercentEncoding ?? String(rawKey)
            guard key.hasPrefix("facet_filters["), key.hasSuffix("]") else { continue }
            let field = String(key.dropFirst("facet_filters[".count).dropLast())
            facetFilters = facetFilters ?? [:]
            facetFilters![field] = String(value)
        }
        guard problems.isEmpty else { throw .validation(problems) }
    }
}

/// One facet asked for: a field name alone (value counts of a keyword field, statistics of a
/// numeric one) or an object with its `type`.
struct FacetParameter: Decodable, Sendable {
    var field: String
    var type: String?
    var limit: Int?
    var order: String?
    var ranges: [RangeParameter]?
    var interval: Double?

    struct RangeParameter: Decodable, Sendable {
        var label: String?
        var from: Double?
        var to: Double?
    }

    init(field: String) { self.field = field }

    init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            field = name
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        field = try container.decode(String.self, forKey: .field)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        limit = try container.decodeIfPresent(Int.self, forKey: .limit)
        order = try container.decodeIfPresent(String.self, forKey: .order)
        ranges = try container.decodeIfPresent([RangeParameter].self, forKey: .ranges)
        interval = try container.decodeIfPresent(Double.self, forKey: .interval)
    }

    enum CodingKeys: String, CodingKey { case field, type, limit, order, ranges, interval }
}

/// `sort`: a comma-separated string (`price:asc,_score`) or an array of such keys.
struct SortParameter: Decodable, Sendable {
    var keys: [String]

    init(keys: [String]) { self.keys = keys }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            keys = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        } else {
            keys = try container.decode([String].self)
        }
    }
}

/// The body of `POST /v1/multi-search`.
struct MultiSearchParameters: Decodable, Sendable {
    var queries: [SearchParameters]
    var federation: Federation?

    /// Present: the queries' hits are merged into one ranked list.
    struct Federation: Decodable, Sendable {
        var limit: Int?
        var offset: Int?
    }
}

/// The parameters of a facet value search, from `GET /v1/facet-search` or its `POST` body.
struct FacetSearchParameters: Decodable, Sendable {
    var collection: String?
    var facet: String?
    var prefix: String?
    var q: String?
    var filter: String?
    var facetFilters: [String: String]?
    var limit: Int?
    var typoTolerance: Bool?

    enum CodingKeys: String, CodingKey {
        case collection, facet, prefix, q, filter, limit
        case facetFilters = "facet_filters"
        case typoTolerance = "typo_tolerance"
    }

    /// The parameters of a query string, with the search's conventions.
    init(query: Parameters) throws(APIError) {
        let search = try SearchParameters(query: query)
        collection = search.collection
        facet = query.get("facet")
        prefix = query.get("prefix")
        q = search.q
        filter = search.filter
        facetFilters = search.facetFilters
        limit = search.limit
        typoTolerance = search.typoTolerance
    }

    /// The search part, to reuse its checks.
    var search: SearchParameters {
        var search = SearchParameters()
        search.collection = collection
        search.q = q
        search.filter = filter
        search.facetFilters = facetFilters
        search.typoTolerance = typoTolerance
        return search
    }
}
