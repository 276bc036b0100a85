/// Top-k of a conjunction of terms or disjunctions of terms (`+(a b) +c`), optionally with `should` terms
/// that only add to the score and excluded clauses: leapfrog from the rarest clause (Lucene's
/// `ConjunctionDISI`) with block-max skipping (Lucene's `BlockMaxConjunctionScorer`, Ding & Suel 2011).
///
/// Windows end where the first clause's current block ends; a window whose summed block bounds (required
/// and optional) cannot beat the threshold is skipped without decoding. A disjunction's block bound is the
/// sum of its terms' bounds up to the first of their block ends (Lucene's `DisjunctionSumScorer`
/// `getMaxScore`). Matches add the optional terms in order while the partial score plus their remaining
/// bounds can still beat the threshold.
///
/// With `countingAll` (TOP_k_COUNT) the same pass also counts every match: such a window is still
/// leapfrogged, but its matches are only counted, never scored (the intersection must be walked for
/// the count anyway, so one pass beats a pruned top-k plus a separate count; ALGORITHMS.md section 5).
enum BlockMaxConjunction {
    /// A required clause more than this many times as frequent as the lead is bounded by its whole list, not by
    /// its blocks (see `bounded` in the algorithm).
    static let denseRatio: UInt64 = 16

    /// Collects the top hits of documents on every `required` term (non-empty), on no `excluded` clause and
    /// in `accept` (live and filtered documents; nil: every one) in one segment; returns the number of such
    /// documents when `countingAll`, else 0.
    @discardableResult
    static func collect(
        required unsorted: [TermScorer], optional ownedOptional: [TermScorer], excluded: Exclusions,
        accept: DocBitSet?, index: Int, countingAll: Bool = false, into heap: inout TopKHeap
    ) throws(IndexError) -> Int {
        let owned = unsorted.sorted { $0.cost < $1.cost }
        defer { withExtendedLifetime((owned, ownedOptional)) {} }
        return try collect(
            clauses: owned.map(UnretainedTermScorer.init), optional: ownedOptional.map(UnretainedTermScorer.init),
            excluded: excluded, accept: accept, index: index, countingAll: countingAll, into: &heap)
    }

    /// ``collect(required:optional:excluded:accept:index:countingAll:into:)`` where each required clause is
    /// a disjunction of the terms of one entry of `requiredUnions` (non-empty; each entry non-empty, in the
    /// order of the query's `should` clauses, which fixes the order their scores are summed in).
    @discardableResult
    static func collect(
        requiredUnions: [[TermScorer]], optional ownedOptional: [TermScorer], excluded: Exclusions,
        accept: DocBitSet?, index: Int, countingAll: Bool = false, into heap: inout TopKHeap
    ) throws(IndexError) -> Int {
        defer { withExtendedLifetime((requiredUnions, ownedOptional)) {} }
        // Sorted as the generic scorer sorts its required clauses, so scores are summed in its order.
        let unions = requiredUnions.map(TermUnion.init).sorted { $0.cost < $1.cost }
        return try collect(
            clauses: unions, optional: ownedOptional.map(UnretainedTermScorer.init), excluded: excluded,
            accept: accept, index: index, countingAll: countingAll, into: &heap)
    }

