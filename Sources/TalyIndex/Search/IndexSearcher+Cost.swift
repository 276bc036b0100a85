/// A request whose query is compiled against one searcher's snapshot, with the estimated cost of
/// running it: the cost decides where to run it, and ``IndexSearcher/search(_:)-(PreparedSearch)``
/// then runs it without compiling the query again.
public struct PreparedSearch: Sendable {
    /// The request.
    public private(set) var request: SearchRequest
    /// ``IndexSearcher/estimatedCost(_:)`` of the request.
    public let estimatedCost: Int
    /// The compiled query; nil for a query that expands terms, compiled when searched so that the
    /// expansion runs where the search does, under its deadline.
    let plan: QueryPlan?

    /// When the search must stop (``SearchRequest/deadline``).
    public var deadline: ContinuousClock.Instant? {
        get { request.deadline }
        set { request.deadline = newValue }
    }
}

extension IndexSearcher {
    /// An upper estimate of the work of `request`, in postings and documents visited, taken without
    /// reading a posting (Lucene's `ScorerSupplier.cost` and `Weight.count`): the document
    /// frequencies of its terms in every segment, every document of a segment whose filter is
    /// evaluated in bulk, and the matches again for each facet and for a sort, which walk every
    /// match. Pruning usually visits far fewer postings; this bounds an exhaustive pass.
    ///
    /// A query that expands terms (a prefix, a fuzzy term of at least one edit) costs `Int.max`:
    /// the expansion walks the term dictionary before any document, and is not bounded by anything
    /// cheaper to compute than itself. Errors are those ``search(_:)-(SearchRequest)`` throws for the
    /// same query.
    public func estimatedCost(_ request: SearchRequest) throws(SearchError) -> Int {
        try prepare(request).estimatedCost
    }

    /// `request` with its query compiled (unless it expands terms) and its ``estimatedCost(_:)``.
    public func prepare(_ request: SearchRequest) throws(SearchError) -> PreparedSearch {
        if request.query.expandsTerms { return PreparedSearch(request: request, estimatedCost: .max, plan: nil) }
        var compiler = QueryCompiler(searcher: self)
        let plan = try compiler.compile(request.query)
        let filtered = request.filter != nil || !request.selections.isEmpty
        let walks = request.facets.count + (request.sort.isEmpty ? 0 : 1)
        var cost = 0
        for index in reader.segments.indices {
            let documents = Int(reader.segments[index].documentCount)
            let matches = plan.estimatedMatches(segment: index, of: reader)
            var segment = plan.postingsCost(segment: index, of: reader)
            // `acceptedDocuments`: a rare query checks its matches one by one, else the filter's
            // columns are read for every document.
            if filtered { segment += matches &* 16 < documents ? matches : documents }
            segment += matches &* walks
            cost = cost.addingReportingOverflow(segment).overflow ? .max : cost + segment
        }
        return PreparedSearch(request: request, estimatedCost: cost, plan: plan)
    }
}

extension Query {
    /// Whether the query expands a term into the dictionary's terms near it: a prefix, or a fuzzy
    /// term allowed an edit (by length: `QueryCompiler.typoEdits`).
    var expandsTerms: Bool {
        switch self {
        case .prefix: return true
        case .fuzzy(_, let text, let maximumEdits):
            if let maximumEdits { return maximumEdits > 0 }
            let isNumber = !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            return QueryCompiler.typoEdits(length: text.unicodeScalars.count, isNumber: isNumber) > 0
        case .boolean(let must, let should, let mustNot, let filter, _):
            return (must + should + mustNot + filter).contains(where: \.expandsTerms)
        case .boost(let query, _): return query.expandsTerms
        case .term, .phrase, .matchAll, .matchNone: return false
        }
    }
}

extension QueryPlan {
    /// The postings of segment `index` an exhaustive pass over the plan reads (every leaf's
    /// document frequency; every document for a match-all).
    func postingsCost(segment index: Int, of reader: IndexReader) -> Int {
        switch self {
        case .none: return 0
        case .constant: return Int(reader.segments[index].documentCount)
        case .term(let leaf): return Int(leaf.infos[index]?.documentFrequency ?? 0)
        case .phrase(let leaf): return leaf.infos[index].map { $0.reduce(0) { $0 + Int($1.documentFrequency) } } ?? 0
        case .constantScore(let inner, _): return inner.postingsCost(segment: index, of: reader)
        case .boolean(let plan):
            return (plan.must + plan.should + plan.mustNot + plan.filter).reduce(0) {
                $0 + $1.postingsCost(segment: index, of: reader)
            }
        }
    }
}
