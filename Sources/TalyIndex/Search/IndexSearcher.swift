/// Runs ``Query`` values over one ``IndexReader`` snapshot: BM25 top-k (pruned or exhaustive) and counts.
///
/// Scoring is Lucene 9's `BM25Similarity` (see ``BM25Parameters``) with statistics summed over every
/// segment of the snapshot; deleted documents still count in them until merged away, as in Lucene.
/// A leaf without a field searches the default fields: a disjunction of the leaf over each, with the
/// field's weight as a boost (Lucene's `MultiFieldQueryParser`). Immutable and `Sendable`: one per
/// snapshot, shared by any number of threads.
public final class IndexSearcher: Sendable {
    /// A field searched by leaves without a field, with its boost.
    public struct DefaultField: Sendable, Hashable {
        /// The field's name.
        public var name: String
        /// The field's number in the schema.
        public var number: Int
        /// Multiplies the field's scores.
        public var weight: Float
    }

    /// How a search finds the top hits.
    public enum Strategy: Sendable, Hashable {
        /// Block-max pruning where the query shape allows it, else exhaustive.
        case automatic
        /// Score every match (the oracle the pruned algorithms are tested against).
        case exhaustive
    }

    /// The snapshot searched.
    public let reader: IndexReader
    /// The fields of field-less leaves.
    public let defaultFields: [DefaultField]
    /// BM25's parameters.
    public let parameters: BM25Parameters
    /// Per schema field, its statistics summed over the snapshot's segments.
    let statistics: [FieldStatistics]
    /// Per schema field, BM25's length factors under ``statistics`` and ``parameters``.
    let lengthFactors: [[Float]]

    /// A searcher over `reader` whose field-less leaves search every text field with weight 1.
    public convenience init(reader: IndexReader, bm25: BM25Parameters = .init()) {
        let textFields = reader.schema.fields.enumerated().compactMap { number, field -> DefaultField? in
            if case .text = field.type { return DefaultField(name: field.name, number: number, weight: 1) }
            return nil
        }
        self.init(reader: reader, resolvedDefaultFields: textFields, bm25: bm25)
    }

    /// A searcher over `reader` whose field-less leaves search `defaultFields` (name, weight).
    public convenience init(
        reader: IndexReader, defaultFields: [(name: String, weight: Float)], bm25: BM25Parameters = .init()
    ) throws(SearchError) {
        let schema = reader.schema
        var resolved: [DefaultField] = []
        for (name, weight) in defaultFields {
            guard let number = schema.fieldNumber(name) else { throw .unknownField(name) }
            let type = schema.fields[number].type
            guard schema.isIndexed(number) else {
                throw .fieldNotSearchable(name, type: type.isIndexed ? "append-only id" : type.name)
            }
            resolved.append(DefaultField(name: name, number: number, weight: weight))
        }
        self.init(reader: reader, resolvedDefaultFields: resolved, bm25: bm25)
    }

    private init(reader: IndexReader, resolvedDefaultFields: [DefaultField], bm25: BM25Parameters) {
        self.reader = reader
        parameters = bm25
        defaultFields = resolvedDefaultFields
        var statistics = [FieldStatistics](repeating: FieldStatistics(), count: reader.schema.fields.count)
        for segment in reader.segments {
            for stats in segment.info.fields where Int(stats.field) < statistics.count {
                statistics[Int(stats.field)].documentCount += stats.documentCount
                statistics[Int(stats.field)].sumTotalTermFrequency += stats.sumTotalTermFrequency
            }
        }
        self.statistics = statistics
        lengthFactors = statistics.map { BM25Weight.lengthFactors(statistics: $0, parameters: bm25) }
    }

    /// The `limit` best live matches of `query`, best first (ties: older (segment, document) first), and
    /// their exact total when `countTotal` is set: ``search(_:)-(SearchRequest)`` without a filter.
    public func search(_ query: Query, limit: Int, countTotal: Bool = false, strategy: Strategy = .automatic)
        throws(SearchError) -> TopHits
    {
        let response = try search(SearchRequest(query: query, limit: limit, countTotal: countTotal, strategy: strategy))
        return TopHits(hits: response.hits, totalCount: response.totalCount)
    }

