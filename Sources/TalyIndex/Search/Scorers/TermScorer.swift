/// One term's postings in one segment, scored with BM25 (Lucene's `TermScorer`), plus the block-max bounds
/// of Ding & Suel 2011 computed from the postings' impacts.
///
/// A final class over a concrete ``PostingsCursor``: the algorithms in `Algorithms/` call it directly, with no
/// existential in their loops. The 256-entry length-factor table is copied into memory the scorer owns, so a
/// score is two loads, a multiply, an add and a divide.
final class TermScorer: DocScorer {
    /// The postings.
    let cursor: PostingsCursor
    /// `boost * idf`.
    let weight: Float
    /// Length factors by norm byte (256 entries).
    private let cache: UnsafeMutablePointer<Float>
    /// Norm bytes by document, or nil for fields without norms (keyword fields: length 1, as Lucene).
    private let norms: UnsafePointer<UInt8>?
    /// Keeps the norms' mapping alive.
    private let normsOwner: FieldNorms?

    /// The block whose bound ``blockBound`` holds (by its last doc; ``PostingsCursor/exhausted`` = none).
    private var boundLastDoc = PostingsCursor.exhausted
    private var blockBound: Float = 0

    init(cursor: PostingsCursor, bm25: BM25Weight, norms: FieldNorms?) {
        self.cursor = cursor
        weight = bm25.weight
        let table = UnsafeMutablePointer<Float>.allocate(capacity: 256)
        bm25.cache.withUnsafeBufferPointer { source in
            _ = UnsafeMutableBufferPointer(start: table, count: 256).initialize(from: source)
        }
        cache = table
        normsOwner = norms
        self.norms = norms.map { $0.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) }
    }

    deinit { cache.deallocate() }

    var doc: UInt32 { cursor.doc }
    var cost: UInt64 { UInt64(cursor.documentFrequency) }

    @inline(__always)
    func next() throws(IndexError) -> UInt32 { try cursor.next() }

    @inline(__always)
    func advance(to target: UInt32) throws(IndexError) -> UInt32 { try cursor.advance(to: target) }

    /// The BM25 score of the current document.
    @inline(__always)
    func score() -> Float {
        let frequency = Float(cursor.frequency)
        let norm = norms.map { Int($0[Int(cursor.doc)]) } ?? 1
        let normInverse = cache[norm]
        return weight - weight / (1 + frequency * normInverse)
    }

    /// The highest score any posting dominated by `impacts` can reach (0 for an empty list). BM25 as
    /// Lucene computes it is monotone in frequency and norm, so the best pair bounds every posting; and
    /// each step of `weight - weight / (1 + x)` is monotone in `x = frequency * cache[norm]` under
    /// rounding, so the score of the largest `x` is the largest score: one division per list, not one per
    /// pair (this ran once per block and clause in every block-max window).
    func bound(_ impacts: ImpactList) -> Float {
        if impacts.count == 0 { return 0 }
        guard weight >= 0 else {
            // A negative weight (a caller's negative boost) reverses the monotonicity: score every pair.
            var best: Float = 0
            for index in 0..<impacts.count {
                let normInverse = cache[norms == nil ? 1 : Int(impacts.norms[index])]
                best = max(best, weight - weight / (1 + Float(impacts.frequencies[index]) * normInverse))
            }
            return best
        }
        var best: Float = 0
        for index in 0..<impacts.count {
            let norm = norms == nil ? 1 : Int(impacts.norms[index])
            best = max(best, Float(impacts.frequencies[index]) * cache[norm])
        }
        return weight - weight / (1 + best)
    }

    /// A bound on the score of every posting of the list (its term-level impacts), computed once: the
    /// cheap first test of a block-max window before any block bound is read.
    private(set) lazy var maxScore: Float = bound(cursor.termImpacts)

    /// Moves the skip pointer to the block holding `target` and returns the bound of that block and the
    /// block's last document (the block-max and NextShallow of Ding & Suel 2011).
    @inline(__always)
    func blockMax(at target: UInt32) throws(IndexError) -> (score: Float, lastDoc: UInt32) {
        try cursor.shallowAdvance(to: target)
        let lastDoc = cursor.blockLastDoc
        if lastDoc == PostingsCursor.exhausted { return (0, lastDoc) }
        // Block last docs strictly increase, so an unchanged one means the same block: reuse its bound.
        if lastDoc != boundLastDoc {
            boundLastDoc = lastDoc
            if weight >= 0 {
                // `bound(_:)`'s largest product, read from the encoded impacts without decoding them into a list.
                let best = try cursor.largestBlockImpact(factors: cache, norms: norms != nil)
                blockBound = weight - weight / (1 + best)
            } else {
                blockBound = bound(try cursor.blockImpacts)
            }
        }
        return (blockBound, lastDoc)
    }
}

/// A reference to a ``TermScorer`` that costs no retain or release when used: the algorithms' loops read
/// clauses out of arrays per document, and each strong load was a retain/release pair (measured at ~20% of
/// disjunction top-k time). Valid only while the scorer is kept alive elsewhere (the caller's array).
struct UnretainedTermScorer {
    private let reference: Unmanaged<TermScorer>

    init(_ scorer: TermScorer) { reference = .passUnretained(scorer) }

    /// The current document.
    var doc: UInt32 { @inline(__always) get { reference._withUnsafeGuaranteedRef { $0.cursor.doc } } }

    /// The BM25 score of the current document.
    @inline(__always)
    func score() -> Float { reference._withUnsafeGuaranteedRef { $0.score() } }

    /// Moves to the next document.
    @inline(__always)
    func next() throws(IndexError) -> UInt32 {
        try reference._withUnsafeGuaranteedRef { scorer in Result { () throws(IndexError) in try scorer.next() } }
            .get()
    }

    /// Moves to the first document at or after `target`.
    @inline(__always)
    func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        try reference._withUnsafeGuaranteedRef { scorer in
            Result { () throws(IndexError) in try scorer.advance(to: target) }
        }.get()
    }

    /// The list's document frequency.
    var cost: UInt64 { @inline(__always) get { reference._withUnsafeGuaranteedRef { $0.cost } } }

    /// A bound on every score of the list (see ``TermScorer/maxScore``).
    var maxScore: Float { @inline(__always) get { reference._withUnsafeGuaranteedRef { $0.maxScore } } }

    /// The block bound at `target` (see ``TermScorer/blockMax(at:)``).
    @inline(__always)
    func blockMax(at target: UInt32) throws(IndexError) -> (score: Float, lastDoc: UInt32) {
        try reference._withUnsafeGuaranteedRef { scorer in
            Result { () throws(IndexError) in try scorer.blockMax(at: target) }
        }.get()
    }
}
