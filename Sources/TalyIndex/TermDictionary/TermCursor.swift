/// The outcome of positioning a cursor on a key.
public enum TermSeekResult: Sendable {
    /// The cursor is on the key itself.
    case found
    /// The key is absent; the cursor is on the first term after it.
    case notFound
    /// No term at or after the key lies within the cursor's bounds; the cursor is exhausted.
    case end
}

/// Walks a field's terms in increasing byte order within optional bounds, decoding each block's
/// front-coded terms into one reused buffer: no allocation per term, and statistics decoded only
/// when asked for (``info()``), so walks that filter terms (prefix, range, fuzzy automata) pay
/// only for the terms they keep.
///
/// A cursor starts before its first term: call ``next()`` to reach it. Non-copyable because it
/// owns its term buffer; ``term`` points into that buffer and is valid until the cursor moves.
public struct TermCursor: ~Copyable {
    private enum State {
        case unpositioned
        case positioned
        case exhausted
    }

    private let terms: FieldTerms
    private let base: UnsafeRawPointer
    /// The current term, then copies of the lower and upper bound terms.
    private let buffer: UnsafeMutableRawPointer
    private let lowerCount: Int
    private let lowerInclusive: Bool
    private let upperCount: Int
    private let upperInclusive: Bool
    private let hasLower: Bool
    private let hasUpper: Bool
    private var state = State.unpositioned
    private var termLength = 0
    /// Bytes the current term shares with the upper bound, which it sorts before (or equals).
    private var upperShared = 0

    private var block = 0
    private var indexInBlock = 0
    private var countInBlock = 0
    private var termPosition = 0
    private var termsEnd = 0
    private var blockEnd = 0
    private var infoPosition = 0
    private var infosDecoded = 0
    private var lastInfo = TermInfo(documentFrequency: 0, totalTermFrequency: 0, postingsOffset: 0, positionsOffset: 0)
    private var infoBases = TermInfoBases()
    /// The ordinal of the current term within the field.
    public private(set) var ordinal = -1

