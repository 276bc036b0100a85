/// Iterates one term's posting list in increasing doc order, with block skipping, block-max impacts for pruning
/// (Ding & Suel 2011, "Faster top-k document retrieval using block-max indexes") and lazily read positions.
///
/// A cursor starts on the list's first doc. `doc` is ``exhausted`` (`UInt32.max`, never a real doc id) once the
/// list is consumed. Blocks are decoded only when the cursor enters them; ``advance(to:)`` and
/// ``shallowAdvance(to:)`` walk the skip list to jump whole blocks without decoding them.
///
/// Corruption: a cursor never traps and never reads outside the mapping. Creating it checks the term header and
/// its ranges; every later step that reads new bytes (entering a block, moving the skip pointer, decoding a
/// positions chunk, reading a block's impacts) validates them first and throws ``IndexError`` on inconsistent
/// data, so `next()` and `advance(to:)` throw. Within a validated block, decoding uses the unchecked SIMD-BP128
/// kernels. The per-block checks are a few compares per 128 docs, and validating lazily keeps opening a cursor
/// O(1) however long the list (validating the whole skip list up front would cost O(df/128) per query term).
///
/// Deadline: past the deadline of the search on its thread (`SearchBudget`), the cursor ends at its next block
/// instead of entering it.
///
/// Not thread-safe: a cursor belongs to one query on one thread. It keeps its file mapped while alive.
public final class PostingsCursor {
    /// The `doc` of an exhausted cursor; writers reject it as a doc id.
    public static let exhausted = UInt32.max

    /// The current doc id, or ``exhausted``.
    public internal(set) var doc: UInt32
    /// The number of docs in the list.
    public let documentFrequency: UInt32
    /// The sum of the list's frequencies (from the term dictionary).
    public let totalTermFrequency: UInt64
    /// True when the term was written with positions.
    public let hasPositions: Bool
    /// The competitive impacts of the whole list: an upper bound for every posting (MaxScore term bounds).
    public let termImpacts: ImpactList

    // The files.
    let mapping: MappedFile?
    let body: UnsafeRawBufferPointer
    let fileName: String
    let positionsMapping: MappedFile?
    let positionsBody: UnsafeRawBufferPointer
    let positionsFileName: String

    // The term's layout.
    /// Blocks, the variable-byte tail included (1 for a list of at most 128 docs, 0 for an empty one).
    let blockCount: Int
    /// Packed blocks (the blocks before the tail).
    let packedBlockCount: Int
    /// End of the skip list in the body.
    let skipEnd: Int
    /// End of the term's block bytes in the body (the start of its header for multi-block lists).
    let payloadEnd: Int
    /// True when every frequency is 1 (then the variable-byte tail stores none).
    let frequenciesOmitted: Bool
    /// True for format 2 files, whose variable-byte tails interleave frequencies with doc gaps.
    let interleavedTail: Bool
    /// True for format 2 files, whose packed blocks may store a few frequencies as exceptions.
    let patchedFrequencies: Bool
    /// True for format 2 positions files, whose chunks carry exceptions after their packed bits.
    let patchedPositions: Bool
    /// The posting of a term of one document kept in the term dictionary (nothing in the `.post` file).
    let inlined: SingletonPosting?

    /// The skip pointer: the block ``shallowAdvance(to:)`` stopped on; never behind `block`.
    var skip: PostingsSkipEntry
    /// The decoded block.
    var block: PostingsSkipEntry

    /// Docs at 0..<128, frequencies at 128..<256, a decoded positions chunk at 256..<384.
    let buffer: UnsafeMutablePointer<UInt32>
    /// Docs in the decoded block.
    var count = 0
    /// Index of `doc` in the decoded block.
    var index = 0
    /// False until the decoded packed block's frequencies are unpacked (on first use).
    var frequenciesDecoded = false
    /// The positions reader of the decoded block.
    var positionsState = PositionsState()

