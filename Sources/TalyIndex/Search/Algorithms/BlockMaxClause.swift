/// A required clause of ``BlockMaxConjunction``: a document iterator with block-max bounds (Lucene's
/// `advanceShallow` and `getMaxScore`). The algorithm is generic over it so each shape runs specialized
/// code, with no existential in its loop.
protocol BlockMaxClause {
    /// The current document, or ``PostingsCursor/exhausted``.
    var doc: UInt32 { get }
    /// Moves to the first document at or after `target` (stays when already there).
    mutating func advance(to target: UInt32) throws(IndexError) -> UInt32
    /// Moves past the current document.
    mutating func next() throws(IndexError) -> UInt32
    /// The score of the current document, rounded as the generic scorer rounds it.
    func score() -> Float
    /// A bound on the score of every document from `target` to the returned last document (not before the
    /// current one), and that last document.
    mutating func blockMax(at target: UInt32) throws(IndexError) -> (score: Float, lastDoc: UInt32)
    /// A bound on the score of every document of the clause (from whole-list impacts; reads no block).
    var maxScore: Float { get }
    /// The documents the clause may match (its document frequencies): the leapfrog's order.
    var cost: UInt64 { get }
}

extension UnretainedTermScorer: BlockMaxClause {}

/// A disjunction of terms as one required clause (`(a b)` in `+(a b) +c`): its document is the smallest of
/// its terms', its score their sum over the terms on it, its block bound the sum of their block bounds up
/// to the first of their block ends (Lucene's `DisjunctionSumScorer.advanceShallow`/`getMaxScore`).
struct TermUnion: BlockMaxClause {
    /// The terms, in the order their scores are summed (the query's, as the generic scorer sums them).
    private let terms: [UnretainedTermScorer]
    private(set) var doc: UInt32
    /// The sum of the terms' document frequencies (the generic scorer's cost of a disjunction).
    let cost: UInt64

    /// The union of `scorers` (non-empty), which the caller keeps alive while it is used.
    init(_ scorers: [TermScorer]) {
        terms = scorers.map(UnretainedTermScorer.init)
        doc = scorers.reduce(PostingsCursor.exhausted) { min($0, $1.doc) }
        cost = scorers.reduce(0) { $0 &+ $1.cost }
    }

    @inline(__always)
    mutating func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        if target <= doc { return doc }
        var smallest = PostingsCursor.exhausted
        for position in terms.indices {
            var current = terms[position].doc
            if current < target { current = try terms[position].advance(to: target) }
            smallest = min(smallest, current)
        }
        doc = smallest
        return smallest
    }

    @inline(__always)
    mutating func next() throws(IndexError) -> UInt32 {
        doc == PostingsCursor.exhausted ? doc : try advance(to: doc &+ 1)
    }

    /// The sum in `Double` rounded to `Float`, as ``BooleanScorer`` scores a disjunction.
    @inline(__always)
    func score() -> Float {
        var sum: Double = 0
        for position in terms.indices where terms[position].doc == doc { sum += Double(terms[position].score()) }
        return Float(sum)
    }

    /// The terms' whole-list bounds summed and rounded as ``blockMax(at:)`` rounds its sum.
    var maxScore: Float {
        var bound: Double = 0
        for position in terms.indices { bound += Double(terms[position].maxScore) }
        return Float(bound)
    }

    /// The summed bound rounded as ``score()`` rounds the sum: rounding is monotone, so the rounded bound
    /// still bounds every rounded score.
    @inline(__always)
    mutating func blockMax(at target: UInt32) throws(IndexError) -> (score: Float, lastDoc: UInt32) {
        var bound: Double = 0
        var lastDoc = PostingsCursor.exhausted
        for position in terms.indices where terms[position].doc != PostingsCursor.exhausted {
            let block = try terms[position].blockMax(at: max(target, terms[position].doc))
            bound += Double(block.score)
            lastDoc = min(lastDoc, block.lastDoc)
        }
        return (Float(bound), lastDoc)
    }
}
