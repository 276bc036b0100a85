/// Writes the `.terms` file of one segment: for each indexed field, its terms in increasing byte
/// order, front-coded in blocks, with a sparse index of each block's first term.
///
/// Usage: `startField`, `add` every term of the field in strictly increasing byte order,
/// `finishField`; repeat for each field in increasing field number; then `finish(sync:)`.
/// Misuse (unsorted terms, fields out of order, offsets going backwards) stops the process: the
/// caller owns the order, and a file written out of order would answer lookups wrongly.
public final class TermDictionaryWriter {
    /// The path being written.
    public var path: String { output.path }

    private let output: IndexOutput
    private let blockSize: Int
    private var directory: [FieldSummary] = []
    private var field: FieldState?

    /// What the directory records of one finished field.
    private struct FieldSummary {
        var number: UInt32
        var termCount: Int
        var blockCount: Int
        var maxTermLength: Int
        var blocksOffset: Int
        var indexOffset: Int
        var indexLength: Int
    }

    /// The field being written and its pending block.
    private struct FieldState {
        var number: UInt32
        var termCount = 0
        var blockCount = 0
        var maxTermLength = 0
        var blocksOffset: Int
        /// The previous term of the field, for the order check and front coding.
        var previousTerm: [UInt8] = []
        /// The last postings and positions offsets written in the field, for the order check.
        var lastPostingsOffset: UInt64 = 0
        var lastPositionsOffset: UInt64 = 0
        /// The bases of the pending block's offset deltas: the last offsets written in the block
        /// (0 at its start, so the first written offsets are absolute).
        var blockPostingsBase: UInt64 = 0
        var blockPositionsBase: UInt64 = 0
        /// The doc of the block's last inlined posting (0 before the first): ids sorted with the
        /// documents' order then cost a byte or two instead of three.
        var blockSingletonDoc: UInt32 = 0
        /// The pending block: its first term (kept only in the sparse index), its term and info
        /// sections and its count.
        var blockFirstTerm: [UInt8] = []
        var blockTerms: [UInt8] = []
        var blockInfos: [UInt8] = []
        var blockTermCount = 0
        /// The sparse index of the blocks written so far.
        var index: [UInt8] = []
    }

    /// Creates `path` (truncating it) for `segment`; `blockSize` terms go in each block.
    public init(
        path: String, segment: SegmentID, blockSize: Int = TermDictionaryLayout.defaultBlockSize
    ) throws(IndexError) {
        precondition(
            (1...TermDictionaryLayout.maxBlockSize).contains(blockSize),
            "block size \(blockSize) is outside 1...\(TermDictionaryLayout.maxBlockSize)")
        output = try IndexOutput(path: path, kind: .termDictionary, segment: segment)
        self.blockSize = blockSize
    }

    /// Body-relative offset of the next byte written.
    private var bodyOffset: Int { output.offset - IndexFileLayout.headerSize }

    /// Starts the section of field `number`, which must exceed every field number written before.
    public func startField(_ number: UInt32) {
        precondition(field == nil, "startField(\(number)) while field \(field!.number) is open")
        if let last = directory.last {
            precondition(number > last.number, "field \(number) after field \(last.number): numbers must increase")
        }
        field = FieldState(number: number, blocksOffset: bodyOffset)
    }

    /// Adds the next term of the open field, with its statistics and postings offsets.
    ///
    /// Terms must be strictly increasing in unsigned byte order; offsets must not decrease from
    /// one term to the next, since they are delta-coded; `totalTermFrequency` must be at least
    /// `documentFrequency`. A term of one document must carry its posting (``TermInfo/singleton``),
    /// with postings offset 0 and, without positions, positions offset 0; no other term may.
    public func add(term: UnsafeRawBufferPointer, info: TermInfo) {
        guard field != nil else { preconditionFailure("add(term:info:) outside startField/finishField") }
        // Mutated in place: moving the state out and back per term retained and released its
        // five arrays (a flush adds every term of a segment).
        append(term, info, to: &field!)
    }