    init(terms: FieldTerms, lower: TermBound?, upper: TermBound?) {
        self.terms = terms
        base = terms.bodyBase
        let lowerTerm = lower?.term ?? []
        let upperTerm = upper?.term ?? []
        lowerCount = lowerTerm.count
        upperCount = upperTerm.count
        hasLower = lower != nil
        hasUpper = upper != nil
        lowerInclusive = lower?.isInclusive ?? true
        upperInclusive = upper?.isInclusive ?? true
        // One allocation per cursor: the term buffer is sized by the field's longest term, which
        // the decoder enforces, so it never grows.
        let capacity = max(terms.maxTermLength + lowerCount + upperCount, 1)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        lowerTerm.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress {
                (buffer + terms.maxTermLength).copyMemory(from: source, byteCount: bytes.count)
            }
        }
        upperTerm.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress {
                (buffer + terms.maxTermLength + lowerCount).copyMemory(from: source, byteCount: bytes.count)
            }
        }
    }

    deinit { buffer.deallocate() }

    private var lowerBase: UnsafeRawPointer { UnsafeRawPointer(buffer + terms.maxTermLength) }
    private var upperBase: UnsafeRawPointer { UnsafeRawPointer(buffer + terms.maxTermLength + lowerCount) }

    /// The current term's bytes; valid until the cursor moves.
    public var term: UnsafeRawBufferPointer {
        precondition(state == .positioned, "no current term: call next() or seek first")
        return UnsafeRawBufferPointer(start: buffer, count: termLength)
    }

    /// Moves to the next term within bounds (the first one on the first call); false at the end.
    public mutating func next() throws(IndexError) -> Bool {
        switch state {
        case .exhausted:
            return false
        case .unpositioned:
            return try positionAtLowerBound()
        case .positioned:
            let shared: Int
            if indexInBlock &+ 1 < countInBlock {
                shared = try advanceInBlock()
            } else if block &+ 1 < terms.blocks.count {
                try loadBlock(block &+ 1)
                shared = 0
            } else {
                state = .exhausted
                return false
            }
            return checkUpperBound(shared: shared)
        }
    }

    /// The current term's statistics and offsets, decoded on demand.
    public mutating func info() throws(IndexError) -> TermInfo {
        precondition(state == .positioned, "no current term: call next() or seek first")
        // Offsets are deltas from the previous entry, so decode forward from the last one decoded.
        while infosDecoded <= indexInBlock {
            if infosDecoded == 0 { infoBases = TermInfoBases() }
            lastInfo = try terms.readInfo(base, at: &infoPosition, end: blockEnd, bases: &infoBases, block: block)
            infosDecoded &+= 1
            if infosDecoded == countInBlock && infoPosition != blockEnd {
                throw terms.corruption(
                    block, at: infoPosition, "\(blockEnd - infoPosition) bytes left after the last term's statistics")
            }
        }
        return lastInfo
    }

    /// Moves to the first term within bounds that is at least `key`.
    public mutating func seekCeil(_ key: UnsafeRawBufferPointer) throws(IndexError) -> TermSeekResult {
        let keyBase = key.baseAddress ?? UnsafeRawPointer(buffer)
        if hasLower {
            let order = TermBytes.compare(keyBase, key.count, lowerBase, lowerCount)
            if order < 0 || (order == 0 && !lowerInclusive) {
                // The key is below the range: its ceiling within bounds is the range's first term.
                guard try positionAtLowerBound() else { return .end }
                return termEquals(keyBase, key.count) ? .found : .notFound
            }
        }
        let exact = try positionCeil(keyBase, key.count)
        guard state == .positioned, checkUpperBound(shared: 0) else { return .end }
        return exact ? .found : .notFound
    }

    /// Moves to the first term within bounds that is at least `key`.
    public mutating func seekCeil(_ key: [UInt8]) throws(IndexError) -> TermSeekResult {
        try key.withUnsafeBytes { bytes in
            Result { () throws(IndexError) in try seekCeil(bytes) }
        }.get()
    }

    /// Moves to `key` if the field holds it within bounds and returns true; otherwise the cursor
    /// rests on the next term (or is exhausted) and this returns false.
    public mutating func seekExact(_ key: UnsafeRawBufferPointer) throws(IndexError) -> Bool {
        try seekCeil(key) == .found
    }

    /// Moves to the term at `ordinal`; false (and exhausted) if it is outside the field or bounds.
    public mutating func seek(toOrdinal target: Int) throws(IndexError) -> Bool {
        guard target >= 0, target < terms.termCount else {
            state = .exhausted
            return false
        }
        var low = 0
        var high = terms.blocks.count
        // The last block whose first ordinal is at most `target`.
        while low < high {
            let middle = (low &+ high) &>> 1
            if terms.blocks[middle].ordinal <= target { low = middle &+ 1 } else { high = middle }
        }
        try loadBlock(low &- 1)
        while ordinal < target { _ = try advanceInBlock() }
        if hasLower {
            let order = TermBytes.compare(UnsafeRawPointer(buffer), termLength, lowerBase, lowerCount)
            if order < 0 || (order == 0 && !lowerInclusive) {
                state = .exhausted
                return false
            }
        }
        return checkUpperBound(shared: 0)
    }

    // MARK: - Positioning

    /// Positions on the first term within the lower bound; checks the upper bound.
    private mutating func positionAtLowerBound() throws(IndexError) -> Bool {
        if hasLower {
            let exact = try positionCeil(lowerBase, lowerCount)
            guard state == .positioned else { return false }
            if exact && !lowerInclusive {
                state = .positioned
                if indexInBlock &+ 1 < countInBlock {
                    _ = try advanceInBlock()
                } else if block &+ 1 < terms.blocks.count {
                    try loadBlock(block &+ 1)
                } else {
                    state = .exhausted
                    return false
                }
            }
        } else {
            guard !terms.blocks.isEmpty else {
                state = .exhausted
                return false
            }
            try loadBlock(0)
        }
        return checkUpperBound(shared: 0)
    }

    /// Positions on the first term of the field at least `key`, ignoring bounds; returns whether
    /// it equals `key`. Uses the shared-prefix reasoning of ``FieldTerms`` `locate`.
    private mutating func positionCeil(_ key: UnsafeRawPointer, _ keyCount: Int) throws(IndexError) -> Bool {
        guard !terms.blocks.isEmpty else {
            state = .exhausted
            return false
        }
        let first = terms.lastBlock(atMost: key, keyCount, base: base)
        if state == .positioned && first == block && TermBytes.compare(buffer, termLength, key, keyCount) < 0 {
            // The key lies ahead in the current block: scan on from here rather than decode the
            // block again from its start (walks that seek forward, like fuzzy, seek mostly so).
        } else {
            try loadBlock(max(first, 0))
            if first < 0 { return false }  // every term sorts after the key
        }
        var matched = TermBytes.commonPrefixLength(buffer, termLength, key, keyCount)
        if matched == keyCount && matched == termLength { return true }
        while true {
            if indexInBlock &+ 1 >= countInBlock {
                // Every term of the block sorts before the key: the ceiling starts the next block.
                guard block &+ 1 < terms.blocks.count else {
                    state = .exhausted
                    return false
                }
                try loadBlock(block &+ 1)
                return false
            }
            let shared = try advanceInBlock()
            if shared > matched { continue }
            if shared < matched { return false }
            let common =
                matched
                &+ TermBytes.commonPrefixLength(
                    buffer + matched, termLength &- matched, key + matched, keyCount &- matched)
            if common == keyCount { return common == termLength }
            if common < termLength
                && buffer.load(fromByteOffset: common, as: UInt8.self)
                    > key.load(fromByteOffset: common, as: UInt8.self)
            {
                return false
            }
            matched = common
        }
    }

    /// Makes block `index` current, positioned on its first term (taken from the sparse index).
    private mutating func loadBlock(_ index: Int) throws(IndexError) {
        let bounds = try terms.blockBounds(index, base: base)
        let entry = terms.blocks[index]
        block = index
        termPosition = bounds.termsStart
        termsEnd = bounds.termsEnd
        blockEnd = bounds.end
        infoPosition = bounds.termsEnd
        infosDecoded = 0
        countInBlock = Int(entry.termCount)
        indexInBlock = 0
        termLength = Int(entry.keyLength)
        buffer.copyMemory(from: base + entry.keyOffset, byteCount: termLength)
        ordinal = entry.ordinal
        state = .positioned
        if countInBlock == 1 { try checkTermSectionConsumed() }
    }

    /// Decodes the next term of the current block into the buffer; returns the bytes it shares
    /// with the previous term.
    @inline(__always)
    private mutating func advanceInBlock() throws(IndexError) -> Int {
        let (shared, suffix) = try terms.readTermEntry(
            base, at: &termPosition, termsEnd: termsEnd, previousLength: termLength, block: block)
        // Order check for free: the first new byte must exceed the byte it replaces.
        if shared < termLength
            && base.load(fromByteOffset: termPosition, as: UInt8.self)
                <= buffer.load(fromByteOffset: shared, as: UInt8.self)
        {
            throw terms.corruption(
                block, at: termPosition, "term \(indexInBlock + 1) does not sort after its predecessor")
        }
        (buffer + shared).copyMemory(from: base + termPosition, byteCount: suffix)
        termPosition &+= suffix
        termLength = shared &+ suffix
        indexInBlock &+= 1
        ordinal &+= 1
        if indexInBlock &+ 1 == countInBlock { try checkTermSectionConsumed() }
        return shared
    }

    /// Throws unless the last term of the block ended exactly at the end of the term section.
    private func checkTermSectionConsumed() throws(IndexError) {
        guard termPosition == termsEnd else {
            throw terms.corruption(
                block, at: termPosition, "\(termsEnd - termPosition) bytes left in the term section after the last term"
            )
        }
    }

    /// Whether the current term (sharing `shared` bytes with the previous one, or 0 when unknown)
    /// is within the upper bound; exhausts the cursor if not. A term that shares more bytes with
    /// its predecessor than the predecessor shared with the bound sorts before the bound for the
    /// same reason as in ``FieldTerms`` `locate`, so most terms need no comparison.
    @inline(__always)
    private mutating func checkUpperBound(shared: Int) -> Bool {
        guard hasUpper, shared <= upperShared else { return true }
        let common =
            shared
            &+ TermBytes.commonPrefixLength(
                buffer + shared, termLength &- shared, upperBase + shared, upperCount &- shared)
        let within: Bool
        if common == termLength {
            within = common < upperCount || upperInclusive  // a prefix of the bound, or equal to it
        } else if common == upperCount {
            within = false  // longer than the bound, which is its prefix
        } else {
            within =
                buffer.load(fromByteOffset: common, as: UInt8.self)
                < upperBase.load(fromByteOffset: common, as: UInt8.self)
        }
        if within {
            upperShared = common
        } else {
            state = .exhausted
        }
        return within
    }

    /// Whether the current term equals `key`.
    private func termEquals(_ key: UnsafeRawPointer, _ keyCount: Int) -> Bool {
        keyCount == termLength && TermBytes.commonPrefixLength(buffer, termLength, key, keyCount) == keyCount
    }
}
