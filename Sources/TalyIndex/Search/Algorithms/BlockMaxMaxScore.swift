/// Top-k of a disjunction of terms by block-max MaxScore (Turtle & Flood 1995, "Query evaluation:
/// strategies and optimizations"; with the per-block bounds of Ding & Suel 2011 as in Lucene 9's
/// `MaxScoreBulkScorer`).
///
/// The doc space is cut into windows that end where the first clause's current block ends, so inside a
/// window every clause's score is bounded by its block's impacts. A window whose summed bounds cannot beat
/// the heap's threshold is skipped without decoding a block. Otherwise the clauses are sorted by bound;
/// the longest prefix whose summed bounds cannot beat the threshold is *non-essential*: only essential
/// clauses generate candidates, and non-essential ones are probed in decreasing bound order only while
/// the candidate's partial score plus the remaining bounds can still beat the threshold.
///
/// Exactness: a term score never exceeds its block bound (BM25 as Lucene computes it is monotone in
/// frequency and norm), sums are taken in `Double` as the exhaustive scorer does, and a candidate is
/// dropped only when its bound is at most the threshold, which a later document cannot displace anyway
/// (ties go to the older address).
enum BlockMaxMaxScore {
    /// Collects the top hits of `clauses` (any of them), minus documents on `excluded` or outside `accept`
    /// (live and filtered documents; nil: every one), in one segment.
    ///
    /// A filter only removes candidates, so every block bound stays an upper bound and the result stays
    /// exact; the filter is checked before the non-essential clauses are probed.
    static func collect(
        _ owned: [TermScorer], excluded: Exclusions, accept: DocBitSet?, index: Int,
        into heap: inout TopKHeap
    ) throws(IndexError) {
        let count = owned.count
        guard count > 0 else { return }
        let clauses = owned.map(UnretainedTermScorer.init)
        defer { withExtendedLifetime(owned) {} }
        if count == 1 {
            return try collectSingle(clauses[0], excluded: excluded, accept: accept, index: index, into: &heap)
        }
        var bounds = [Float](repeating: 0, count: count)
        var order = Array(0..<count)
        // prefix[i] = sum of the bounds of order[0..<i], in Double like the scores.
        var prefix = [Double](repeating: 0, count: count + 1)
        var windowStart: UInt32 = PostingsCursor.exhausted
        for clause in owned { windowStart = min(windowStart, clause.doc) }
        // Once per window, which ends with a block of the first clause.
        while windowStart != PostingsCursor.exhausted && !SearchBudget.spentInLoop {
            var windowEnd = PostingsCursor.exhausted
            var total: Double = 0
            for position in 0..<count {
                let clause = clauses[position]
                if clause.doc == PostingsCursor.exhausted {
                    bounds[position] = 0
                    continue
                }
                let block = try clause.blockMax(at: max(windowStart, clause.doc))
                bounds[position] = block.score
                total += Double(block.score)
                windowEnd = min(windowEnd, block.lastDoc)
            }
            let threshold = heap.threshold
            if Float(total) <= threshold {
                if windowEnd == PostingsCursor.exhausted { return }
                windowStart = windowEnd &+ 1
                continue
            }
            // Partition: insertion sort of the clause indices by bound (few clauses).
            for position in 1..<max(count, 1) {
                let moving = order[position]
                var at = position
                while at > 0 && bounds[order[at - 1]] > bounds[moving] {
                    order[at] = order[at - 1]
                    at -= 1
                }
                order[at] = moving
            }
            for position in 0..<count { prefix[position + 1] = prefix[position] + Double(bounds[order[position]]) }
            var essentialStart = 0
            while essentialStart < count && Float(prefix[essentialStart + 1]) <= threshold { essentialStart += 1 }
            for position in essentialStart..<count {
                let clause = clauses[order[position]]
                if clause.doc < windowStart { _ = try clause.advance(to: windowStart) }
            }
            try scoreWindow(
                clauses, order: order, essentialStart: essentialStart, prefix: prefix, windowEnd: windowEnd,
                excluded: excluded, accept: accept, index: index, heap: &heap)
            if windowEnd == PostingsCursor.exhausted { return }
            windowStart = windowEnd &+ 1
        }
    }

    /// ``collect(_:excluded:accept:index:into:)`` of one term (a lone `the`): its blocks are the windows, and a block
    /// whose bound beats the threshold is scored document by document straight off the cursor, the threshold held
    /// in a register until an offer changes it. The generic window loop's per-document clause scan, partition and
    /// prefix bounds were most of a frequent term's top-k.
    private static func collectSingle(
        _ clause: UnretainedTermScorer, excluded: Exclusions, accept: DocBitSet?, index: Int, into heap: inout TopKHeap
    ) throws(IndexError) {
        var windowStart = clause.doc
        var threshold = heap.threshold
        while windowStart != PostingsCursor.exhausted {
            let block = try clause.blockMax(at: max(windowStart, clause.doc))
            if block.lastDoc == PostingsCursor.exhausted { return }
            if block.score > threshold {
                var doc = try clause.advance(to: windowStart)
                while doc <= block.lastDoc {
                    let score = clause.score()
                    if score > threshold && (accept?.contains(doc) ?? true) {
                        if try !excluded.contains(doc) {
                            heap.offer(score: score, segment: index, document: doc)
                            threshold = heap.threshold
                        }
                    }
                    doc = try clause.next()
                }
            }
            windowStart = block.lastDoc &+ 1
        }
    }

    /// Generates candidates from the essential clauses up to `windowEnd` and scores them.
    @inline(__always)
    private static func scoreWindow(
        _ clauses: [UnretainedTermScorer], order: [Int], essentialStart: Int, prefix: [Double], windowEnd: UInt32,
        excluded: Exclusions, accept: DocBitSet?, index: Int, heap: inout TopKHeap
    ) throws(IndexError) {
        let count = clauses.count
        while true {
            var doc = PostingsCursor.exhausted
            for position in essentialStart..<count { doc = min(doc, clauses[order[position]].doc) }
            if doc > windowEnd || doc == PostingsCursor.exhausted { return }
            var score: Double = 0
            for position in essentialStart..<count {
                let clause = clauses[order[position]]
                if clause.doc == doc {
                    score += Double(clause.score())
                    _ = try clause.next()
                }
            }
            if !(accept?.contains(doc) ?? true) { continue }
            let threshold = heap.threshold
            var competitive = true
            var position = essentialStart
            while position > 0 {
                if Float(score + prefix[position]) <= threshold {
                    competitive = false
                    break
                }
                position -= 1
                let clause = clauses[order[position]]
                if clause.doc < doc { _ = try clause.advance(to: doc) }
                if clause.doc == doc { score += Double(clause.score()) }
            }
            guard competitive, Float(score) > threshold, try !excluded.contains(doc) else { continue }
            heap.offer(score: Float(score), segment: index, document: doc)
        }
    }
}
