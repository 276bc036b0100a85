/// Everything one search asks for: what to match, what to keep, how many hits, what to count.
/// Plain data (`Sendable`, `Hashable`) so a JSON API can decode into it field for field; new
/// options (sorting, paging after a hit) are added as fields with defaults.
public struct SearchRequest: Sendable, Hashable {
    /// What to match and how to score it; ``Query/matchAll`` for a filter-only request.
    public var query: Query
    /// Documents outside the filter are neither hits nor counted nor faceted; it never changes
    /// scores. Nil keeps every live document.
    public var filter: Filter?
    /// The number of best hits to return.
    public var limit: Int
    /// The number of best hits to skip before the returned ones (page `p` of size `n`: offset `p × n`,
    /// limit `n`). The search keeps the best `offset + limit` and drops the first `offset`, so deep pages
    /// cost more; ``searchAfter`` is the cheaper way through a sorted result. Never negative.
    public var offset: Int
    /// Whether to count every match (``SearchResponse/totalCount``).
    public var countTotal: Bool
    /// Counting may stop once this many matches are counted (Elasticsearch's `track_total_hits`):
    /// a ``SearchResponse/totalCount`` below it is exact, one at or above it only a lower bound.
    /// Later segments are then not counted and a counting pass ends early; a pass that walks
    /// every match to find the hits still counts them all. `Int.max`: always exact.
    public var totalCountLimit: Int = .max
    /// How to find the best hits.
    public var strategy: IndexSearcher.Strategy
    /// Facets to compute over every match (not only the hits), in response order.
    public var facets: [FacetRequest]
    /// Filters chosen in facets: hits and facets on other fields use them all (with ``filter``);
    /// the facet on a selection's field is counted without it (disjunctive faceting).
    public var selections: [FacetSelection]
    /// The order of the hits, key by key; hits equal on every key are ordered by id. Empty: score
    /// descending with ties by (segment, document), pruned, and no ``SearchResponse/cursor``.
    public var sort: [SortKey]
    /// A ``SearchResponse/cursor`` of an earlier response with the same sort: only the hits strictly
    /// after it are returned (Elasticsearch's `search_after`).
    public var searchAfter: String?
    /// When the search must stop: past it the search throws ``SearchError/deadlineExceeded(elapsed:)``
    /// within tens of microseconds of work (checked per posting block, fuzzy term and segment), and
    /// returns nothing. Nil: no deadline.
    public var deadline: ContinuousClock.Instant?

    /// A request; every option but the query has a default (no filter, 10 hits, no count).
    public init(
        query: Query = .matchAll, filter: Filter? = nil, limit: Int = 10, countTotal: Bool = false,
        strategy: IndexSearcher.Strategy = .automatic, facets: [FacetRequest] = [], selections: [FacetSelection] = [],
        sort: [SortKey] = [], searchAfter: String? = nil, offset: Int = 0, deadline: ContinuousClock.Instant? = nil
    ) {
        self.deadline = deadline
        self.offset = offset
        self.sort = sort
        self.searchAfter = searchAfter
        self.query = query
        self.filter = filter
        self.limit = limit
        self.countTotal = countTotal
        self.strategy = strategy
        self.facets = facets
        self.selections = selections
    }
}

/// What a search found.
public struct SearchResponse: Sendable, Hashable {
    /// At most `limit` hits after the first `offset`, best first: by the request's sort, else score descending, then older
    /// (segment, document) first. Hits of a sort without the score have score 0.
    public var hits: [SearchHit]
    /// The number of live documents matching the query and the filter, when asked for.
    public var totalCount: Int?
    /// One result per requested facet, in request order.
    public var facets: [FacetResult]
    /// For a sorted request, the position after the last hit, to pass as ``SearchRequest/searchAfter``
    /// for the next page; nil without a sort or without hits.
    public var cursor: String?

    /// A response from its parts.
    public init(hits: [SearchHit], totalCount: Int?, facets: [FacetResult] = [], cursor: String? = nil) {
        self.cursor = cursor
        self.hits = hits
        self.totalCount = totalCount
        self.facets = facets
    }
}
