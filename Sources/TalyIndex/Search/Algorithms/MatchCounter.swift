/// Counting matches without scoring (Lucene's `Weight#count` and its count collector).
///
/// Fast paths: a single term in a segment without deletes is its document frequency (no postings read,
/// LUCENE-9620); a disjunction of terms ORs each clause's documents into 4,096-document windows of a bit
/// set and popcounts them (Tantivy's `BufferedUnionScorer`, Lucene #12415); a conjunction of terms
/// leapfrogs the cursors directly. Everything else iterates the generic scorer tree.
enum MatchCounter {
    /// Documents per bit-set window.
    static let windowSize: UInt32 = 4096

    /// The matches of `plan` in segment `index` that `accept` holds (live and filtered documents; nil when
    /// the segment has no deletes and the search no filter).
    static func count(_ plan: QueryPlan, segment index: Int, of reader: IndexReader, accept: DocBitSet?)
        throws(IndexError) -> Int
    {
        let segment = reader.segments[index]
        switch plan {
        case .term(let leaf):
            guard let info = leaf.infos[index] else { return 0 }
            if accept == nil { return Int(info.documentFrequency) }
        case .constant:
            return accept?.cardinality ?? Int(segment.documentCount)
        case .boolean(let boolean) where boolean.isTermDisjunction:
            var cursors: [PostingsCursor] = []
            for case .term(let leaf) in boolean.should {
                if let info = leaf.infos[index] { cursors.append(try segment.postings.cursor(for: info)) }
            }
            return try unionCount(cursors, accept: accept)
        case .boolean(let boolean) where boolean.isTermConjunction:
            var cursors: [PostingsCursor] = []
            for case .term(let leaf) in boolean.must {
                guard let info = leaf.infos[index] else { return 0 }
                cursors.append(try segment.postings.cursor(for: info))
            }
            return try intersectionCount(cursors, accept: accept)
        default:
            break
        }
        guard let scorer = try plan.scorer(segment: index, of: reader) else { return 0 }
        return try iterate(scorer, accept: accept)
    }

    private static func iterate<Scorer: DocScorer>(_ scorer: Scorer, accept: DocBitSet?) throws(IndexError) -> Int {
        var count = 0
        var doc = scorer.doc
        while doc != PostingsCursor.exhausted {
            if accept?.contains(doc) ?? true { count &+= 1 }
            doc = try scorer.next()
        }
        return count
    }

    /// ORs the cursors' documents into a 4,096-bit window at a time and popcounts it.
    static func unionCount(_ cursors: [PostingsCursor], accept: DocBitSet?) throws(IndexError) -> Int {
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
                var doc = cursor.doc
                while doc < windowEnd {
                    let offset = Int(doc &- windowStart)
                    bits[offset &>> 6] |= 1 &<< UInt64(offset & 63)
                    doc = try cursor.next()
                }
                nextStart = min(nextStart, doc)
            }
            if let accept {
                // Windows start at multiples of 4,096, so window word w is the set's word start / 64 + w.
                let base = Int(windowStart &>> 6)
                let available = min(words, accept.words.count - base)
                for word in 0..<available { count &+= (bits[word] & accept.words[base &+ word]).nonzeroBitCount }
            } else {
                for word in 0..<words { count &+= bits[word].nonzeroBitCount }
            }
            windowStart = nextStart
        }
        return count
    }

    /// Leapfrogs the cursors, rarest first, counting live documents on all of them.
    static func intersectionCount(_ unsorted: [PostingsCursor], accept: DocBitSet?) throws(IndexError) -> Int {
        let cursors = unsorted.sorted { $0.documentFrequency < $1.documentFrequency }
        let lead = cursors[0]
        var count = 0
        var doc = lead.doc
        leapfrog: while doc != PostingsCursor.exhausted {
            for cursor in cursors.dropFirst() {
                let found = try cursor.advance(to: doc)
                if found != doc {
                    doc = try lead.advance(to: found)
                    continue leapfrog
                }
            }
            if accept?.contains(doc) ?? true { count &+= 1 }
            doc = try lead.next()
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

    /// Only `must` term clauses, nothing else.
    var isTermConjunction: Bool {
        !must.isEmpty && filter.isEmpty && mustNot.isEmpty && should.isEmpty && must.allSatisfy(\.isTerm)
    }
}