    init(postings: IndexFile, positions: IndexFile?, info: TermInfo) throws(IndexError) {
        mapping = postings.mapping
        body = postings.body
        fileName = postings.fileName
        positionsMapping = positions?.mapping
        positionsBody = positions?.body ?? UnsafeRawBufferPointer(start: nil, count: 0)
        positionsFileName = positions?.fileName ?? "(no positions file)"
        documentFrequency = info.documentFrequency
        totalTermFrequency = info.totalTermFrequency
        frequenciesOmitted = info.totalTermFrequency == UInt64(info.documentFrequency)
        interleavedTail = postings.version >= 2
        patchedFrequencies = postings.version >= 2
        patchedPositions = (positions?.version ?? 1) >= 2
        inlined = info.singleton
        let layout = try Self.readHeader(of: info, in: postings, positions: positions)
        hasPositions = layout.hasPositions
        termImpacts = layout.termImpacts
        blockCount = layout.blockCount
        packedBlockCount = layout.packedBlockCount
        skipEnd = layout.skipEnd
        payloadEnd = layout.payloadEnd
        skip = layout.first
        block = layout.first
        buffer = .allocate(capacity: 3 * PostingsFormat.blockSize)
        buffer.initialize(repeating: 0, count: 3 * PostingsFormat.blockSize)
        doc = Self.exhausted
        if blockCount == 0 { return }
        if blockCount > 1 { skip = try readEntry(after: layout.first) }
        try enterBlock(skip)
    }

    deinit {
        buffer.deallocate()
    }

    /// The frequency of the term in `doc` (meaningless once exhausted).
    public var frequency: UInt32 {
        if !frequenciesDecoded { decodePackedFrequencies() }
        return buffer[PostingsFormat.blockSize &+ index]
    }

    /// Moves to the next doc and returns it, or ``exhausted``.
    @inline(__always)
    public func next() throws(IndexError) -> UInt32 {
        let following = index &+ 1
        if following < count {
            index = following
            doc = buffer[following]
            return doc
        }
        return try nextBlock()
    }

