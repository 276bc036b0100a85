import Foundation
import Hummingbird
import TalyIngest
import TalyStore

/// Search over HTTP: `GET|POST /v1/search`, `POST /v1/multi-search`, `GET|POST /v1/facet-search`.
///
/// Every route needs the `search` permission and searches the caller's tenant only. `GET` takes
/// the parameters in the query string, `POST` the same names in a JSON body (where `facets` may
/// also hold objects for ranges and histograms); docs/api/search.md describes them.
struct SearchController: Sendable {
    let service: SearchService
    let metrics: MetricsRegistry

    init(collections: SearchCollections, metrics: MetricsRegistry) {
        service = SearchService(collections: collections)
        self.metrics = metrics
    }

    static let queryParameters: [(name: String, schema: JSONSchema, description: String)] = [
        ("collection", .string(), "a content type name, or products (required)"),
        (
            "q", .string(),
            "the query: strict syntax (400 naming the position) for callers managing the collection, forgiving otherwise"
        ),
        ("filter", .string(), "Meilisearch-like: =, !=, >, >=, <, <=, TO, IN, EXISTS, NOT, AND, OR"),
        (
            "facets", .string(),
            "comma-separated fields: value counts of keyword fields, statistics of numbers and dates"
        ),
        ("facet_filters[<field>]", .string(), "a filter chosen in the facet on <field> (disjunctive faceting)"),
        ("sort", .string(), "comma-separated keys: field, field:asc, field:desc, _score"),
        ("limit", .integer, "hits per page, 0 to \(SearchLimits.maximumLimit), default \(SearchLimits.defaultLimit)"),
        ("offset", .integer, "hits to skip; offset + limit at most \(SearchLimits.maximumWindow)"),
        ("cursor", .string(), "next_cursor of a sorted search: the page after it (search after)"),
        ("highlight", .string(), "comma-separated stored text fields to snippet, or *"),
        ("highlight_pre_tag", .string(), "inserted before a match, default <mark>"),
        ("highlight_post_tag", .string(), "inserted after a match, default </mark>"),
        ("snippet_length", .integer, "snippet length in characters, default 150"),
        ("snippet_count", .integer, "snippets per field, default 1"),
        ("typo_tolerance", .boolean, "match words 1 edit away from 5 characters, 2 from 9 (default true)"),
        ("explain", .boolean, "add each hit's score explanation"),
    ]

    static let searchBody = JSONSchema.object([
        ("collection", .string()), ("q", .string()), ("filter", .string()),
        (
            "facets",
            .array(
                .object([
                    ("field", .string()), ("type", .string(values: ["values", "ranges", "histogram", "stats"])),
                    ("limit", .integer), ("order", .string(values: ["count", "value"])),
                    ("ranges", .array(.object([("label", .string()), ("from", .number), ("to", .number)]))),
                    ("interval", .number),
                ]))
        ),
        ("facet_filters", .freeObject), ("sort", .array(.string())), ("limit", .integer), ("offset", .integer),
        ("cursor", .string()), ("highlight", .array(.string())), ("highlight_pre_tag", .string()),
        ("highlight_post_tag", .string()), ("snippet_length", .integer), ("snippet_count", .integer),
        ("typo_tolerance", .boolean), ("explain", .boolean), ("weight", .number),
    ])