    private func append(_ term: UnsafeRawBufferPointer, _ info: TermInfo, to state: inout FieldState) {
        precondition(
            term.count <= TermDictionaryLayout.maxTermLength,
            "term of \(term.count) bytes exceeds \(TermDictionaryLayout.maxTermLength)")
        precondition(
            info.totalTermFrequency >= UInt64(info.documentFrequency),
            "total term frequency \(info.totalTermFrequency) below document frequency \(info.documentFrequency)")
        precondition(
            (info.documentFrequency == 1) == (info.singleton != nil),
            "a term of one document, and only such a term, inlines its posting (field \(state.number))")
        let writesPostingsOffset = info.singleton == nil
        let writesPositionsOffset = info.singleton?.hasPositions ?? true
        if !writesPostingsOffset {
            precondition(info.postingsOffset == 0, "an inlined posting has no postings offset")
        }
        if !writesPositionsOffset {
            precondition(info.positionsOffset == 0, "a posting without positions has no positions offset")
        }
        let shared = state.termCount == 0 ? 0 : commonPrefixLength(state.previousTerm, term)
        if state.termCount > 0 {
            precondition(
                isGreater(term, than: state.previousTerm, sharing: shared),
                "terms must be added in strictly increasing byte order (field \(state.number), term \(state.termCount))"
            )
        }
        precondition(
            (!writesPostingsOffset || info.postingsOffset >= state.lastPostingsOffset)
                && (!writesPositionsOffset || info.positionsOffset >= state.lastPositionsOffset),
            "postings and positions offsets must not decrease (field \(state.number), term \(state.termCount))")

        if state.blockTermCount == 0 {
            // The first term of a block lives only in the sparse index; offsets restart absolute.
            state.blockFirstTerm.removeAll(keepingCapacity: true)
            state.blockFirstTerm.append(contentsOf: term)
            state.blockPostingsBase = 0
            state.blockPositionsBase = 0
            state.blockSingletonDoc = 0
        } else {
            // Both lengths in one byte for most terms: the suffix rarely exceeds 8 bytes and the
            // shared prefix 14 outside long keys such as ids.
            let nibble = min(shared, 15)
            state.blockTerms.appendVarUInt64(UInt64(term.count - shared - 1) << 4 | UInt64(nibble))
            if nibble == 15 { state.blockTerms.appendVarUInt64(UInt64(shared - 15)) }
            state.blockTerms.append(contentsOf: UnsafeRawBufferPointer(rebasing: term[shared...]))
        }
        // The header's low bit says whether the entry holds the posting of a one-document term,
        // so such a term (about half of them, every unique id) spends no byte on its df.
        if let singleton = info.singleton {
            state.blockInfos.appendVarUInt64(
                (info.totalTermFrequency - 1) << 2 | (singleton.hasPositions ? 2 : 0) | 1)
            state.blockInfos.appendVarUInt64(
                StoredFieldsCodec.zigzag(Int64(singleton.doc) - Int64(state.blockSingletonDoc)))
            state.blockSingletonDoc = singleton.doc
            state.blockInfos.append(singleton.norm)
        } else {
            state.blockInfos.appendVarUInt64(UInt64(info.documentFrequency) << 1)
            state.blockInfos.appendVarUInt64(info.totalTermFrequency - UInt64(info.documentFrequency))
            state.blockInfos.appendVarUInt64(info.postingsOffset - state.blockPostingsBase)
            state.blockPostingsBase = info.postingsOffset
            state.lastPostingsOffset = info.postingsOffset
        }
        if writesPositionsOffset {
            state.blockInfos.appendVarUInt64(info.positionsOffset - state.blockPositionsBase)
            state.blockPositionsBase = info.positionsOffset
            state.lastPositionsOffset = info.positionsOffset
        }
        state.blockTermCount += 1
        state.termCount += 1
        state.maxTermLength = max(state.maxTermLength, term.count)
        state.previousTerm.removeAll(keepingCapacity: true)
        state.previousTerm.append(contentsOf: term)
        if state.blockTermCount == blockSize { flushBlock(&state) }
    }

    /// Adds the next term of the open field; see ``add(term:info:)-(UnsafeRawBufferPointer,_)``.
    public func add(term: [UInt8], info: TermInfo) {
        term.withUnsafeBytes { add(term: $0, info: info) }
    }

    /// Ends the open field: writes its last block and its sparse index.
    public func finishField() {
        guard var state = field else { preconditionFailure("finishField() without startField") }
        field = nil
        flushBlock(&state)
        let indexOffset = bodyOffset
        output.writeBytes(state.index)
        directory.append(
            FieldSummary(
                number: state.number, termCount: state.termCount, blockCount: state.blockCount,
                maxTermLength: state.maxTermLength, blocksOffset: state.blocksOffset, indexOffset: indexOffset,
                indexLength: state.index.count))
    }

    /// Writes the field directory and the footer, fsyncs when `sync` is set, and closes the file.
    public func finish(sync: Bool) throws(IndexError) {
        precondition(field == nil, "finish(sync:) while field \(field!.number) is open")
        let directoryOffset = bodyOffset
        output.writeVarUInt64(UInt64(directory.count))
        for summary in directory {
            output.writeVarUInt64(UInt64(summary.number))
            output.writeVarUInt64(UInt64(summary.termCount))
            output.writeVarUInt64(UInt64(summary.blockCount))
            output.writeVarUInt64(UInt64(summary.maxTermLength))
            output.writeVarUInt64(UInt64(summary.blocksOffset))
            output.writeVarUInt64(UInt64(summary.indexOffset))
            output.writeVarUInt64(UInt64(summary.indexLength))
        }
        output.writeUInt64(UInt64(directoryOffset))
        try output.finish(sync: sync)
    }

    /// Writes the pending block, if any, and its sparse-index entry.
    private func flushBlock(_ state: inout FieldState) {
        guard state.blockTermCount > 0 else { return }
        let blockOffset = bodyOffset
        output.writeVarUInt64(UInt64(state.blockTerms.count))
        output.writeBytes(state.blockTerms)
        output.writeBytes(state.blockInfos)
        state.index.appendVarUInt64(UInt64(state.blockFirstTerm.count))
        state.index.append(contentsOf: state.blockFirstTerm)
        state.index.appendVarUInt64(UInt64(bodyOffset - blockOffset))
        state.index.appendVarUInt64(UInt64(state.blockTermCount))
        state.blockCount += 1
        state.blockTermCount = 0
        state.blockTerms.removeAll(keepingCapacity: true)
        state.blockInfos.removeAll(keepingCapacity: true)
    }
}

/// The number of leading bytes `a` and `b` share.
private func commonPrefixLength(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Int {
    let limit = min(a.count, b.count)
    var index = 0
    while index < limit && a[index] == b[index] { index += 1 }
    return index
}

/// Whether `term` sorts after `previous`, given that they share their first `shared` bytes.
private func isGreater(_ term: UnsafeRawBufferPointer, than previous: [UInt8], sharing shared: Int) -> Bool {
    if shared == term.count { return false }  // equal, or a prefix of `previous`
    if shared == previous.count { return true }  // `previous` is a proper prefix of `term`
    return term[shared] > previous[shared]
}