    /// Runs `request`: the best hits of its query among the live documents its filter accepts, and their
    /// exact total when asked (for prunable shapes a pruned top-k plus a separate count, else one
    /// exhaustive pass that scores and counts every match), and its facets. Per segment the filter and the
    /// selections become one set of accepted documents that every algorithm consults as a required clause
    /// that does not score. A negative limit is a programming error (callers validate user input).
    public func search(_ request: SearchRequest) throws(SearchError) -> SearchResponse {
        try search(request, compiled: nil)
    }

    /// Runs a request prepared by ``prepare(_:)`` on this searcher, without compiling its query again.
    public func search(_ prepared: PreparedSearch) throws(SearchError) -> SearchResponse {
        try search(prepared.request, compiled: prepared.plan)
    }

    private func search(_ request: SearchRequest, compiled: QueryPlan?) throws(SearchError) -> SearchResponse {
        precondition(request.limit >= 0, "the limit must not be negative")
        precondition(request.offset >= 0, "the offset must not be negative")
        // The page is the tail of the best offset + limit (saturated: no index holds Int.max documents).
        let (kept, overflow) = request.offset.addingReportingOverflow(request.limit)
        let keep = request.limit == 0 ? 0 : overflow ? Int.max : kept
        let budget = SearchBudget(deadline: request.deadline)
        defer { budget.end() }
        let plan: QueryPlan
        if let compiled {
            plan = compiled
        } else {
            var compiler = QueryCompiler(searcher: self)
            plan = try compiler.compile(request.query)
        }
        // A fuzzy or prefix expansion stopped by the deadline is incomplete: never search with it.
        try budget.check()
        let filter = try compileFilter(request.filter)
        var selections: [(field: String, plan: FilterPlan)] = []
        for selection in request.selections {
            selections.append((selection.field, try compileFilter(selection.filter)!))
        }
        // The hits' filter: the request's and every selection.
        let hitFilters = (filter.map { [$0] } ?? []) + selections.map(\.plan)
        let hitFilter = hitFilters.isEmpty ? nil : hitFilters.count == 1 ? hitFilters[0] : FilterPlan.and(hitFilters)
        var facets: [FacetPlan] = []
        for facet in request.facets { facets.append(try FacetPlan(facet, schema: reader.schema)) }
        var accumulators = facets.map(FacetAccumulator.init)
        let sortPlan = request.sort.isEmpty ? nil : try SortPlan(request.sort, schema: reader.schema)
        var after: SearchCursor?
        if let cursor = request.searchAfter {
            guard let sortPlan else { throw .invalidCursor("search after a hit needs the request's sort; it has none") }
            after = try SearchCursor(decoding: cursor, for: sortPlan)
        }
        var sorted = sortPlan.map { SortedHits(plan: $0, limit: keep) }
        var heap = TopKHeap(capacity: keep)
        var total = 0
        do throws(IndexError) {
            for index in reader.segments.indices {
                // A spent budget drains the algorithms (their cursors end); between segments the clock
                // is read outright, since facet counting, sorting and filters walk no postings.
                if budget.isSpent { break }
                let accept: DocBitSet?
                if facets.isEmpty {
                    accept = try acceptedDocuments(segment: index, filter: hitFilter, plan: plan)
                } else {
                    accept = try countFacets(
                        segment: index, plan: plan, filter: filter, selections: selections, facets: facets,
                        into: &accumulators)
                }
                if let accept, accept.isEmpty { continue }
                if let sortPlan {
                    total += try collectSorted(
                        plan, sort: sortPlan, after: after, segment: index, accept: accept, into: &sorted!)
                    continue
                }
                // TOP_k_COUNT on a prunable shape: a pruned top-k plus a count without scores beats scoring
                // every match (ALGORITHMS.md section 5: apart they cost less than together for unions).
                let counting = request.countTotal && total < request.totalCountLimit
                if request.strategy == .automatic,
                    let pruned = try collectPruned(
                        plan, segment: index, accept: accept, counting: counting, into: &heap)
                {
                    if let counted = pruned {
                        total += counted
                    } else if counting {
                        total += try MatchCounter.count(
                            plan, segment: index, of: reader, accept: accept, upTo: request.totalCountLimit - total)
                    }
                    continue
                }
                total += try collectExhaustive(plan, segment: index, accept: accept, into: &heap)
            }
        } catch {
            throw .index(error)
        }
        try budget.check()
        let facetResults = zip(facets, accumulators).map { $1.result($0) }
        if let sorted, let sortPlan {
            let page = sorted.entries.dropFirst(request.offset)
            let cursor = page.last.map { SearchCursor(values: $0.values, id: $0.id).encoded(for: sortPlan) }
            return SearchResponse(
                hits: page.map(\.hit), totalCount: request.countTotal ? total : nil, facets: facetResults,
                cursor: cursor)
        }
        return SearchResponse(
            hits: Array(heap.sortedHits().dropFirst(request.offset)), totalCount: request.countTotal ? total : nil,
            facets: facetResults)
    }