    /// The algorithm over required clauses sorted rarest first.
    private static func collect<Clause: BlockMaxClause>(
        clauses: [Clause], optional: [UnretainedTermScorer], excluded: Exclusions, accept: DocBitSet?, index: Int,
        countingAll: Bool, into heap: inout TopKHeap
    ) throws(IndexError) -> Int {
        var required = clauses
        // Counted matches already passed the exclusions; built once (a temporary per match was a retain and a
        // release of its arrays per document).
        let scoringExclusions = countingAll ? Exclusions() : excluded
        // remaining[i] = the sum of the optional bounds from i on.
        var remaining = [Double](repeating: 0, count: optional.count + 1)
        // The whole-list bounds of every clause but the lead, summed once. A window first tries the lead's
        // block bound plus these: when that cannot beat the threshold, the window is the lead's whole block
        // (the rarest clause's, so the widest) and the other clauses' skip lists and impacts are not read —
        // with frequent terms beside a rare lead, their block bounds per lead block were most of the work.
        var othersMax: Double = 0
        for position in required.indices.dropFirst() { othersMax += Double(required[position].maxScore) }
        for position in optional.indices { othersMax += Double(optional[position].maxScore) }
        // Required clauses from `bounded` on are far denser than the lead (`the` beside `rings`): their blocks end
        // every few lead documents, so their block bounds cut the windows to their blocks and cost a skip entry and
        // an impact list each, for little pruning (a frequent term's idf, so its bound, is small). They count with
        // their whole-list bounds, `denseMax`, and the lead's block stays one window (Lucene's windows are the
        // lead's blocks too, its dense clauses bounded over them by multi-level skip data).
        var bounded = required.count
        let denseCost = required[0].cost &* denseRatio
        for position in required.indices.dropFirst() where required[position].cost > denseCost {
            bounded = position
            break
        }
        var denseMax: Double = 0
        for position in bounded..<required.count { denseMax += Double(required[position].maxScore) }
        var target = required[0].doc
        var count = 0
        // Once per window (the lead's block): a clause may be a union of many expanded terms, whose
        // lists would each drain a block past the deadline.
        while target != PostingsCursor.exhausted && !SearchBudget.spentInLoop {
            var windowEnd = PostingsCursor.exhausted
            var scoring = false
            let lead = try required[0].blockMax(at: max(target, required[0].doc))
            if Float(Double(lead.score) + othersMax) <= heap.threshold {
                windowEnd = lead.lastDoc
            } else {
                var requiredBound = Double(lead.score) + denseMax
                windowEnd = lead.lastDoc
                for position in 1..<bounded {
                    let block = try required[position].blockMax(at: max(target, required[position].doc))
                    requiredBound += Double(block.score)
                    windowEnd = min(windowEnd, block.lastDoc)
                }
                for position in stride(from: optional.count - 1, through: 0, by: -1) {
                    let clause = optional[position]
                    var bound: Float = 0
                    if clause.doc != PostingsCursor.exhausted {
                        let block = try clause.blockMax(at: max(target, clause.doc))
                        bound = block.score
                        windowEnd = min(windowEnd, block.lastDoc)
                    }
                    remaining[position] = remaining[position + 1] + Double(bound)
                }
                scoring = Float(requiredBound + remaining[0]) > heap.threshold
            }
            if !scoring && !countingAll {
                if windowEnd == PostingsCursor.exhausted { return count }
                // Only the skip pointer moves: the next window's bound may skip the block undecoded too.
                target = windowEnd &+ 1
                continue
            }
            var doc = try required[0].advance(to: target)
            leapfrog: while doc <= windowEnd && doc != PostingsCursor.exhausted {
                // The accepted documents (live ∧ filter) join the leapfrog as a required clause that does not
                // score (Lucene's FILTER clause): a selective filter skips the lead's postings.
                if let accept {
                    let allowed = accept.nextDocument(atOrAfter: doc)
                    if allowed != doc {
                        if allowed == PostingsCursor.exhausted { return count }
                        doc = try required[0].advance(to: allowed)
                        continue leapfrog
                    }
                }
                // Indices, not `dropFirst()`: the slice retained the array once per document.
                for position in 1..<required.count {
                    let found = try required[position].advance(to: doc)
                    if found != doc {
                        doc = try required[0].advance(to: found)
                        continue leapfrog
                    }
                }
                if countingAll {
                    if try excluded.contains(doc) {
                        doc = try required[0].next()
                        continue leapfrog
                    }
                    count &+= 1
                }
                if scoring {
                    try score(
                        doc, required: required, optional: optional, remaining: remaining,
                        excluded: scoringExclusions, index: index, heap: &heap)
                }
                doc = try required[0].next()
            }
            target = doc
        }
        return count
    }

    @inline(__always)
    private static func score(
        _ doc: UInt32, required: [some BlockMaxClause], optional: [UnretainedTermScorer], remaining: [Double],
        excluded: Exclusions, index: Int, heap: inout TopKHeap
    ) throws(IndexError) {
        var score: Double = 0
        for clause in required { score += Double(clause.score()) }
        let threshold = heap.threshold
        for position in optional.indices {
            if Float(score + remaining[position]) <= threshold { return }
            let clause = optional[position]
            if clause.doc < doc { _ = try clause.advance(to: doc) }
            if clause.doc == doc { score += Double(clause.score()) }
        }
        guard Float(score) > threshold, try !excluded.contains(doc) else { return }
        heap.offer(score: Float(score), segment: index, document: doc)
    }
}
