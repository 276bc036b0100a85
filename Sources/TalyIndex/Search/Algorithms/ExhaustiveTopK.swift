/// The exhaustive oracle: scores every live match of a scorer tree and keeps the k best in a heap; also
/// counts the matches (TOP_k_COUNT). Deleted and filtered-out documents are absent from `accept`. Every pruning algorithm must return exactly its hits.
enum ExhaustiveTopK {
    /// Scores every match of `scorer` (segment number `index`) that `accept` holds (nil: every one) into
    /// `heap`; returns the matches counted.
    static func collect<Scorer: DocScorer>(
        _ scorer: Scorer, accept: DocBitSet?, index: Int, into heap: inout TopKHeap
    ) throws(IndexError) -> Int {
        var count = 0
        var countdown = BudgetCountdown()
        var doc = scorer.doc
        while doc != PostingsCursor.exhausted {
            if accept?.contains(doc) ?? true {
                count &+= 1
                heap.offer(score: try scorer.score(), segment: index, document: doc)
            }
            if countdown.spent() { break }
            doc = try scorer.next()
        }
        return count
    }
}
