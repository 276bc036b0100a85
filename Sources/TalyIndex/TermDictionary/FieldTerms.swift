/// The sorted terms of one field of a segment: exact lookup by binary search over the in-memory
/// sparse index and a scan of one block, ordinals, and cursors over all terms, a prefix or a range.
///
/// Lookups decode nothing they do not need: the block scan compares front-coded entries against
/// the key using shared-prefix lengths alone (below), and only the found term's statistics are
/// decoded.
///
/// A class: every query term's lookup takes it out of the dictionary, and as a struct each such copy
/// retained and released five buffers, which cost more than the search over its block heads.
public final class FieldTerms: Sendable {
    /// The field's number.
    public let fieldNumber: UInt32
    /// The number of distinct terms in the field.
    public let termCount: Int
    /// The length of the field's longest term, in bytes.
    public let maxTermLength: Int
    /// The file the terms are read from.
    let file: IndexFile
    /// One entry per block, in term order.
    let blocks: [TermBlockEntry]
    /// The first eight bytes of each block's first term, big-endian and zero-padded: the binary
    /// search walks this dense array (8 bytes per block) and reads a mapped first term only on a
    /// tie, instead of taking a cache miss into the file at every step.
    let heads: [UInt64]
    /// Every ``topStride``-th head: a lookup first narrows its block range here (a few KB that stay in
    /// cache across lookups), then searches at most two strides of ``heads``. A plain binary search over
    /// ``heads`` took a cache miss at each of its last steps on a large dictionary (the lookups of a short
    /// query over several segments were a fifth of its time on a 1.28 M-document index).
    let topHeads: [UInt64]
    /// Blocks per entry of ``topHeads``.
    static let topStride = 16
    /// Body offset where the last block ends.
    let blocksEnd: Int
    /// True for format 2 files: a term entry packs both lengths in one varint, and an info entry
    /// flags in its first varint whether it holds the posting of a one-document term itself.
    let packsEntries: Bool

    /// The number of blocks the terms are grouped in.
    public var blockCount: Int { blocks.count }

    init(
        file: IndexFile, fieldNumber: UInt32, termCount: Int, maxTermLength: Int, blocks: [TermBlockEntry],
        blocksEnd: Int
    ) {
        self.file = file
        self.fieldNumber = fieldNumber
        self.termCount = termCount
        self.maxTermLength = maxTermLength
        self.blocks = blocks
        self.blocksEnd = blocksEnd
        packsEntries = file.version >= 2
        let base = file.mapping.bytes.baseAddress! + file.bodyOffset
        let heads = blocks.map { TermBytes.head(base + $0.keyOffset, Int($0.keyLength)) }
        self.heads = heads
        topHeads = stride(from: 0, to: heads.count, by: Self.topStride).map { heads[$0] }
    }

    /// The statistics and offsets of `term`, or nil when the field does not contain it.
    public func lookup(_ term: UnsafeRawBufferPointer) throws(IndexError) -> TermInfo? {
        let base = bodyBase
        guard let found = try locate(term, base: base) else { return nil }
        var position = found.infoStart
        var info = TermInfo(documentFrequency: 0, totalTermFrequency: 0, postingsOffset: 0, positionsOffset: 0)
        var bases = TermInfoBases()
        for _ in 0...found.index {
            info = try readInfo(base, at: &position, end: found.blockEnd, bases: &bases, block: found.block)
        }
        return info
    }

    /// The statistics and offsets of `term`, or nil when the field does not contain it.
    public func lookup(_ term: [UInt8]) throws(IndexError) -> TermInfo? {
        // `withUnsafeBytes` rethrows untyped errors, so carry the typed error out in a `Result`.
        try term.withUnsafeBytes { bytes in Result { () throws(IndexError) in try lookup(bytes) } }.get()
    }

    /// The position of `term` in the field's sorted order, or nil when the field does not contain it.
    public func ordinal(of term: UnsafeRawBufferPointer) throws(IndexError) -> Int? {
        guard let found = try locate(term, base: bodyBase) else { return nil }
        return blocks[found.block].ordinal + found.index
    }

    /// The term at `ordinal` (0 ..< `termCount`), copied out; a cursor reads terms without copying.
    public func term(atOrdinal ordinal: Int) throws(IndexError) -> [UInt8] {
        precondition(ordinal >= 0 && ordinal < termCount, "ordinal \(ordinal) outside 0..<\(termCount)")
        var cursor = makeCursor()
        _ = try cursor.seek(toOrdinal: ordinal)
        return Array(cursor.term)
    }

    /// A cursor over every term of the field, in order.
    public func makeCursor() -> TermCursor { TermCursor(terms: self, lower: nil, upper: nil) }

