/// A Bloom filter of the ids one segment holds, kept by the writer beside the segment.
///
/// A flush looks every id added or deleted since the previous flush up in every older segment,
/// to delete the copies they hold; in a bulk load of new ids none of them is there, and each
/// lookup was a dictionary seek per id per segment (~5% of a live index-sync worker). The filter
/// says "not here" for all but ~1% of those ids with one word read each. Blocked: the three bits
/// of an id sit in one 64-bit word, so a query touches one cache line. Never a false "not here":
/// every id term of the segment is in it, deleted documents' ids too.
struct SegmentIDFilter: Sendable {
    private let words: [UInt64]
    private let mask: Int

    /// The filter of `segment`'s id terms; nil when its ids are not indexed (append-only).
    init?(segment: SegmentReader) throws(IndexError) {
        guard segment.schema.idMode == .unique else { return nil }
        let terms = segment.terms.terms(forField: UInt32(segment.schema.idFieldNumber))
        // 16 bits per id: a word holds the bits of four ids on average.
        var count = 1
        while count * 4 < (terms?.termCount ?? 0) { count <<= 1 }
        var words = [UInt64](repeating: 0, count: count)
        mask = count - 1
        if let terms {
            var cursor = terms.makeCursor()
            while try cursor.next() {
                let hash = TermHash.hash(cursor.term)
                words[Int(truncatingIfNeeded: hash) & mask] |= Self.bits(hash)
            }
        }
        self.words = words
    }

    /// False when the segment certainly holds no document with the id of this `hash`
    /// (``TermHash/hash(_:)`` of the id's bytes).
    @inline(__always)
    func mayContain(hash: UInt64) -> Bool {
        let bits = Self.bits(hash)
        return words[Int(truncatingIfNeeded: hash) & mask] & bits == bits
    }

    /// The id's three bits in its word, from hash bits the word index does not use (tables
    /// stay far below 2^40 words); `&<<` takes the shift modulo 64.
    @inline(__always)
    private static func bits(_ hash: UInt64) -> UInt64 {
        (1 as UInt64) &<< (hash &>> 40) | (1 as UInt64) &<< (hash &>> 46) | (1 as UInt64) &<< (hash &>> 52)
    }
}
