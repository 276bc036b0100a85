import Foundation
import TalyIndex

/// The limits every search obeys, published in `/openapi.json` and docs/api/search.md.
enum SearchLimits {
    /// Hits per page at most.
    static let maximumLimit = 1_000
    /// Hits per page without `limit`.
    static let defaultLimit = 20
    /// `offset + limit` at most: deeper pages use `cursor` (search after), as Elasticsearch's
    /// `max_result_window`, because an offset page costs the whole window.
    static let maximumWindow = 1_000
    /// Totals are exact up to this many matches; beyond, `total` is this and `total_is_exact`
    /// false (Elasticsearch's `track_total_hits` default), so the count may stop early.
    static let exactTotalCap = 10_000
    /// Facet values per facet at most.
    static let maximumFacetValues = 1_000
    /// Snippet length (Unicode scalars) and snippets per field at most.
    static let maximumSnippetLength = 2_000
    static let maximumSnippetCount = 10
    /// Queries per multi-search.
    static let maximumQueries = 20
}

/// One search checked against its collection's schema and the caller's rights: the engine's
/// request plus the options the engine does not carry (page offset, highlighting, explanations).
///
/// Expression errors (`q` in strict mode, `filter`, `sort`, `facets`, `facet_filters`, `cursor`,
/// `highlight`) are 400 `bad-request` naming the parameter and, for parsed text, the position;
/// out-of-range numbers are 422 `validation`, as for every other route.
struct SearchSpec: Sendable {
    var request: SearchRequest
    var offset: Int
    var limit: Int
    var highlight: HighlightOptions?
    var explain: Bool