    /// The number of live documents matching `query` and accepted by `filter`.
    public func count(_ query: Query, filter: Filter? = nil) throws(SearchError) -> Int {
        var compiler = QueryCompiler(searcher: self)
        let plan = try compiler.compile(query)
        let filter = try compileFilter(filter)
        var total = 0
        do throws(IndexError) {
            for index in reader.segments.indices {
                let accept = try acceptedDocuments(segment: index, filter: filter, plan: plan)
                if let accept, accept.isEmpty { continue }
                total += try MatchCounter.count(plan, segment: index, of: reader, accept: accept)
            }
        } catch {
            throw .index(error)
        }
        return total
    }

    /// Counts every facet over segment `index` and returns the documents the hits may come from (live,
    /// filter, every selection). Facets need whole sets: the query's matches, the filter and each
    /// selection are evaluated in bulk, and each facet intersects them without its own selections.
    private func countFacets(
        segment index: Int, plan: QueryPlan, filter: FilterPlan?, selections: [(field: String, plan: FilterPlan)],
        facets: [FacetPlan], into accumulators: inout [FacetAccumulator]
    ) throws(IndexError) -> DocBitSet? {
        let segment = reader.segments[index]
        let base = filter.map { $0.matchingDocuments(in: segment) } ?? segment.liveDocuments?.bitSet
        let selected = selections.map { $0.plan.evaluate(in: segment) }
        var accept = base
        for set in selected {
            if accept == nil { accept = set } else { accept!.formIntersection(set) }
        }
        let matches = try queryMatches(plan, segment: index)
        for (position, facet) in facets.enumerated() {
            if position > 0 && SearchBudget.isSpentNow { break }
            var docs = matches ?? DocBitSet.all(count: Int(segment.documentCount))
            if let base { docs.formIntersection(base) }
            for (selection, set) in zip(selections, selected) where selection.field != facet.request.field {
                docs.formIntersection(set)
            }
            accumulators[position].add(docs, of: segment, plan: facet)
        }
        return accept
    }

    /// The filter checked against the schema, or nil without one.
    func compileFilter(_ filter: Filter?) throws(SearchError) -> FilterPlan? {
        guard let filter else { return nil }
        do throws(FilterError) {
            return try FilterPlan(filter, schema: reader.schema)
        } catch {
            throw .filter(error)
        }
    }

    /// The documents of segment `index` a match of `plan` may come from: live and accepted by `filter`;
    /// nil when every document may (no deletes, no filter), which keeps the unfiltered fast paths.
    /// A query expected to match under 1/16 of the segment has its matches checked one by one (cheaper
    /// than a pass over the columns, see ``SegmentFilter``); otherwise the filter is evaluated in bulk.
    func acceptedDocuments(segment index: Int, filter: FilterPlan?, plan: QueryPlan) throws(IndexError) -> DocBitSet? {
        let segment = reader.segments[index]
        guard let filter else { return segment.liveDocuments?.bitSet }
        if plan.estimatedMatches(segment: index, of: reader) &* 16 < Int(segment.documentCount),
            let candidates = try queryMatches(plan, segment: index)
        {
            return filter.matchingDocuments(in: segment, among: candidates)
        }
        return filter.matchingDocuments(in: segment)
    }

