/// Counting matches without scoring (Lucene's `Weight#count` and its count collector).
///
/// Fast paths: a single term in a segment without deletes is its document frequency (no postings read,
/// LUCENE-9620); a disjunction of terms ORs each clause's documents into 4,096-document windows of a bit
/// set, clears the excluded clauses' documents and popcounts them (Tantivy's `BufferedUnionScorer`, Lucene
/// #12415), or, when two or three lists differ enough in length and nothing is deleted, filtered or excluded, by
/// inclusion–exclusion over leapfrogged intersections; a boolean with required clauses ignores its `should` clauses (they only score) and leapfrogs
/// the required ones as concrete cursors, a disjunction of terms being one cursor that advances on skip
/// data, with excluded clauses only advanced to each candidate, never iterated (Lucene's `ReqExclScorer`).
/// One required term without deletes counts `df − |term ∧ (excluded₁ ∨ …)|`, a leapfrog from the rarer
/// side. Everything else iterates the generic scorer tree.
enum MatchCounter {
    /// Documents per bit-set window.
    static let windowSize: UInt32 = 4096

    /// The matches of `plan` in segment `index` that `accept` holds (live and filtered documents; nil when
    /// the segment has no deletes and the search no filter). Walking passes stop once they reach `limit`,
    /// so a result at or above it is a lower bound; below it, exact.
    static func count(
        _ plan: QueryPlan, segment index: Int, of reader: IndexReader, accept: DocBitSet?, upTo limit: Int = .max
    ) throws(IndexError) -> Int {
        let segment = reader.segments[index]
        switch plan {
        case .none:
            return 0
        case .term(let leaf):
            guard let info = leaf.infos[index] else { return 0 }
            if accept == nil { return Int(info.documentFrequency) }
        case .constant:
            return accept?.cardinality ?? Int(segment.documentCount)
        case .constantScore(let inner, _):
            return try count(inner, segment: index, of: reader, accept: accept, upTo: limit)
        case .boolean(let boolean) where !boolean.must.isEmpty || !boolean.filter.isEmpty:
            let required = boolean.must + boolean.filter
            if required.count == 1 && boolean.mustNot.isEmpty {
                return try count(required[0], segment: index, of: reader, accept: accept, upTo: limit)
            }
            return try requiredCount(
                required, excluded: boolean.mustNot, segment: index, of: reader, accept: accept, upTo: limit)
        case .boolean(let boolean)
        where boolean.minimumShouldMatch <= 1 && !boolean.should.isEmpty && boolean.should.allSatisfy(\.isTerm):
            var infos: [TermInfo] = []
            for case .term(let leaf) in boolean.should {
                if let info = leaf.infos[index] { infos.append(info) }
            }
            if accept == nil, boolean.mustNot.isEmpty, let count = try inclusionExclusionCount(infos, in: segment) {
                return count
            }
            var cursors: [PostingsCursor] = []
            for info in infos { cursors.append(try segment.postings.cursor(for: info)) }
            var excluded: [CountingClause] = []
            for clause in boolean.mustNot {
                if let cursor = try CountingClause.make(clause, segment: index, of: reader) { excluded.append(cursor) }
            }
            return try unionCount(cursors, excluding: excluded, accept: accept, upTo: limit)
        default:
            break
        }
        guard let scorer = try plan.scorer(segment: index, of: reader) else { return 0 }
        return try iterate(scorer, accept: accept, upTo: limit)
    }

    /// Documents on every `required` clause (non-empty) and on no `excluded` one, in `accept`.
    private static func requiredCount(
        _ required: [QueryPlan], excluded excludedPlans: [QueryPlan], segment index: Int, of reader: IndexReader,
        accept: DocBitSet?, upTo limit: Int
    ) throws(IndexError) -> Int {
        var clauses: [CountingClause] = []
        // A repeated term (`+to +be +or +not +to +be`) changes scores, not matches: counted once.
        var terms: [(field: UInt32, term: [UInt8])] = []
        for plan in required {
            if case .term(let leaf) = plan {
                if terms.contains(where: { $0.field == leaf.field && $0.term == leaf.term }) { continue }
                terms.append((leaf.field, leaf.term))
            }
            guard let clause = try CountingClause.make(plan, segment: index, of: reader, approximating: true) else {
                return 0
            }
            clauses.append(clause)
        }
        var excluded: [CountingClause] = []
        for plan in excludedPlans {
            if let clause = try CountingClause.make(plan, segment: index, of: reader) { excluded.append(clause) }
        }
        if accept == nil, clauses.count == 1, excluded.isEmpty, case .postings(let term) = clauses[0] {
            return Int(term.documentFrequency)
        }
        // One term without deletes: its df is free, so count what the exclusions remove instead of
        // walking the term (a frequent term minus rare ones costs the rare ones' postings).
        if accept == nil, clauses.count == 1, case .postings(let term) = clauses[0], !excluded.isEmpty,
            let union = PostingsUnion(merging: excluded)
        {
            let removed = try intersectionCount([.postings(term), .union(union)], excluding: [], accept: nil)
            return Int(term.documentFrequency) - removed
        }
        return try intersectionCount(clauses, excluding: excluded, accept: accept, upTo: limit)
    }

    private static func iterate<Scorer: DocScorer>(_ scorer: Scorer, accept: DocBitSet?, upTo limit: Int)
        throws(IndexError) -> Int
    {
        var count = 0
        var countdown = BudgetCountdown()
        var doc = scorer.doc
        while doc != PostingsCursor.exhausted {
            if accept?.contains(doc) ?? true {
                count &+= 1
                if count >= limit { return count }
            }
            if countdown.spent() { break }
            doc = try scorer.next()
        }
        return count
    }

