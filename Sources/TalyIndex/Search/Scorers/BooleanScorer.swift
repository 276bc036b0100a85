/// The generic boolean scorer of one segment, for any mix of clauses (Lucene's `ConjunctionScorer`,
/// `DisjunctionSumScorer`, `ReqExclScorer` and `ReqOptSumScorer` in one class).
///
/// With required clauses (must and filter) the required ones are leapfrogged, rarest first, and `should`
/// clauses only add to the score. Without, the document is the smallest among the `should` clauses and
/// at least `minimumShouldMatch` of them must be on it. A document on any excluded clause is skipped.
/// Required clauses are leapfrogged on their approximations and two-phase ones (phrases) confirmed only
/// once every required clause agrees on a document (Lucene's `ConjunctionDISI` over `TwoPhaseIterator`s):
/// in `+"the who" +uk` positions are read only for documents that hold `uk`.
/// Scores are summed in `Double` and rounded to `Float`, as Lucene's sum scorers do.
final class BooleanScorer: DocScorer {
    private let required: [any DocScorer]
    /// Whether each required clause scores (must) or only filters.
    private let requiredScores: [Bool]
    /// The required clauses whose candidates need confirming, cheapest first.
    private let twoPhase: [any DocScorer]
    /// Whether the lead is two-phase (then it moves by its approximation).
    private let leadIsTwoPhase: Bool
    private let optional: [any DocScorer]
    private let excluded: [any DocScorer]
    private let minimumShouldMatch: Int
    private(set) var doc: UInt32 = PostingsCursor.exhausted
    let cost: UInt64

    /// `required` must be non-empty or `optional` must be; `minimumShouldMatch` applies without required ones.
    init(
        required: [(any DocScorer, scores: Bool)], optional: [any DocScorer], excluded: [any DocScorer],
        minimumShouldMatch: Int
    ) throws(IndexError) {
        let sorted = required.sorted { $0.0.cost < $1.0.cost }
        self.required = sorted.map(\.0)
        requiredScores = sorted.map(\.scores)
        twoPhase = sorted.map(\.0).filter(\.isTwoPhase)
        leadIsTwoPhase = sorted.first?.0.isTwoPhase ?? false
        self.optional = optional
        self.excluded = excluded
        self.minimumShouldMatch = max(1, minimumShouldMatch)
        cost = sorted.first?.0.cost ?? optional.reduce(0) { $0 + $1.cost }
        _ = try settle(from: required.isEmpty ? minimumOptional() : sorted[0].0.doc)
    }

    func next() throws(IndexError) -> UInt32 {
        if doc == PostingsCursor.exhausted { return doc }
        if required.isEmpty {
            for position in optional.indices where optional[position].doc == doc { _ = try optional[position].next() }
            return try settle(from: minimumOptional())
        }
        return try settle(from: try leadNext(after: doc))
    }

    func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        if target <= doc { return doc }
        if required.isEmpty {
            for position in optional.indices where optional[position].doc < target {
                _ = try optional[position].advance(to: target)
            }
            return try settle(from: minimumOptional())
        }
        return try settle(from: try required[0].approximateAdvance(to: target))
    }

    /// Moves the lead past `candidate`: by its approximation when it is two-phase.
    @inline(__always)
    private func leadNext(after candidate: UInt32) throws(IndexError) -> UInt32 {
        leadIsTwoPhase ? try required[0].approximateAdvance(to: candidate &+ 1) : try required[0].next()
    }

    func score() throws(IndexError) -> Float {
        var sum: Double = 0
        for position in required.indices where requiredScores[position] {
            sum += Double(try required[position].score())
        }
        for position in optional.indices {
            let clause = optional[position]
            if clause.doc < doc { _ = try clause.advance(to: doc) }
            if clause.doc == doc { sum += Double(try clause.score()) }
        }
        return Float(sum)
    }

    private func minimumOptional() -> UInt32 {
        var smallest = PostingsCursor.exhausted
        for position in optional.indices { smallest = min(smallest, optional[position].doc) }
        return smallest
    }

    /// Finds the first match at or after `start` (the lead's document, or the smallest optional one).
    private func settle(from start: UInt32) throws(IndexError) -> UInt32 {
        var candidate = start
        while candidate != PostingsCursor.exhausted {
            if required.isEmpty {
                var matching = 0
                for position in optional.indices where optional[position].doc == candidate { matching += 1 }
                var rejected = matching < minimumShouldMatch
                if !rejected { rejected = try isExcluded(candidate) }
                if rejected {
                    for position in optional.indices where optional[position].doc == candidate {
                        _ = try optional[position].next()
                    }
                    candidate = minimumOptional()
                    continue
                }
                doc = candidate
                return candidate
            }
            var agreed = true
            // Indices, not `dropFirst()` or `for … in`: each retained the array once per candidate.
            for position in required.indices.dropFirst() {
                let found = try required[position].approximateAdvance(to: candidate)
                if found != candidate {
                    candidate = try required[0].approximateAdvance(to: found)
                    agreed = false
                    break
                }
            }
            if !agreed { continue }
            var rejected = try !isConfirmed()
            if !rejected { rejected = try isExcluded(candidate) }
            if rejected {
                candidate = try leadNext(after: candidate)
                continue
            }
            doc = candidate
            return candidate
        }
        doc = PostingsCursor.exhausted
        return doc
    }

    /// Whether every two-phase required clause confirms the document they all stand on.
    private func isConfirmed() throws(IndexError) -> Bool {
        for position in twoPhase.indices where try !twoPhase[position].confirm() { return false }
        return true
    }

    private func isExcluded(_ candidate: UInt32) throws(IndexError) -> Bool {
        for position in excluded.indices where try excluded[position].advance(to: candidate) == candidate {
            return true
        }
        return false
    }
}
