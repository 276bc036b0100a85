/// A set of doc ids `0..<count` of one segment as a bitmap (bit `d % 64` of word `d / 64`): what a
/// filter evaluates to, and the accepted documents (live ∧ filter) the search algorithms consult.
///
/// Bits past `count` are always zero, so popcounts and complements need no masking by callers.
/// A value type over one `[UInt64]`: copies share storage until one is mutated.
struct DocBitSet: Sendable, Hashable {
    /// Documents covered.
    let count: Int
    private(set) var words: [UInt64]

    /// The empty set of `count` documents.
    init(count: Int) {
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    /// A set over prepared `words` (bits past `count` must be zero).
    init(words: [UInt64], count: Int) {
        precondition(words.count == (count + 63) / 64, "\(words.count) words for \(count) documents")
        self.count = count
        self.words = words
    }

    /// Every document of `0..<count`.
    static func all(count: Int) -> DocBitSet {
        var set = DocBitSet(count: count)
        set.complement()
        return set
    }

    /// Whether `doc` is in the set.
    @inline(__always)
    func contains(_ doc: UInt32) -> Bool { words[Int(doc &>> 6)] & (1 &<< UInt64(doc & 63)) != 0 }

    /// Adds `doc`.
    @inline(__always)
    mutating func insert(_ doc: UInt32) { words[Int(doc &>> 6)] |= 1 &<< UInt64(doc & 63) }

    /// The number of documents in the set.
    var cardinality: Int {
        words.withUnsafeBufferPointer { words in
            var total = 0
            for word in words { total &+= word.nonzeroBitCount }
            return total
        }
    }

    /// True when no document is in the set.
    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// Keeps only the documents also in `other` (same `count`).
    mutating func formIntersection(_ other: DocBitSet) {
        precondition(other.count == count, "bit sets of \(count) and \(other.count) documents")
        other.words.withUnsafeBufferPointer { theirs in
            words.withUnsafeMutableBufferPointer { mine in
                for index in mine.indices { mine[index] &= theirs[index] }
            }
        }
    }

    /// Adds the documents of `other` (same `count`).
    mutating func formUnion(_ other: DocBitSet) {
        precondition(other.count == count, "bit sets of \(count) and \(other.count) documents")
        other.words.withUnsafeBufferPointer { theirs in
            words.withUnsafeMutableBufferPointer { mine in
                for index in mine.indices { mine[index] |= theirs[index] }
            }
        }
    }

    /// Replaces the set by the documents of `0..<count` not in it.
    mutating func complement() {
        let tail = count % 64
        words.withUnsafeMutableBufferPointer { words in
            for index in words.indices { words[index] = ~words[index] }
            if tail != 0 { words[words.count - 1] &= (1 &<< UInt64(tail)) &- 1 }
        }
    }

    /// The first document at or after `target`, or ``PostingsCursor/exhausted``.
    @inline(__always)
    func nextDocument(atOrAfter target: UInt32) -> UInt32 {
        var index = Int(target &>> 6)
        guard index < words.count else { return PostingsCursor.exhausted }
        var word = words[index] & (UInt64.max &<< UInt64(target & 63))
        while word == 0 {
            index &+= 1
            guard index < words.count else { return PostingsCursor.exhausted }
            word = words[index]
        }
        return UInt32(truncatingIfNeeded: index &<< 6 | word.trailingZeroBitCount)
    }
}

extension DocBitSet: Sequence {
    /// Walks the set bits in increasing order, one word at a time.
    struct Iterator: IteratorProtocol {
        private let words: [UInt64]
        private var index = -1
        private var word: UInt64 = 0

        fileprivate init(words: [UInt64]) { self.words = words }

        @inline(__always)
        mutating func next() -> UInt32? {
            while word == 0 {
                index &+= 1
                guard index < words.count else { return nil }
                word = words[index]
            }
            let bit = word.trailingZeroBitCount
            word &= word &- 1
            return UInt32(truncatingIfNeeded: index &<< 6 | bit)
        }
    }

    func makeIterator() -> Iterator { Iterator(words: words) }

    var underestimatedCount: Int { 0 }
}

/// The documents of a bit set as a scorer that never scores (a `filter` clause, Lucene's
/// `ConstantScoreScorer` over a `BitSetIterator`): the lead of a conjunction when it is rarer than
/// the query's clauses.
final class DocBitSetScorer: DocScorer {
    private let set: DocBitSet
    private(set) var doc: UInt32
    let cost: UInt64

    init(_ set: DocBitSet) {
        self.set = set
        cost = UInt64(set.cardinality)
        doc = set.nextDocument(atOrAfter: 0)
    }

    func next() -> UInt32 {
        if doc == PostingsCursor.exhausted { return doc }
        doc = set.nextDocument(atOrAfter: doc &+ 1)
        return doc
    }

    func advance(to target: UInt32) -> UInt32 {
        if target <= doc { return doc }
        doc = set.nextDocument(atOrAfter: target)
        return doc
    }

    func score() -> Float { 0 }
}

extension LiveDocuments {
    /// The live documents as a bit set, sharing this bitmap's storage.
    var bitSet: DocBitSet { DocBitSet(words: liveWords, count: Int(documentCount)) }
}

extension DocBitSet {
    /// Runs `body` on the words for in-place filling (bits past `count` must stay zero).
    mutating func withUnsafeMutableWords<Result>(_ body: (UnsafeMutableBufferPointer<UInt64>) -> Result) -> Result {
        words.withUnsafeMutableBufferPointer { body($0) }
    }
}
