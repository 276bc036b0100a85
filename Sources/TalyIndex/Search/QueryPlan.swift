/// A ``Query`` compiled against one snapshot: leaves analyzed, terms looked up in every segment, BM25
/// weights fixed from the snapshot's statistics, boosts pushed down into the leaves (as Lucene's
/// `BoostQuery` passes its boost to `createWeight`). Lucene's `Weight`; built once per search.
indirect enum QueryPlan: Sendable {
    /// One term of one field.
    case term(TermLeaf)
    /// Several terms of one field at fixed relative positions.
    case phrase(PhraseLeaf)
    /// A boolean combination (semantics in ``Query/boolean(must:should:mustNot:filter:minimumShouldMatch:)``).
    case boolean(BooleanPlan)
    /// Every document, with this score.
    case constant(Float)
    /// The documents of a plan, all with this score (Lucene's `ConstantScoreQuery`).
    case constantScore(QueryPlan, Float)
    /// No document.
    case none
}

/// A compiled term.
struct TermLeaf: Sendable {
    /// The field's number.
    var field: UInt32
    /// The term's bytes (for explanations and highlighting).
    var term: [UInt8]
    /// Documents containing the term over the snapshot (BM25's n).
    var documentFrequency: UInt64
    /// Whether the field has norms (text fields); others score as length 1.
    var hasNorms: Bool
    /// The term's entry in each segment (nil where absent).
    var infos: [TermInfo?]
    /// The BM25 scorer with the boost folded in.
    var bm25: BM25Weight
}

/// A compiled phrase.
struct PhraseLeaf: Sendable {
    var field: UInt32
    var hasNorms: Bool
    /// The terms' bytes in phrase order (for explanations and highlighting).
    var terms: [[UInt8]]
    /// Documents containing each term over the snapshot (BM25's n per term).
    var documentFrequencies: [UInt64]
    /// Per segment, every term's entry in phrase order, or nil when a term is absent from the segment.
    var infos: [[TermInfo]?]
    /// Position of each term relative to the first.
    var offsets: [Int32]
    var slop: Int
    /// Scorer with idf = the sum of the terms' idfs (Lucene's `idfExplain` for several terms).
    var bm25: BM25Weight
}

/// A compiled boolean query.
struct BooleanPlan: Sendable {
    var must: [QueryPlan]
    var should: [QueryPlan]
    var mustNot: [QueryPlan]
    var filter: [QueryPlan]
    var minimumShouldMatch: Int
}

extension QueryPlan {
    /// The scorer of this plan in segment `index` of `reader`, or nil when nothing can match there.
    /// `approximating`: a two-phase scorer (phrase) starts on its first candidate instead of its first
    /// match, for callers that drive it by ``DocScorer/approximateAdvance(to:)`` and ``DocScorer/confirm()``.
    func scorer(segment index: Int, of reader: IndexReader, approximating: Bool = false) throws(IndexError)
        -> (any DocScorer)?
    {
        let segment = reader.segments[index]
        switch self {
        case .none:
            return nil
        case .constant(let score):
            return segment.documentCount == 0
                ? nil : AllDocumentsScorer(documentCount: segment.documentCount, score: score)
        case .term(let leaf):
            return try leaf.scorer(in: segment, index: index)
        case .constantScore(let inner, let score):
            guard let scorer = try inner.scorer(segment: index, of: reader, approximating: approximating) else {
                return nil
            }
            return ConstantScoreScorer(scorer, score: score)
        case .phrase(let leaf):
            return try leaf.scorer(in: segment, index: index, approximating: approximating)
        case .boolean(let plan):
            var required: [(any DocScorer, scores: Bool)] = []
            for clause in plan.must {
                guard let scorer = try clause.scorer(segment: index, of: reader, approximating: true) else {
                    return nil
                }
                required.append((scorer, true))
            }
            for clause in plan.filter {
                guard let scorer = try clause.scorer(segment: index, of: reader, approximating: true) else {
                    return nil
                }
                required.append((scorer, false))
            }
            var optional: [any DocScorer] = []
            for clause in plan.should {
                if let scorer = try clause.scorer(segment: index, of: reader) { optional.append(scorer) }
            }
            var excluded: [any DocScorer] = []
            for clause in plan.mustNot {
                if let scorer = try clause.scorer(segment: index, of: reader) { excluded.append(scorer) }
            }
            if required.isEmpty && (optional.isEmpty || optional.count < plan.minimumShouldMatch) { return nil }
            let scorer = try BooleanScorer(
                required: required, optional: optional, excluded: excluded,
                minimumShouldMatch: plan.minimumShouldMatch)
            return scorer.doc == PostingsCursor.exhausted ? nil : scorer
        }
    }
}

extension TermLeaf {
    /// The term's scorer in `segment` (number `index`), or nil when the segment lacks the term.
    func scorer(in segment: SegmentReader, index: Int) throws(IndexError) -> TermScorer? {
        guard let info = infos[index], info.documentFrequency > 0 else { return nil }
        return TermScorer(
            cursor: try segment.postings.cursor(for: info), bm25: bm25,
            norms: hasNorms ? segment.norms.norms(field: field) : nil)
    }
}

extension PhraseLeaf {
    /// The phrase's scorer in `segment` (number `index`), or nil when no document there holds the phrase
    /// (or, `approximating`, every term).
    func scorer(in segment: SegmentReader, index: Int, approximating: Bool = false) throws(IndexError)
        -> PhraseScorer?
    {
        guard let infos = infos[index] else { return nil }
        var cursors: [PostingsCursor] = []
        for info in infos {
            let cursor = try segment.postings.cursor(for: info)
            guard cursor.hasPositions else {
                throw .corrupt(file: "\(segment.id).post", reason: "phrase term of field \(field) has no positions")
            }
            cursors.append(cursor)
        }
        let scorer = try PhraseScorer(
            cursors: cursors, offsets: offsets, slop: slop, bm25: bm25,
            norms: hasNorms ? segment.norms.norms(field: field) : nil, approximating: approximating)
        return scorer.doc == PostingsCursor.exhausted ? nil : scorer
    }
}

extension QueryPlan {
    /// True for the plan that matches nothing.
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// True for a term leaf.
    var isTerm: Bool {
        if case .term = self { return true }
        return false
    }

    /// True for a term leaf or a disjunction of terms (``BooleanPlan/isTermDisjunction``).
    var isTermOrTermDisjunction: Bool {
        switch self {
        case .term: return true
        case .boolean(let boolean): return boolean.isTermDisjunction
        default: return false
        }
    }
}

extension QueryPlan {
    /// An upper estimate of the documents the plan matches in segment `index` (Lucene's `cost`): from
    /// document frequencies, without reading postings.
    func estimatedMatches(segment index: Int, of reader: IndexReader) -> Int {
        let documents = Int(reader.segments[index].documentCount)
        switch self {
        case .none: return 0
        case .constant: return documents
        case .term(let leaf): return Int(leaf.infos[index]?.documentFrequency ?? 0)
        case .phrase(let leaf): return leaf.infos[index].map { Int($0.map(\.documentFrequency).min() ?? 0) } ?? 0
        case .constantScore(let inner, _): return inner.estimatedMatches(segment: index, of: reader)
        case .boolean(let plan):
            let required = plan.must + plan.filter
            if !required.isEmpty {
                return required.map { $0.estimatedMatches(segment: index, of: reader) }.min() ?? documents
            }
            return min(documents, plan.should.reduce(0) { $0 + $1.estimatedMatches(segment: index, of: reader) })
        }
    }
}