    func register(_ api: RouteRegistry) {
        api.define("SearchHit", SearchHitResource.schema)
        api.define("Explanation", ExplanationResource.schema)
        api.define("FacetResult", FacetResultResource.schema)
        api.add(
            RouteDoc(
                .get, "/v1/search", summary: "Search a collection", tag: "search", access: .permission(.search),
                query: Self.queryParameters, response: SearchResultResource.schema, work: .costed)
        ) { request, context in
            let principal = try context.require(.search)
            let parameters = try SearchParameters(query: request.uri.queryParameters)
            return jsonResponse(try await search(parameters, principal: principal, deadline: context.deadline).json())
        }
        api.add(
            RouteDoc(
                .post, "/v1/search", summary: "Search a collection (parameters in the body)", tag: "search",
                access: .permission(.search), requestBody: Self.searchBody, response: SearchResultResource.schema,
                work: .costed)
        ) { request, context in
            let principal = try context.require(.search)
            let parameters = try await request.decodeJSON(as: SearchParameters.self, context: context)
            return jsonResponse(try await search(parameters, principal: principal, deadline: context.deadline).json())
        }
        api.add(
            RouteDoc(
                .post, "/v1/multi-search", summary: "Several searches, optionally merged into one ranked list",
                tag: "search", access: .permission(.search),
                requestBody: .object(
                    [
                        ("queries", .array(Self.searchBody)),
                        ("federation", .object([("limit", .integer), ("offset", .integer)])),
                    ], required: ["queries"]),
                response: MultiSearchResultResource.schema, work: .unbounded)
        ) { request, context in
            let principal = try context.require(.search)
            let body = try await request.decodeJSON(as: MultiSearchParameters.self, context: context)
            let started = ContinuousClock.now
            let result = try service.multiSearch(body, principal: principal, deadline: context.deadline)
            metrics.observeSearch(collection: "multi-search", seconds: Self.seconds(since: started))
            return jsonResponse(try result.json())
        }
        let facetQuery: [(name: String, schema: JSONSchema, description: String)] = [
            ("collection", .string(), "a content type name, or products (required)"),
            ("facet", .string(), "the keyword field whose values are searched (required)"),
            ("prefix", .string(), "what the values start with, byte for byte"),
            ("q", .string(), "count only documents matching this query"),
            ("filter", .string(), "count only documents passing this filter"),
            ("facet_filters[<field>]", .string(), "selections of other facets (the facet's own is ignored)"),
            ("limit", .integer, "values returned, 1 to \(SearchLimits.maximumFacetValues), default 10"),
            ("typo_tolerance", .boolean, "as for search, applied to q"),
        ]
        api.add(
            RouteDoc(
                .get, "/v1/facet-search", summary: "Type-ahead within one facet's values", tag: "search",
                access: .permission(.search), query: facetQuery, response: FacetSearchResultResource.schema,
                work: .unbounded)
        ) { request, context in
            let principal = try context.require(.search)
            let parameters = try FacetSearchParameters(query: request.uri.queryParameters)
            return try respond(
                service.searchFacetValues(parameters, principal: principal, deadline: context.deadline),
                context: context, request: request)
        }
        api.add(
            RouteDoc(
                .post, "/v1/facet-search", summary: "Type-ahead within one facet's values (parameters in the body)",
                tag: "search", access: .permission(.search),
                requestBody: .object(
                    [
                        ("collection", .string()), ("facet", .string()), ("prefix", .string()), ("q", .string()),
                        ("filter", .string()), ("facet_filters", .freeObject), ("limit", .integer),
                        ("typo_tolerance", .boolean),
                    ], required: ["collection", "facet"]),
                response: FacetSearchResultResource.schema, work: .unbounded)
        ) { request, context in
            let principal = try context.require(.search)
            let parameters = try await request.decodeJSON(as: FacetSearchParameters.self, context: context)
            return try respond(
                service.searchFacetValues(parameters, principal: principal, deadline: context.deadline),
                context: context, request: request)
        }
    }

    /// One search, placed by its cost, timed into `taly_search_duration_seconds{collection}`.
    private func search(_ parameters: SearchParameters, principal: Principal, deadline: ContinuousClock.Instant?)
        async throws -> SearchResultResource
    {
        let started = ContinuousClock.now
        let result = try await service.placedSearch(parameters, principal: principal, deadline: deadline)
        metrics.observeSearch(collection: result.collection, seconds: Self.seconds(since: started))
        return result
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        SearchService.milliseconds(since: start) / 1000
    }
}