    /// Every document of segment `index` that `plan` matches, deleted ones included; nil when it matches
    /// every document (match-all), so facets start from the filter alone.
    func queryMatches(_ plan: QueryPlan, segment index: Int) throws(IndexError) -> DocBitSet? {
        let segment = reader.segments[index]
        var set = DocBitSet(count: Int(segment.documentCount))
        switch plan {
        case .constant:
            return nil
        case .term(let leaf):
            if let info = leaf.infos[index] {
                try Self.insertDocuments(of: segment.postings.cursor(for: info), into: &set)
            }
            return set
        case .boolean(let boolean) where boolean.isTermDisjunction:
            // A union needs no merge: each term's postings set their bits (the generic scorer would
            // pay an existential call per clause per document).
            for case .term(let leaf) in boolean.should {
                if let info = leaf.infos[index] {
                    try Self.insertDocuments(of: segment.postings.cursor(for: info), into: &set)
                }
            }
            return set
        default:
            break
        }
        guard let scorer = try plan.scorer(segment: index, of: reader) else { return set }
        try Self.insertMatches(of: scorer, into: &set)
        return set
    }

    private static func insertDocuments(of cursor: PostingsCursor, into set: inout DocBitSet) throws(IndexError) {
        var doc = cursor.doc
        while doc != PostingsCursor.exhausted {
            set.insert(doc)
            doc = try cursor.next()
        }
    }

    private static func insertMatches<Scorer: DocScorer>(of scorer: Scorer, into set: inout DocBitSet)
        throws(IndexError)
    {
        var countdown = BudgetCountdown()
        var doc = scorer.doc
        while doc != PostingsCursor.exhausted {
            set.insert(doc)
            if countdown.spent() { break }
            doc = try scorer.next()
        }
    }

    /// Scores every accepted match of `plan` in segment `index` into `heap`; returns the matches counted.
    private func collectExhaustive(_ plan: QueryPlan, segment index: Int, accept: DocBitSet?, into heap: inout TopKHeap)
        throws(IndexError) -> Int
    {
        if case .constant(let score) = plan, let accept {
            // Filter-only: walk the filter's documents instead of every document.
            return try ExhaustiveTopK.collect(
                ConstantScoreScorer(DocBitSetScorer(accept), score: score), accept: nil, index: index, into: &heap)
        }
        guard let scorer = try plan.scorer(segment: index, of: reader) else { return 0 }
        if let accept, UInt64(accept.cardinality) &* 8 < scorer.cost {
            // A filter much rarer than the query leads the conjunction, skipping the query's postings.
            let filtered = try BooleanScorer(
                required: [(scorer, scores: true), (DocBitSetScorer(accept), scores: false)], optional: [],
                excluded: [], minimumShouldMatch: 0)
            return try ExhaustiveTopK.collect(filtered, accept: nil, index: index, into: &heap)
        }
        if let phrase = scorer as? PhraseScorer {
            // Specialized on the concrete scorer: no witness-table call per document of a lone phrase.
            return try ExhaustiveTopK.collect(phrase, accept: accept, index: index, into: &heap)
        }
        return try ExhaustiveTopK.collect(scorer, accept: accept, index: index, into: &heap)
    }

