/// Evaluating a filter on one segment: each leaf makes one pass over a column and sets one bit per
/// matching document; `and`, `or` and `not` combine whole words. Keyword values are resolved to the
/// segment's ordinals once (a value absent from the segment costs one binary search and no pass).
///
/// Why a bit set rather than a lazy per-document check: the set is built at ~1 ns per document and
/// then consulted in O(1) by every algorithm (and iterated by facets and filter-only requests),
/// whereas a lazy check re-decodes the columns for every candidate, which only wins when the query
/// has far fewer matches than the segment has documents (see ARCHITECTURE.md, measured figures).
extension FilterPlan {
    /// The live documents of `segment` that the filter accepts.
    func matchingDocuments(in segment: SegmentReader) -> DocBitSet {
        var set = evaluate(in: segment)
        if let live = segment.liveDocuments { set.formIntersection(live.bitSet) }
        return set
    }

    /// The documents of `segment` (deleted ones included) that the filter accepts.
    func evaluate(in segment: SegmentReader) -> DocBitSet {
        let count = Int(segment.documentCount)
        let columns = segment.columns
        var set = DocBitSet(count: count)
        switch self {
        case .all:
            set.complement()
        case .none:
            break
        case .keywordValues(let field, let values):
            guard let column = columns.keywordColumn(field: field) else { break }
            let ordinals = values.compactMap { column.ordinal(forValue: $0) }
            if ordinals.count == 1 {
                column.matchOrdinals(from: ordinals[0], through: ordinals[0], into: &set)
            } else if !ordinals.isEmpty {
                var wanted = [UInt8](repeating: 0, count: column.valueCount)
                for ordinal in ordinals { wanted[Int(ordinal)] = 1 }
                column.matchOrdinals(in: wanted, into: &set)
            }
        case .keywordRange(let field, let lower, let lowerInclusive, let upper, let upperInclusive):
            guard let column = columns.keywordColumn(field: field) else { break }
            var first = 0
            if let lower {
                first = column.lowerBoundOrdinal(lower)
                if !lowerInclusive, first < column.valueCount, column.ordinal(forValue: lower) != nil { first += 1 }
            }
            var end = column.valueCount
            if let upper {
                end = column.lowerBoundOrdinal(upper)
                if upperInclusive, end < column.valueCount, column.ordinal(forValue: upper) != nil { end += 1 }
            }
            if first < end { column.matchOrdinals(from: UInt32(first), through: UInt32(end - 1), into: &set) }
        case .numericRanges(let field, let ranges):
            columns.numericColumn(field: field)?.matchRanges(ranges, into: &set)
        case .exists(let field):
            if let column = columns.keywordColumn(field: field) {
                column.matchPresent(into: &set)
            } else {
                columns.numericColumn(field: field)?.matchPresent(into: &set)
            }
        case .not(let inner):
            set = inner.evaluate(in: segment)
            set.complement()
        case .and(let plans):
            set = plans[0].evaluate(in: segment)
            for plan in plans.dropFirst() {
                if set.isEmpty { break }
                set.formIntersection(plan.evaluate(in: segment))
            }
        case .or(let plans):
            for plan in plans { set.formUnion(plan.evaluate(in: segment)) }
        }
        return set
    }
}
