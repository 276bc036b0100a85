/// A per-segment iterator over the documents a query matches, in increasing order, with their scores:
/// Lucene's `Scorer` with its `DocIdSetIterator`. It starts ON its first match (or ``PostingsCursor/exhausted``),
/// like ``PostingsCursor``.
///
/// The generic tree of scorers (booleans of phrases of …) runs through `any DocScorer`: an existential per
/// clause per document, the price of generality. The hot shapes (disjunctions and conjunctions of terms)
/// bypass it in `Algorithms/` on concrete ``TermScorer``s.
protocol DocScorer: AnyObject {
    /// The current document, or ``PostingsCursor/exhausted``.
    var doc: UInt32 { get }
    /// An estimate of the number of matches (for ordering conjunctions: rarest first).
    var cost: UInt64 { get }
    /// Moves to the next match and returns it.
    func next() throws(IndexError) -> UInt32
    /// Moves to the first match at or after `target` (never backwards) and returns it.
    func advance(to target: UInt32) throws(IndexError) -> UInt32
    /// The score of the current document (called at most once per document).
    func score() throws(IndexError) -> Float

    /// True when the scorer's matches are confirmed by a costly check (positions) after a cheap
    /// approximation: two-phase iteration (Lucene's `TwoPhaseIterator`, LUCENE-6198).
    var isTwoPhase: Bool { get }
    /// Moves the approximation to its first candidate at or after `target` (never backwards) and returns
    /// it: a superset of the matches, to be confirmed by ``confirm()`` before it is scored.
    func approximateAdvance(to target: UInt32) throws(IndexError) -> UInt32
    /// Whether the current candidate of the approximation is a match (checked once per document).
    func confirm() throws(IndexError) -> Bool
}

extension DocScorer {
    var isTwoPhase: Bool { false }

    func approximateAdvance(to target: UInt32) throws(IndexError) -> UInt32 { try advance(to: target) }

    func confirm() -> Bool { true }
}

/// Every document of a segment, scored by a constant: `matchAll` (Lucene's `ConstantScoreScorer` over
/// `DocIdSetIterator.all`). Deleted documents are filtered by the collectors, as for every scorer.
final class AllDocumentsScorer: DocScorer {
    private(set) var doc: UInt32
    private let end: UInt32
    private let constant: Float
    var cost: UInt64 { UInt64(end) }

    init(documentCount: UInt32, score: Float) {
        end = documentCount
        constant = score
        doc = documentCount == 0 ? PostingsCursor.exhausted : 0
    }

    func next() -> UInt32 {
        doc = doc &+ 1 < end ? doc &+ 1 : PostingsCursor.exhausted
        return doc
    }

    func advance(to target: UInt32) -> UInt32 {
        if target <= doc { return doc }
        doc = target < end ? target : PostingsCursor.exhausted
        return doc
    }

    func score() -> Float { constant }
}

/// The documents of another scorer, each scored by a constant (Lucene's `ConstantScoreScorer`): expanded
/// prefix queries score their boost, as Lucene's constant-score rewrite does.
final class ConstantScoreScorer: DocScorer {
    private let inner: any DocScorer
    private let constant: Float
    var doc: UInt32 { inner.doc }
    var cost: UInt64 { inner.cost }

    init(_ inner: any DocScorer, score: Float) {
        self.inner = inner
        constant = score
    }

    func next() throws(IndexError) -> UInt32 { try inner.next() }
    func advance(to target: UInt32) throws(IndexError) -> UInt32 { try inner.advance(to: target) }
    func score() -> Float { constant }
    var isTwoPhase: Bool { inner.isTwoPhase }
    func approximateAdvance(to target: UInt32) throws(IndexError) -> UInt32 {
        try inner.approximateAdvance(to: target)
    }
    func confirm() throws(IndexError) -> Bool { try inner.confirm() }
}
