/// A clause of a leapfrog that only matches (counts, exclusions): concrete cases for the shapes the
/// benchmark's queries are made of, so the loops switch over an enum instead of calling through
/// `any DocScorer`, and the generic scorer only for the rest. Starts on its first match, like the cursors.
enum CountingClause {
    /// One term's postings.
    case postings(PostingsCursor)
    /// A disjunction of terms as one cursor.
    case union(PostingsUnion)
    /// Any other plan (phrases, nested booleans …).
    case scorer(any DocScorer)

    /// The clause of `plan` in segment `index`, or nil when it matches nothing there. `approximating`: a
    /// two-phase clause (phrase) starts on its first candidate, for leapfrogs that confirm agreed documents.
    static func make(_ plan: QueryPlan, segment index: Int, of reader: IndexReader, approximating: Bool = false)
        throws(IndexError) -> Self?
    {
        let segment = reader.segments[index]
        switch plan {
        case .none:
            return nil
        case .term(let leaf):
            guard let info = leaf.infos[index], info.documentFrequency > 0 else { return nil }
            return .postings(try segment.postings.cursor(for: info))
        case .constantScore(let inner, _):
            return try make(inner, segment: index, of: reader, approximating: approximating)
        case .boolean(let boolean) where boolean.isTermDisjunction:
            var cursors: [PostingsCursor] = []
            for case .term(let leaf) in boolean.should {
                if let info = leaf.infos[index], info.documentFrequency > 0 {
                    cursors.append(try segment.postings.cursor(for: info))
                }
            }
            if cursors.isEmpty { return nil }
            return cursors.count == 1 ? .postings(cursors[0]) : .union(PostingsUnion(cursors))
        default:
            guard let scorer = try plan.scorer(segment: index, of: reader, approximating: approximating) else {
                return nil
            }
            return .scorer(scorer)
        }
    }

    /// The current document, or ``PostingsCursor/exhausted``.
    var doc: UInt32 {
        @inline(__always) get {
            switch self {
            case .postings(let cursor): return cursor.doc
            case .union(let union): return union.doc
            case .scorer(let scorer): return scorer.doc
            }
        }
    }

    /// An upper estimate of the matches (orders a conjunction: rarest first).
    var cost: UInt64 {
        switch self {
        case .postings(let cursor): return UInt64(cursor.documentFrequency)
        case .union(let union): return union.cost
        case .scorer(let scorer): return scorer.cost
        }
    }

    /// Moves to the next match and returns it.
    @inline(__always)
    func next() throws(IndexError) -> UInt32 {
        switch self {
        case .postings(let cursor): return try cursor.next()
        case .union(let union): return try union.next()
        case .scorer(let scorer): return try scorer.next()
        }
    }

    /// Moves to the first match at or after `target` (never backwards) and returns it.
    @inline(__always)
    func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        switch self {
        case .postings(let cursor): return try cursor.advance(to: target)
        case .union(let union): return try union.advance(to: target)
        case .scorer(let scorer): return try scorer.advance(to: target)
        }
    }

    /// Whether matches need ``confirm()`` after the approximation agreed (see ``DocScorer/isTwoPhase``).
    var isTwoPhase: Bool {
        if case .scorer(let scorer) = self { return scorer.isTwoPhase }
        return false
    }

    /// Moves the approximation to its first candidate at or after `target` (the match itself for clauses
    /// that are not two-phase).
    @inline(__always)
    func approximateAdvance(to target: UInt32) throws(IndexError) -> UInt32 {
        switch self {
        case .postings(let cursor): return try cursor.advance(to: target)
        case .union(let union): return try union.advance(to: target)
        case .scorer(let scorer): return try scorer.approximateAdvance(to: target)
        }
    }

    /// Whether the approximation's current candidate matches.
    func confirm() throws(IndexError) -> Bool {
        if case .scorer(let scorer) = self { return try scorer.confirm() }
        return true
    }
}

/// A disjunction of posting lists as one cursor with `advance(to:)`: inside a conjunction it skips on
/// every clause's skip data instead of merging all of their documents (its document is the smallest of
/// the clauses', which are only moved when behind the target).
final class PostingsUnion {
    /// Owns the cursors that ``references`` points to.
    let cursors: [PostingsCursor]
    /// The cursors without retain/release per use (the loop reads them per document).
    private let references: [Unmanaged<PostingsCursor>]
    private(set) var doc: UInt32
    /// The summed document frequencies.
    let cost: UInt64

    /// The union of `cursors` (non-empty), each on its first document.
    init(_ cursors: [PostingsCursor]) {
        self.cursors = cursors
        references = cursors.map { .passUnretained($0) }
        cost = cursors.reduce(0) { $0 &+ UInt64($1.documentFrequency) }
        doc = cursors.reduce(PostingsCursor.exhausted) { min($0, $1.doc) }
    }

    /// One union of every term cursor inside `clauses` (terms and unions of terms); nil when a clause is
    /// of another kind or there are none.
    convenience init?(merging clauses: [CountingClause]) {
        var cursors: [PostingsCursor] = []
        for clause in clauses {
            switch clause {
            case .postings(let cursor): cursors.append(cursor)
            case .union(let union): cursors += union.cursors
            case .scorer: return nil
            }
        }
        if cursors.isEmpty { return nil }
        self.init(cursors)
    }

    /// Moves past the current document.
    @inline(__always)
    func next() throws(IndexError) -> UInt32 {
        if doc == PostingsCursor.exhausted { return doc }
        return try advance(to: doc &+ 1)
    }

    /// Moves every clause behind `target` to it; the union lands on the smallest resulting document.
    @inline(__always)
    func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        if target <= doc { return doc }
        var smallest = PostingsCursor.exhausted
        for reference in references {
            let found = try reference._withUnsafeGuaranteedRef { cursor in
                Result { () throws(IndexError) in try cursor.advance(to: target) }
            }.get()
            smallest = min(smallest, found)
        }
        doc = smallest
        return smallest
    }
}