    /// Runs a pruned algorithm on segment `index` when the plan's shape has one: nil when it has none,
    /// else the segment's match count when `counting` and the algorithm counted in the same pass (a
    /// conjunction walks its matches anyway), or `.some(nil)` when the count is still to be taken.
    private func collectPruned(
        _ plan: QueryPlan, segment index: Int, accept: DocBitSet?, counting: Bool, into heap: inout TopKHeap
    ) throws(IndexError) -> Int?? {
        let segment = reader.segments[index]
        switch plan {
        case .term(let leaf):
            if let scorer = try leaf.scorer(in: segment, index: index) {
                try BlockMaxMaxScore.collect(
                    [scorer], excluded: Exclusions(), accept: accept, index: index, into: &heap)
            }
            return .some(nil)
        case .boolean(let boolean)
        where boolean.filter.isEmpty && boolean.should.allSatisfy(\.isTerm)
            && boolean.must.allSatisfy(\.isTermOrTermDisjunction):
            let excluded = try Exclusions(boolean.mustNot, segment: index, of: reader)
            var optional: [TermScorer] = []
            for case .term(let leaf) in boolean.should {
                if let scorer = try leaf.scorer(in: segment, index: index) { optional.append(scorer) }
            }
            if boolean.must.isEmpty {
                guard boolean.minimumShouldMatch <= 1 else { return nil }
                try BlockMaxMaxScore.collect(optional, excluded: excluded, accept: accept, index: index, into: &heap)
                return .some(nil)
            }
            if !boolean.must.allSatisfy(\.isTerm) {
                return try collectConjunctionOfUnions(
                    boolean, optional: optional, excluded: excluded, segment: index, accept: accept,
                    counting: counting, into: &heap)
            }
            var required: [TermScorer] = []
            for case .term(let leaf) in boolean.must {
                guard let scorer = try leaf.scorer(in: segment, index: index) else { return .some(0) }
                required.append(scorer)
            }
            if required.count == 1 && optional.isEmpty && accept == nil {
                if counting && required[0].cost <= Self.countInPassLimit {
                    // A short list is walked whole once: a count apart would open every cursor a second time,
                    // which was most of a `+jordan -country -basketball` TOP_100_COUNT.
                    return .some(
                        try BlockMaxConjunction.collect(
                            required: required, optional: [], excluded: excluded, accept: nil, index: index,
                            countingAll: true, into: &heap))
                }
                // One required term minus exclusions (`+python -snake`), unfiltered, is a lone term's top-k: the
                // exclusions are checked only on candidates that beat the threshold, and the conjunction's window
                // loop cost more per document. The count is taken apart.
                try BlockMaxMaxScore.collect(required, excluded: excluded, accept: accept, index: index, into: &heap)
                return .some(nil)
            }
            // One required term without deletes or filter counts for free (its df, minus what exclusions
            // remove); walking it whole to count in the same pass would cost more than the pruned pass.
            let countingAll = counting && (required.count > 1 || accept != nil)
            let count = try BlockMaxConjunction.collect(
                required: required, optional: optional, excluded: excluded, accept: accept, index: index,
                countingAll: countingAll, into: &heap)
            if countingAll { return .some(count) }
            return .some(nil)
        default:
            return nil
        }
    }

    /// The longest list of one required term minus exclusions that TOP_k_COUNT walks whole, counting as it
    /// scores, rather than counting apart (four blocks).
    static let countInPassLimit = UInt64(4 * PostingsFormat.blockSize)

    /// ``collectPruned(_:segment:accept:counting:into:)`` for a conjunction some of whose required clauses are
    /// disjunctions of terms (`+(a b) +c`): every required clause becomes a union (a term, a union of one).
    private func collectConjunctionOfUnions(
        _ boolean: BooleanPlan, optional: [TermScorer], excluded: Exclusions, segment index: Int,
        accept: DocBitSet?, counting: Bool, into heap: inout TopKHeap
    ) throws(IndexError) -> Int?? {
        let segment = reader.segments[index]
        var unions: [[TermScorer]] = []
        for clause in boolean.must {
            var terms: [TermScorer] = []
            switch clause {
            case .term(let leaf):
                if let scorer = try leaf.scorer(in: segment, index: index) { terms.append(scorer) }
            case .boolean(let disjunction):
                for case .term(let leaf) in disjunction.should {
                    if let scorer = try leaf.scorer(in: segment, index: index) { terms.append(scorer) }
                }
            default:
                preconditionFailure("only terms and disjunctions of terms reach here")
            }
            // A required clause with no term in the segment: nothing matches there.
            if terms.isEmpty { return .some(0) }
            unions.append(terms)
        }
        // As for terms, one required clause without deletes or filter is counted apart (a union's count
        // needs no scores).
        let countingAll = counting && (unions.count > 1 || accept != nil)
        let count = try BlockMaxConjunction.collect(
            requiredUnions: unions, optional: optional, excluded: excluded, accept: accept, index: index,
            countingAll: countingAll, into: &heap)
        return countingAll ? .some(count) : .some(nil)
    }
}