    /// Moves to the first doc at or after `target` and returns it, or ``exhausted``; never moves backwards.
    ///
    /// Blocks whose last doc is below `target` are skipped through the skip list without being decoded. Inside a
    /// block, a target within the next 8 docs is found by a linear scan (the common leapfrog step); a farther one
    /// by a branchless binary search of the rest of the block (Tantivy's in-block search): a rare lead's next
    /// doc in a frequent term's freshly entered block used to cost a scan of half the block. Both end at the
    /// block's last doc, which is at least `target` (checked when the block was entered).
    @inline(__always)
    public func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        if target <= doc { return doc }
        var position = index &+ 1
        if target > block.lastDoc {
            try shallowAdvance(to: target)
            if skip.index >= blockCount || SearchBudget.spentInLoop { return exhaust() }
            try enterBlock(skip)
            position = 0
        }
        if position &+ 8 < count && buffer[position &+ 7] < target {
            // The first doc at or after `target` lies in base..<base + length.
            var base = position &+ 8
            var length = count &- base
            while length > 1 {
                let half = length &>> 1
                base = buffer[base &+ half &- 1] < target ? base &+ half : base
                length &-= half
            }
            position = base
        } else {
            while buffer[position] < target {
                position &+= 1
            }
        }
        index = position
        doc = buffer[position]
        return doc
    }

    /// Moves only the skip pointer to the first block whose last doc is at least `target` (or past the last block),
    /// reading skip entries but decoding nothing: the NextShallow of Ding & Suel, Lucene's `advanceShallow`.
    public func shallowAdvance(to target: UInt32) throws(IndexError) {
        if skip.lastDoc >= target || skip.index >= blockCount { return }
        // A local copy the loop updates in registers, stored back once.
        var entry = skip
        repeat {
            try readNextEntry(into: &entry)
        } while entry.lastDoc < target && entry.index < blockCount
        skip = entry
    }

    /// The last doc of the block under the skip pointer: impacts hold up to it. ``exhausted`` past the end.
    public var blockLastDoc: UInt32 { skip.lastDoc }

    /// The competitive impacts of the block under the skip pointer (empty past the end): every posting of the
    /// block is dominated by one of them.
    public var blockImpacts: ImpactList {
        get throws(IndexError) {
            if skip.index >= blockCount { return ImpactList() }
            if inlined != nil { return termImpacts }
            guard let list = ImpactList.decode(body, offset: skip.impactsOffset, length: skip.impactsLength) else {
                throw corrupt("malformed impacts of block \(skip.index) at byte \(skip.impactsOffset)")
            }
            return list
        }
    }

    /// The largest `frequency × factors[norm]` over the competitive impacts of the block under the skip pointer
    /// (`factors[1]` for every pair when `norms` is false; 0 past the end), read straight from the skip list: the
    /// score bound of a block for a scorer monotone in that product, without building its ``ImpactList``.
    @inline(__always)
    func largestBlockImpact(factors: UnsafePointer<Float>, norms: Bool) throws(IndexError) -> Float {
        if skip.index >= blockCount { return 0 }
        var best: Float = 0
        if inlined != nil {
            for impact in termImpacts {
                best = max(best, Float(impact.frequency) * factors[norms ? Int(impact.norm) : 1])
            }
            return best
        }
        guard var reader = EncodedImpacts(body, offset: skip.impactsOffset, length: skip.impactsLength) else {
            throw corrupt("malformed impacts of block \(skip.index) at byte \(skip.impactsOffset)")
        }
        while let impact = reader.next() {
            best = max(best, Float(impact.frequency) * factors[norms ? Int(impact.norm) : 1])
        }
        if reader.isMalformed {
            throw corrupt("malformed impacts of block \(skip.index) at byte \(skip.impactsOffset)")
        }
        return best
    }

    /// Sets the bit of every doc from the current one up to `windowEnd` (exclusive) in `bits`, whose bit 0
    /// stands for `windowStart`, and returns the first doc at or after `windowEnd` (or ``exhausted``).
    ///
    /// The union count's inner loop, run over the decoded block with the cursor's position in locals and
    /// stored back once per block: through `next()` every doc stored `index` and `doc` to the cursor and
    /// reloaded its buffer, since the bit-set store might alias them.
    func markDocs(below windowEnd: UInt32, from windowStart: UInt32, in bits: UnsafeMutablePointer<UInt64>)
        throws(IndexError) -> UInt32
    {
        while doc < windowEnd {
            let docs = buffer
            let end = count
            var position = index
            var current = doc
            while true {
                let offset = Int(current &- windowStart)
                bits[offset &>> 6] |= 1 &<< UInt64(offset & 63)
                position &+= 1
                if position >= end { break }
                current = docs[position]
                if current >= windowEnd {
                    index = position
                    doc = current
                    return current
                }
            }
            index = end &- 1
            doc = current
            _ = try nextBlock()
        }
        return doc
    }

    /// Moves to the block after the decoded one.
    @inline(never)
    func nextBlock() throws(IndexError) -> UInt32 {
        if doc == Self.exhausted { return doc }
        let following: PostingsSkipEntry
        if skip.index == block.index &+ 1 {
            following = skip
        } else if skip.index > block.index {
            following = try readEntry(after: block)  // the skip pointer ran ahead: re-read this block's entry
        } else {
            following = try readEntry(after: skip)
            skip = following
        }
        // Past the search's deadline a list ends early, so every algorithm over it drains; the
        // searcher then throws rather than return what was found (`SearchBudget`).
        if following.index >= blockCount || SearchBudget.spentInLoop { return exhaust() }
        try enterBlock(following)
        return doc
    }

    /// Marks the cursor exhausted and returns ``exhausted``.
    func exhaust() -> UInt32 {
        doc = Self.exhausted
        count = 0
        index = 0
        block.lastDoc = Self.exhausted
        return doc
    }

    /// An ``IndexError/corrupt(file:reason:)`` for the postings file.
    func corrupt(_ reason: String) -> IndexError { .corrupt(file: fileName, reason: reason) }
}
