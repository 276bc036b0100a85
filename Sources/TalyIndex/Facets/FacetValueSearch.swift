/// Type-ahead within one keyword facet (Meilisearch's facet search): the values of `field` that
/// start with `prefix`, each with the number of documents having it among those the query, the
/// filter and the other facets' selections accept.
public struct FacetValueSearchRequest: Sendable, Hashable {
    /// The keyword field whose values are searched.
    public var field: String
    /// What the values start with, byte for byte (no folding: keyword values are exact); empty
    /// lists every value.
    public var prefix: String
    /// The documents counted must match it.
    public var query: Query
    /// The documents counted must pass it.
    public var filter: Filter?
    /// Selections made in facets; the one on ``field`` is ignored (disjunctive, as
    /// ``SearchRequest/selections`` counts the field's own facet).
    public var selections: [FacetSelection]
    /// The number of values returned, most documents first (ties by value, byte-wise).
    public var limit: Int
    /// When the search must stop (``SearchRequest/deadline``); nil: no deadline.
    public var deadline: ContinuousClock.Instant?

    /// A facet value search; counts over every live document unless narrowed.
    public init(
        field: String, prefix: String, query: Query = .matchAll, filter: Filter? = nil,
        selections: [FacetSelection] = [], limit: Int = 10, deadline: ContinuousClock.Instant? = nil
    ) {
        self.deadline = deadline
        self.field = field
        self.prefix = prefix
        self.query = query
        self.filter = filter
        self.selections = selections
        self.limit = limit
    }
}

/// What a facet value search found.
public struct FacetValueSearchResponse: Sendable, Hashable {
    /// At most `limit` values with a non-zero count, most documents first, ties by value.
    public var values: [FacetValueCount]
    /// How many values start with the prefix and have a non-zero count (before the limit).
    public var matchingValues: Int

    /// A response from its parts.
    public init(values: [FacetValueCount], matchingValues: Int) {
        self.values = values
        self.matchingValues = matchingValues
    }
}

extension IndexSearcher {
    /// The values of a keyword field starting with a prefix, counted over the live documents the
    /// request accepts. Per segment the prefix is a contiguous range of the column's sorted
    /// dictionary (two binary searches), and only ordinals in that range are counted, so a short
    /// prefix over a large dictionary costs one pass over the accepted documents; counts are then
    /// merged across segments by value, as facets are.
    public func searchFacetValues(_ request: FacetValueSearchRequest) throws(SearchError) -> FacetValueSearchResponse {
        precondition(request.limit >= 0, "the limit must not be negative")
        let field = request.field
        let budget = SearchBudget(deadline: request.deadline)
        defer { budget.end() }
        let plan = try FacetPlan(.values(field, limit: request.limit), schema: reader.schema)
        var compiler = QueryCompiler(searcher: self)
        let queryPlan = try compiler.compile(request.query)
        try budget.check()
        var filters: [FilterPlan] = []
        if let filter = try compileFilter(request.filter) { filters.append(filter) }
        for selection in request.selections where selection.field != field {
            filters.append(try compileFilter(selection.filter)!)
        }
        let filter = filters.isEmpty ? nil : filters.count == 1 ? filters[0] : FilterPlan.and(filters)
        let prefix = Array(request.prefix.utf8)
        var counts: [String: Int] = [:]
        do throws(IndexError) {
            for index in reader.segments.indices {
                if budget.isSpent { break }
                let segment = reader.segments[index]
                guard let column = segment.columns.keywordColumn(field: plan.field) else { continue }
                let range = column.ordinals(withPrefix: prefix)
                if range.isEmpty { continue }
                var docs = try queryMatches(queryPlan, segment: index)
                if let accepted = filter.map({ $0.matchingDocuments(in: segment) }) ?? segment.liveDocuments?.bitSet {
                    if docs == nil { docs = accepted } else { docs!.formIntersection(accepted) }
                }
                var segmentCounts = [Int](repeating: 0, count: range.count)
                if let docs {
                    column.countOrdinals(docs: docs, in: range, into: &segmentCounts)
                } else {
                    column.countOrdinals(docs: 0..<UInt32(column.docCount), in: range, into: &segmentCounts)
                }
                for (offset, count) in segmentCounts.enumerated() where count > 0 {
                    let value = String(decoding: column.value(forOrdinal: range.lowerBound + offset), as: UTF8.self)
                    counts[value, default: 0] += count
                }
            }
        } catch {
            throw .index(error)
        }
        try budget.check()
        var values = counts.map { FacetValueCount(value: $0.key, count: $0.value) }
        values.sort {
            $0.count != $1.count ? $0.count > $1.count : $0.value.utf8.lexicographicallyPrecedes($1.value.utf8)
        }
        return FacetValueSearchResponse(values: Array(values.prefix(request.limit)), matchingValues: values.count)
    }
}

extension KeywordColumn {
    /// The ordinals of the values starting with `prefix`: contiguous, because the dictionary is
    /// sorted byte-wise and every value with the prefix sorts at or after the prefix itself and
    /// before the first greater value without it.
    func ordinals(withPrefix prefix: [UInt8]) -> Range<Int> {
        prefix.withUnsafeBytes { prefix in
            var low = 0
            var high = valueCount
            while low < high {
                let middle = (low + high) / 2
                if compare(middle, prefix) < 0 { low = middle + 1 } else { high = middle }
            }
            let start = low
            high = valueCount
            while low < high {
                let middle = (low + high) / 2
                if hasPrefix(middle, prefix) { low = middle + 1 } else { high = middle }
            }
            return start..<low
        }
    }

    private func hasPrefix(_ ordinal: Int, _ prefix: UnsafeRawBufferPointer) -> Bool {
        let value = value(forOrdinal: ordinal)
        guard value.count >= prefix.count else { return false }
        for index in 0..<prefix.count where value[index] != prefix[index] { return false }
        return true
    }

    /// Adds one to `counts[ordinal − range.lowerBound]` for every ordinal in `range` of every doc
    /// in `docs`; `counts` has `range.count` slots.
    func countOrdinals(docs: some Sequence<UInt32>, in range: Range<Int>, into counts: inout [Int]) {
        precondition(counts.count >= range.count, "\(counts.count) counts for \(range.count) values")
        let low = UInt32(range.lowerBound)
        let high = UInt32(range.upperBound)
        counts.withUnsafeMutableBufferPointer { slots in
            for doc in docs {
                // Ordinals ascend: stop at the first one past the range.
                for ordinal in ordinals(doc) {
                    if ordinal >= high { break }
                    if ordinal >= low { slots[Int(ordinal &- low)] &+= 1 }
                }
            }
        }
    }
}