    /// |A ∪ B| = |A| + |B| − |A ∩ B|, and |A ∪ B ∪ C| by its seven-term form: without deletes, filters or
    /// exclusions document frequencies are free, so two or three lists of very different lengths count
    /// by leapfrogging from the rarer side, whose advances skip the frequent list's blocks, instead of
    /// OR-ing every document of the frequent list into windows. Nil (count by windows) when the
    /// intersections' leads hold more than 1/32 of the union's documents: a leapfrog step costs tens of
    /// times a window's bit, and a lead that lands in most blocks of the frequent list decodes them all
    /// anyway (on the 1.28 M corpus `secretary of state`, leads 1/19 of the union, took 1.7 times the
    /// windows' time; `university of washington`, 1/127, half).
    static func inclusionExclusionCount(_ infos: [TermInfo], in segment: SegmentReader) throws(IndexError) -> Int? {
        guard infos.count == 2 || infos.count == 3 else { return nil }
        let frequencies = infos.map { Int($0.documentFrequency) }
        let unionCost = frequencies.reduce(0, +)
        let subsets: [[Int]] = infos.count == 2 ? [[0, 1]] : [[0, 1], [0, 2], [1, 2], [0, 1, 2]]
        var intersectionCost = 0
        for subset in subsets { intersectionCost += subset.map { frequencies[$0] }.min() ?? 0 }
        guard intersectionCost &* 32 <= unionCost else { return nil }
        var count = unionCost
        for subset in subsets {
            var clauses: [CountingClause] = []
            for member in subset { clauses.append(.postings(try segment.postings.cursor(for: infos[member]))) }
            let shared = try intersectionCount(clauses, excluding: [], accept: nil)
            count += subset.count == 2 ? -shared : shared
        }
        return count
    }

    /// ORs the cursors' documents into a 4,096-bit window at a time, clears the documents of `excluded`
    /// (advanced to the window, then walked only inside it) and popcounts it; stops after the window in
    /// which the count reaches `limit`.
    static func unionCount(
        _ cursors: [PostingsCursor], excluding excluded: [CountingClause] = [], accept: DocBitSet?,
        upTo limit: Int = .max
    ) throws(IndexError) -> Int {
        if cursors.isEmpty { return 0 }
        let words = Int(windowSize / 64)
        let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        defer { bits.deallocate() }
        var count = 0
        var windowStart: UInt32 = PostingsCursor.exhausted
        for cursor in cursors { windowStart = min(windowStart, cursor.doc) }
        while windowStart != PostingsCursor.exhausted {
            windowStart &= ~(windowSize &- 1)
            let windowEnd = windowStart &+ windowSize
            bits.initialize(repeating: 0, count: words)
            var nextStart = PostingsCursor.exhausted
            for cursor in cursors {
                nextStart = min(nextStart, try cursor.markDocs(below: windowEnd, from: windowStart, in: bits))
            }
            for clause in excluded {
                var doc = try clause.advance(to: windowStart)
                while doc < windowEnd {
                    let offset = Int(doc &- windowStart)
                    bits[offset &>> 6] &= ~(1 &<< UInt64(offset & 63))
                    doc = try clause.next()
                }
            }
            if let accept {
                // Windows start at multiples of 4,096, so window word w is the set's word start / 64 + w.
                let base = Int(windowStart &>> 6)
                let available = min(words, accept.words.count - base)
                for word in 0..<available { count &+= (bits[word] & accept.words[base &+ word]).nonzeroBitCount }
            } else {
                for word in 0..<words { count &+= bits[word].nonzeroBitCount }
            }
            // A window of a union of many expanded terms is their blocks' work: check the deadline
            // each window, not only when a list enters its next block.
            if count >= limit || SearchBudget.spentInLoop { return count }
            windowStart = nextStart
        }
        return count
    }

    /// Leapfrogs the clauses, rarest first, counting the documents on all of them, in `accept` and on no
    /// `excluded` clause (each advanced to the candidate only). Two-phase clauses (phrases, made
    /// `approximating`) leapfrog on their approximations and are confirmed only where all clauses agree.
    static func intersectionCount(
        _ unsorted: [CountingClause], excluding excluded: [CountingClause], accept: DocBitSet?,
        upTo limit: Int = .max
    ) throws(IndexError) -> Int {
        let clauses = unsorted.sorted { $0.cost < $1.cost }
        let lead = clauses[0]
        let twoPhase = clauses.filter(\.isTwoPhase)
        let leadIsTwoPhase = lead.isTwoPhase
        var count = 0
        var doc = lead.doc
        leapfrog: while doc != PostingsCursor.exhausted {
            // By index: iterating a slice copied each clause out, a retain and a release per clause per step.
            for position in 1..<clauses.count {
                let found = try clauses[position].approximateAdvance(to: doc)
                if found != doc {
                    doc = try lead.approximateAdvance(to: found)
                    continue leapfrog
                }
            }
            if accept?.contains(doc) ?? true {
                var matches = true
                for clause in twoPhase where try !clause.confirm() {
                    matches = false
                    break
                }
                if matches {
                    for clause in excluded where try clause.advance(to: doc) == doc {
                        matches = false
                        break
                    }
                }
                if matches {
                    count &+= 1
                    if count >= limit { return count }
                }
            }
            doc = leadIsTwoPhase ? try lead.approximateAdvance(to: doc &+ 1) : try lead.next()
        }
        return count
    }
}

extension BooleanPlan {
    /// Only `should` term clauses (at least one must match), nothing else.
    var isTermDisjunction: Bool {
        must.isEmpty && filter.isEmpty && mustNot.isEmpty && minimumShouldMatch <= 1 && !should.isEmpty
            && should.allSatisfy(\.isTerm)
    }
}