    /// A cursor over the terms between `lower` and `upper` (nil = unbounded), in order.
    public func makeCursor(from lower: TermBound?, to upper: TermBound?) -> TermCursor {
        TermCursor(terms: self, lower: lower, upper: upper)
    }

    /// A cursor over the terms that start with `prefix`, in order.
    public func makeCursor(prefix: [UInt8]) -> TermCursor {
        // The terms with a prefix are those in [prefix, successor), where the successor drops
        // trailing 0xFF bytes and increments the last byte; all-0xFF prefixes have no upper end.
        var successor = prefix
        while let last = successor.last, last == 0xFF { successor.removeLast() }
        if !successor.isEmpty { successor[successor.count - 1] += 1 }
        return TermCursor(
            terms: self, lower: .inclusive(prefix), upper: successor.isEmpty ? nil : .exclusive(successor))
    }

    // MARK: - Decoding shared with TermCursor

    /// The first byte of the file body: non-nil, since a readable body holds at least its trailer.
    var bodyBase: UnsafeRawPointer { file.mapping.bytes.baseAddress! + file.bodyOffset }

    /// The index of the last block whose first term is at most `key`, or -1 if `key` precedes them all.
    @inline(__always)
    func lastBlock(atMost key: UnsafeRawPointer, _ keyCount: Int, base: UnsafeRawPointer) -> Int {
        let keyHead = TermBytes.head(key, keyCount)
        var (low, high) = topRange(keyHead)
        // Invariant: blocks below `low` start at or before `key`, blocks from `high` after it.
        // Heads order like their terms where they differ; equal heads need the whole terms.
        heads.withUnsafeBufferPointer { heads in
            while low < high {
                let middle = (low &+ high) &>> 1
                let head = heads[middle]
                let atMost: Bool
                if head != keyHead {
                    atMost = head < keyHead
                } else {
                    let entry = blocks[middle]
                    atMost = TermBytes.compare(base + entry.keyOffset, Int(entry.keyLength), key, keyCount) <= 0
                }
                if atMost { low = middle &+ 1 } else { high = middle }
            }
        }
        return low &- 1
    }

    /// A range of blocks that holds the answer of ``lastBlock(atMost:_:base:)``, from heads alone: a head
    /// below the key's head starts before the key (blocks up to it stay below `low`), one above it after
    /// the key (from `high` on); blocks whose head equals the key's stay inside the range.
    @inline(__always)
    func topRange(_ keyHead: UInt64) -> (low: Int, high: Int) {
        topHeads.withUnsafeBufferPointer { top in
            var low = 0
            var high = top.count
            while low < high {
                let middle = (low &+ high) &>> 1
                if top[middle] < keyHead { low = middle &+ 1 } else { high = middle }
            }
            // top[..<low] < keyHead <= top[low...]
            var above = low
            while above < top.count && top[above] == keyHead { above &+= 1 }
            let first = low == 0 ? 0 : (low &- 1) &* Self.topStride &+ 1
            let end = above == top.count ? blocks.count : above &* Self.topStride
            return (first, end)
        }
    }

    /// The byte range of block `block`'s term section and where the block ends.
    @inline(__always)
    func blockBounds(_ block: Int, base: UnsafeRawPointer) throws(IndexError) -> (
        termsStart: Int, termsEnd: Int, end: Int
    ) {
        let start = blocks[block].blockOffset
        let end = block &+ 1 < blocks.count ? blocks[block &+ 1].blockOffset : blocksEnd
        var position = start
        guard let length = TermBytes.readVarint(base, at: &position, end: end), length <= UInt64(end &- position)
        else {
            throw corruption(block, at: start, "term section length runs past the block end \(end)")
        }
        return (position, position &+ Int(length), end)
    }

