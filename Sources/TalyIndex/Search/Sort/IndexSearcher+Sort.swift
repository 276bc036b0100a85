extension IndexSearcher {
    /// Collects the accepted matches of `plan` in segment `index` that come after `after` into `hits`,
    /// by `sort`; returns the accepted matches counted (cursor or not, as totals ignore the cursor).
    /// Matches are scored only when a key is the score.
    func collectSorted(
        _ plan: QueryPlan, sort: SortPlan, after: SearchCursor?, segment index: Int, accept: DocBitSet?,
        into hits: inout SortedHits
    ) throws(IndexError) -> Int {
        let segment = reader.segments[index]
        let keys = try SegmentSortKeys(sort, segment: segment)
        var collector = SortCollector(
            keys: keys, heap: SegmentSortHeap(capacity: hits.limit, stride: keys.stride),
            cursor: try after.map { (cursor) throws(IndexError) in try keys.cursorWords(cursor, segment: segment) })
        var count = 0
        if sort.needsScores {
            guard let scorer = try plan.scorer(segment: index, of: reader) else { return 0 }
            count = try Self.collectScored(scorer, accept: accept, into: &collector)
        } else {
            var docs = try queryMatches(plan, segment: index)
            if let accept {
                if docs == nil { docs = accept } else { docs!.formIntersection(accept) }
            }
            if let docs {
                for doc in docs {
                    count &+= 1
                    collector.offer(doc, score: 0)
                }
            } else {
                for doc in 0..<segment.documentCount { collector.offer(doc, score: 0) }
                count = Int(segment.documentCount)
            }
        }
        try hits.merge(collector.heap, keys: keys, segment: segment, index: index)
        return count
    }

    private static func collectScored<Scorer: DocScorer>(
        _ scorer: Scorer, accept: DocBitSet?, into collector: inout SortCollector
    ) throws(IndexError) -> Int {
        var count = 0
        var countdown = BudgetCountdown()
        var doc = scorer.doc
        while doc != PostingsCursor.exhausted {
            if accept?.contains(doc) ?? true {
                count &+= 1
                collector.offer(doc, score: try scorer.score())
            }
            if countdown.spent() { break }
            doc = try scorer.next()
        }
        return count
    }
}

/// One segment's sorted collection: each candidate's words are written to a scratch entry, checked
/// against the cursor, then against the heap's worst entry.
struct SortCollector {
    let keys: SegmentSortKeys
    var heap: SegmentSortHeap
    let cursor: [UInt64]?
    private var candidate: [UInt64]

    init(keys: SegmentSortKeys, heap: SegmentSortHeap, cursor: [UInt64]?) {
        self.keys = keys
        self.heap = heap
        self.cursor = cursor
        candidate = [UInt64](repeating: 0, count: keys.stride)
    }

    @inline(__always)
    mutating func offer(_ doc: UInt32, score: Float) {
        let stride = keys.stride
        let kept = candidate.withUnsafeMutableBufferPointer { candidate -> Bool in
            let words = candidate.baseAddress!
            // The first key alone rejects most candidates once the heap is full (or before the cursor).
            keys.encodeFirstKey(doc, score: score, into: words)
            if let cursor, cursor.withUnsafeBufferPointer({ SegmentSortHeap.compare(words, $0.baseAddress!, 2) < 0 }) {
                return false
            }
            if !heap.accepts(words, prefix: 2) { return false }
            keys.encode(doc, score: score, into: words)
            if let cursor {
                let after = cursor.withUnsafeBufferPointer {
                    SegmentSortHeap.compare(words, $0.baseAddress!, stride) > 0
                }
                if !after { return false }
            }
            return heap.accepts(words, prefix: stride)
        }
        if kept { candidate.withUnsafeBufferPointer { heap.insert($0.baseAddress!, score: score) } }
    }
}