    /// Checks `parameters` against `schema`. `strict`: the query must parse strictly (callers
    /// who manage the collection); otherwise the forgiving parser reads any text. `restriction`
    /// is ANDed with the filter (public callers' published-only condition).
    init(_ parameters: SearchParameters, schema: Schema, strict: Bool, restriction: Filter?) throws(APIError) {
        var invalid: [InvalidParam] = []
        let limit = parameters.limit ?? SearchLimits.defaultLimit
        if !(0...SearchLimits.maximumLimit).contains(limit) {
            invalid.append(InvalidParam(name: "limit", reason: "must be from 0 to \(SearchLimits.maximumLimit)"))
        }
        let offset = parameters.offset ?? 0
        if offset < 0 {
            invalid.append(InvalidParam(name: "offset", reason: "must not be negative"))
        } else if offset > 0, parameters.cursor != nil {
            invalid.append(InvalidParam(name: "offset", reason: "cannot be combined with cursor"))
        } else if limit <= SearchLimits.maximumLimit, offset > SearchLimits.maximumWindow - limit {
            invalid.append(
                InvalidParam(
                    name: "offset",
                    reason:
                        "offset + limit must be at most \(SearchLimits.maximumWindow); page further with sort and cursor"
                ))
        }
        if let length = parameters.snippetLength, !(1...SearchLimits.maximumSnippetLength).contains(length) {
            invalid.append(
                InvalidParam(name: "snippet_length", reason: "must be from 1 to \(SearchLimits.maximumSnippetLength)"))
        }
        if let count = parameters.snippetCount, !(1...SearchLimits.maximumSnippetCount).contains(count) {
            invalid.append(
                InvalidParam(name: "snippet_count", reason: "must be from 1 to \(SearchLimits.maximumSnippetCount)"))
        }
        guard invalid.isEmpty else { throw .validation(invalid) }
        self.limit = limit
        self.offset = offset
        explain = parameters.explain ?? false

        let query = try Self.query(
            parameters.q ?? "", schema: schema, strict: strict, typoTolerance: parameters.typoTolerance ?? true)
        var filter: Filter?
        if let text = parameters.filter, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            filter = try Self.filter(text, schema: schema, name: "filter")
        }
        if let restriction { filter = filter.map { .and([$0, restriction]) } ?? restriction }
        var selections: [FacetSelection] = []
        for (field, text) in (parameters.facetFilters ?? [:]).sorted(by: { $0.key < $1.key }) {
            selections.append(
                FacetSelection(
                    field: field, filter: try Self.filter(text, schema: schema, name: "facet_filters[\(field)]"))
            )
        }
        let sort = try Self.sort(parameters.sort?.keys ?? [], schema: schema)
        if parameters.cursor != nil, sort.isEmpty {
            throw Self.badParameter("cursor", "paging with a cursor needs a sort (use sort=_score for relevance order)")
        }
        var facets: [FacetRequest] = []
        for (index, facet) in (parameters.facets ?? []).enumerated() {
            facets.append(try Self.facet(facet, at: index, schema: schema))
        }
        request = SearchRequest(
            query: query, filter: filter, limit: offset + limit, countTotal: true,
            facets: facets, selections: selections, sort: sort, searchAfter: parameters.cursor)
        // One past the cap: a count that stops there says "more than the cap" (total_is_exact false).
        request.totalCountLimit = SearchLimits.exactTotalCap + 1
        highlight = try Self.highlight(parameters, schema: schema)
    }

    /// A 400 naming the parameter.
    static func badParameter(_ name: String, _ reason: String) -> APIError {
        APIError(.badRequest, "invalid \(name): \(reason)", invalidParams: [InvalidParam(name: name, reason: reason)])
    }

    /// `q` parsed: strictly (a syntax error is a 400 naming its position) or forgivingly. The
    /// parser knows the schema's indexed fields, so `field:` of another name is an error too.
    /// With typo tolerance, single-word leaves on text fields become fuzzy leaves whose edit
    /// distance follows the word's length (none below 5 characters, Meilisearch's rule).
    static func query(_ text: String, schema: Schema, strict: Bool, typoTolerance: Bool) throws(APIError) -> Query {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return .matchAll }
        let fields = Set(schema.fields.filter { $0.type.isIndexed }.map(\.name))
        let parser = QueryParser(knownFields: strict ? fields : nil)
        var query: Query
        if strict {
            do throws(QueryParseError) {
                query = try parser.parseStrict(text)
            } catch {
                throw badParameter("q", error.description)
            }
        } else {
            query = parser.parseForgiving(text)
        }
        if typoTolerance {
            let textFields = Set(
                schema.fields.compactMap { field -> String? in
                    if case .text = field.type { return field.name }
                    return nil
                })
            query = fuzzy(query, textFields: textFields)
        }
        return query
    }

    private static func fuzzy(_ query: Query, textFields: Set<String>) -> Query {
        switch query {
        case .term(let field, let text)
        where (field.map(textFields.contains) ?? true) && !text.isEmpty
            && text.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) }):
            return .fuzzy(field: field, text: text, maximumEdits: nil)
        case .boolean(let must, let should, let mustNot, let filter, let minimum):
            return .boolean(
                must: must.map { fuzzy($0, textFields: textFields) },
                should: should.map { fuzzy($0, textFields: textFields) }, mustNot: mustNot, filter: filter,
                minimumShouldMatch: minimum)
        case .boost(let inner, let boost):
            return .boost(fuzzy(inner, textFields: textFields), boost)
        default:
            return query
        }
    }

    static func filter(_ text: String, schema: Schema, name: String) throws(APIError) -> Filter {
        do throws(FilterError) {
            return try FilterParser(schema: schema).parse(text)
        } catch {
            throw badParameter(name, error.description)
        }
    }

    /// `sort` keys: `_score`, `_score:asc`, `field`, `field:asc`, `field:desc`; the field must
    /// have a column (keyword, number or date, not the id).
    static func sort(_ keys: [String], schema: Schema) throws(APIError) -> [SortKey] {
        var sort: [SortKey] = []
        for key in keys where !key.isEmpty {
            let parts = key.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2 else { throw badParameter("sort", "\"\(key)\" is not field or field:asc|desc") }
            var order: TalyIndex.SortOrder?
            if parts.count == 2 {
                switch parts[1].lowercased() {
                case "asc": order = .ascending
                case "desc": order = .descending
                default: throw badParameter("sort", "\"\(parts[1])\" in \"\(key)\" is not asc or desc")
                }
            }
            if parts[0] == "_score" {
                sort.append(.score(order ?? .descending))
                continue
            }
            guard let number = schema.fieldNumber(parts[0]) else {
                throw badParameter("sort", "the collection has no field \"\(parts[0])\"")
            }
            let type = schema.fields[number].type
            if case .text = type { throw badParameter("sort", "\"\(parts[0])\" is a text field; sort by a column") }
            if number == schema.idFieldNumber { throw badParameter("sort", "hits are already ordered by id last") }
            sort.append(.field(parts[0], order ?? .ascending))
        }
        return sort
    }

    /// One facet: a bare name is value counts (keyword fields) or statistics (numbers, dates).
    static func facet(_ facet: FacetParameter, at index: Int, schema: Schema) throws(APIError) -> FacetRequest {
        let name = "facets[\(index)]"
        guard let number = schema.fieldNumber(facet.field) else {
            throw badParameter(name, "the collection has no field \"\(facet.field)\"")
        }
        let type = schema.fields[number].type
        var isKeyword = false
        if case .keyword = type { isKeyword = true }
        let limit = facet.limit ?? 10
        guard (0...SearchLimits.maximumFacetValues).contains(limit) else {
            throw APIError.invalid(name + ".limit", "must be from 0 to \(SearchLimits.maximumFacetValues)")
        }
        switch facet.type ?? (isKeyword ? "values" : "stats") {
        case "values":
            let order: FacetOrder
            switch facet.order ?? "count" {
            case "count": order = .count
            case "value": order = .value
            default: throw badParameter(name + ".order", "must be count or value")
            }
            return FacetRequest(field: facet.field, .values(limit: limit, order: order))
        case "ranges":
            guard let ranges = facet.ranges, !ranges.isEmpty else {
                throw badParameter(name + ".ranges", "a ranges facet needs at least one range")
            }
            return FacetRequest(
                field: facet.field,
                .ranges(
                    ranges.enumerated().map { position, range in
                        FacetRange(
                            range.label ?? "\(position)",
                            lower: range.from.map { FilterBound(boundValue($0, type: type), inclusive: true) },
                            upper: range.to.map { FilterBound(boundValue($0, type: type), inclusive: false) })
                    }))
        case "histogram":
            guard let interval = facet.interval else {
                throw badParameter(name + ".interval", "a histogram needs an interval")
            }
            return FacetRequest(field: facet.field, .histogram(interval: interval))
        case "stats":
            return FacetRequest(field: facet.field, .stats)
        case let other:
            throw badParameter(name + ".type", "\"\(other)\" is not values, ranges, histogram or stats")
        }
    }

    /// A range bound in the field's own type (dates take milliseconds).
    private static func boundValue(_ number: Double, type: FieldType) -> FilterValue {
        switch type {
        case .int64: Int64(exactly: number).map { .integer($0) } ?? .double(number)
        case .date: .date(milliseconds: Int64(exactly: number.rounded(.down)) ?? (number > 0 ? .max : .min))
        default: .double(number)
        }
    }

    /// Highlighting, when `highlight` names fields (`*`: every stored text field).
    static func highlight(_ parameters: SearchParameters, schema: Schema) throws(APIError) -> HighlightOptions? {
        guard let names = parameters.highlight?.filter({ !$0.isEmpty }), !names.isEmpty else { return nil }
        var fields: [String]?
        if names != ["*"] {
            for name in names {
                guard let number = schema.fieldNumber(name), case .text(_, stored: true) = schema.fields[number].type
                else { throw badParameter("highlight", "\"\(name)\" is not a stored text field of the collection") }
            }
            fields = names
        }
        return HighlightOptions(
            fields: fields, fragmentLength: parameters.snippetLength ?? 150,
            fragmentCount: parameters.snippetCount ?? 1,
            preTag: parameters.highlightPreTag ?? "<mark>", postTag: parameters.highlightPostTag ?? "</mark>")
    }
}