    /// Reads the shared-prefix and suffix lengths of the next term entry and checks them against
    /// the previous term's length, the field's longest term and the term section's end; `position`
    /// is left on the suffix bytes.
    @inline(__always)
    func readTermEntry(
        _ base: UnsafeRawPointer, at position: inout Int, termsEnd: Int, previousLength: Int, block: Int
    ) throws(IndexError) -> (shared: Int, suffix: Int) {
        let start = position
        let shared: UInt64
        let suffix: UInt64
        if packsEntries {
            // (suffix − 1) << 4 | min(shared, 15), then shared − 15 when the nibble is full.
            guard let lengths = TermBytes.readVarint(base, at: &position, end: termsEnd) else {
                throw corruption(block, at: start, "term entry runs past the term section")
            }
            suffix = lengths >> 4 &+ 1
            if lengths & 15 == 15 {
                guard let more = TermBytes.readVarint(base, at: &position, end: termsEnd), more <= UInt64(UInt32.max)
                else { throw corruption(block, at: start, "term entry's shared prefix length is unreadable") }
                shared = more &+ 15
            } else {
                shared = lengths & 15
            }
        } else {
            guard let sharedLength = TermBytes.readVarint(base, at: &position, end: termsEnd),
                let suffixLength = TermBytes.readVarint(base, at: &position, end: termsEnd)
            else { throw corruption(block, at: start, "term entry runs past the term section") }
            shared = sharedLength
            suffix = suffixLength
        }
        guard shared <= UInt64(previousLength) else {
            throw corruption(
                block, at: start,
                "shared prefix length \(shared) exceeds previous term length "
                    + "\(previousLength)")
        }
        guard suffix >= 1, suffix <= UInt64(maxTermLength &- Int(shared)) else {
            throw corruption(
                block, at: start,
                "suffix length \(suffix) after a \(shared)-byte prefix is outside "
                    + "1...\(maxTermLength - Int(shared)) (terms must strictly increase)")
        }
        guard suffix <= UInt64(termsEnd &- position) else {
            throw corruption(block, at: start, "suffix of \(suffix) bytes runs past the term section")
        }
        return (Int(shared), Int(suffix))
    }

    /// Reads one info entry; `bases` holds the offsets its deltas are from (fresh at a block's first entry) and is
    /// moved to the offsets the entry writes. Format 2 entries of one document carry their posting instead of a
    /// postings offset (see `docs/format/term-dictionary.md`).
    @inline(__always)
    func readInfo(
        _ base: UnsafeRawPointer, at position: inout Int, end: Int, bases: inout TermInfoBases, block: Int
    ) throws(IndexError) -> TermInfo {
        let start = position
        guard let header = TermBytes.readVarint(base, at: &position, end: end) else {
            throw corruption(block, at: start, "term statistics run past the block end \(end)")
        }
        let frequency: UInt64
        if packsEntries {
            // Odd: a one-document term, the rest of the header is (frequency − 1) << 1 | positions flag.
            if header & 1 != 0 {
                return try readSingleton(
                    base, at: &position, end: end, bases: &bases, block: block, start: start,
                    frequencyAndFlag: header >> 1)
            }
            frequency = header >> 1
            guard frequency != 1 else {
                throw corruption(block, at: start, "a one-document term's statistics lack its posting")
            }
        } else {
            frequency = header
        }
        guard frequency <= UInt64(UInt32.max) else {
            throw corruption(block, at: start, "document frequency \(frequency) exceeds UInt32")
        }
        guard let extra = TermBytes.readVarint(base, at: &position, end: end),
            let postingsDelta = TermBytes.readVarint(base, at: &position, end: end),
            let positionsDelta = TermBytes.readVarint(base, at: &position, end: end)
        else { throw corruption(block, at: start, "term statistics run past the block end \(end)") }
        let total = frequency.addingReportingOverflow(extra)
        let postings = bases.postings.addingReportingOverflow(postingsDelta)
        let positions = bases.positions.addingReportingOverflow(positionsDelta)
        guard !total.overflow, !postings.overflow, !positions.overflow else {
            throw corruption(block, at: start, "term frequency or offset overflows 64 bits")
        }
        bases.postings = postings.partialValue
        bases.positions = positions.partialValue
        return TermInfo(
            documentFrequency: UInt32(truncatingIfNeeded: frequency), totalTermFrequency: total.partialValue,
            postingsOffset: postings.partialValue, positionsOffset: positions.partialValue)
    }

    /// The rest of a format 2 entry of one document after its header (`frequencyAndFlag`): doc, norm,
    /// positions offset.
    private func readSingleton(
        _ base: UnsafeRawPointer, at position: inout Int, end: Int, bases: inout TermInfoBases, block: Int, start: Int,
        frequencyAndFlag: UInt64
    ) throws(IndexError) -> TermInfo {
        guard let docDelta = TermBytes.readVarint(base, at: &position, end: end), position < end
        else { throw corruption(block, at: start, "inlined posting's statistics run past the block end \(end)") }
        let doc = Int64(bases.singletonDoc).addingReportingOverflow(StoredFieldsCodec.unzigzag(docDelta))
        guard !doc.overflow, doc.partialValue >= 0, doc.partialValue < Int64(UInt32.max) else {
            throw corruption(block, at: start, "inlined posting's doc \(doc.partialValue) is not a doc id")
        }
        bases.singletonDoc = UInt32(doc.partialValue)
        let frequency = frequencyAndFlag >> 1 &+ 1
        guard frequency <= UInt64(UInt32.max) else {
            throw corruption(block, at: start, "inlined posting's frequency \(frequency) exceeds UInt32")
        }
        let norm = base.load(fromByteOffset: position, as: UInt8.self)
        position &+= 1
        let hasPositions = frequencyAndFlag & 1 != 0
        var positionsOffset: UInt64 = 0
        if hasPositions {
            guard let delta = TermBytes.readVarint(base, at: &position, end: end) else {
                throw corruption(block, at: start, "term statistics run past the block end \(end)")
            }
            let positions = bases.positions.addingReportingOverflow(delta)
            guard !positions.overflow else { throw corruption(block, at: start, "positions offset overflows 64 bits") }
            positionsOffset = positions.partialValue
            bases.positions = positionsOffset
        }
        return TermInfo(
            documentFrequency: 1, totalTermFrequency: frequency, postingsOffset: 0, positionsOffset: positionsOffset,
            singleton: SingletonPosting(doc: bases.singletonDoc, norm: norm, hasPositions: hasPositions))
    }

    /// A corruption found in block `block` at body offset `position`, naming both.
    @inline(never)
    func corruption(_ block: Int, at position: Int, _ reason: String) -> IndexError {
        .corrupt(
            file: file.fileName,
            reason: "field \(fieldNumber) block \(block) at byte \(file.bodyOffset + position): \(reason)")
    }

    /// Finds `key`: its block, its index in the block, where the block's info section starts and
    /// where the block ends.
    ///
    /// The scan never rebuilds terms. With `matched` = the bytes the current term (which sorts
    /// before `key`) shares with `key`, the next term, sharing `shared` bytes with the current one,
    /// still sorts before `key` when `shared > matched` (it keeps the smaller byte at `matched`),
    /// sorts after it when `shared < matched` (it has a greater byte at `shared`), and only when
    /// the two are equal must its suffix be compared — the classic front-coding search.
    func locate(_ key: UnsafeRawBufferPointer, base: UnsafeRawPointer) throws(IndexError) -> (
        block: Int, index: Int, infoStart: Int, blockEnd: Int
    )? {
        guard !blocks.isEmpty else { return nil }
        // An empty key may have no base address; any valid pointer serves, as nothing is read.
        let keyBase = key.baseAddress ?? base
        let keyCount = key.count
        let block = lastBlock(atMost: keyBase, keyCount, base: base)
        guard block >= 0 else { return nil }
        let entry = blocks[block]
        let bounds = try blockBounds(block, base: base)
        var matched = TermBytes.commonPrefixLength(base + entry.keyOffset, Int(entry.keyLength), keyBase, keyCount)
        if matched == keyCount && matched == Int(entry.keyLength) {
            return (block, 0, bounds.termsEnd, bounds.end)
        }
        var previousLength = Int(entry.keyLength)
        var position = bounds.termsStart
        let count = Int(entry.termCount)
        var index = 1
        while index < count {
            let (shared, suffix) = try readTermEntry(
                base, at: &position, termsEnd: bounds.termsEnd, previousLength: previousLength, block: block)
            let suffixStart = position
            position &+= suffix
            previousLength = shared &+ suffix
            if shared < matched { return nil }
            if shared == matched {
                let rest = keyCount &- matched
                let common = TermBytes.commonPrefixLength(base + suffixStart, suffix, keyBase + matched, rest)
                if common == rest {
                    // The key is exhausted: equal if the suffix is too, else the term is longer.
                    return common == suffix ? (block, index, bounds.termsEnd, bounds.end) : nil
                }
                if common < suffix
                    && base.load(fromByteOffset: suffixStart &+ common, as: UInt8.self)
                        > keyBase.load(fromByteOffset: matched &+ common, as: UInt8.self)
                {
                    return nil
                }
                matched &+= common
            }
            index &+= 1
        }
        return nil
    }
}

/// What a block's next info entry is delta-coded from: the last offsets and inlined doc the block wrote (0 before
/// its first).
struct TermInfoBases {
    var postings: UInt64 = 0
    var positions: UInt64 = 0
    var singletonDoc: UInt32 = 0
}

/// One end of a term range.
public enum TermBound: Hashable, Sendable {
    /// The range includes this term.
    case inclusive([UInt8])
    /// The range stops just short of this term.
    case exclusive([UInt8])

    /// The bound's term.
    public var term: [UInt8] {
        switch self {
        case .inclusive(let term), .exclusive(let term): term
        }
    }

    /// Whether the bound's term itself is in the range.
    public var isInclusive: Bool {
        if case .inclusive = self { return true }
        return false
    }
}
