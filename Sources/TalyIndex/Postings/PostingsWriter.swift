/// Writes the postings (`.post`) and positions (`.pos`) files of a segment, one term at a time, streaming.
///
/// Usage per term: `startTerm(withPositions:)`, then `add(doc:frequency:norm:positions:)` in increasing doc order,
/// then `finishTerm()`, which returns the ``TermInfo`` for the term dictionary; `finish(sync:)` once at the end.
/// Packed blocks go to the file as soon as they are full; only the current block (128 docs, their positions) and
/// the term's skip entries (a few bytes per 128 docs) are buffered, in buffers reused across terms, so a long
/// list costs no allocation per posting. Misuse (docs out of order, positions that do not match the frequency)
/// is a programmer error and stops the process.
public final class PostingsWriter {
    private let postings: IndexOutput
    private let positions: IndexOutput?

    private var inTerm = false
    private var termHasPositions = false
    private var documentFrequency: UInt32 = 0
    private var totalTermFrequency: UInt64 = 0
    private var termStart = 0
    private var termPositionsStart = 0
    private var fullBlocks = 0
    /// Last doc of the previous packed block: the delta base of the next one (0 before the first).
    private var blockBase: UInt32 = 0
    /// The norm of the last doc added: a singleton's impact.
    private var lastNorm: UInt8 = 0

    // The buffered block and scratch, reused across blocks and terms.
    private var docs = [UInt32](repeating: 0, count: PostingsFormat.blockSize)
    private var frequencies = [UInt32](repeating: 0, count: PostingsFormat.blockSize)
    private var buffered = 0
    private var values = [UInt32](repeating: 0, count: PostingsFormat.blockSize)
    private var packed = [UInt8](repeating: 0, count: BP128.packedByteCount(bitWidth: BP128.maxBitWidth))
    private var blockPositions: [UInt32] = []
    /// How many values of a positions chunk have each bit width 0…32.
    private var widthCounts = [Int](repeating: 0, count: 33)
    private var skip: [UInt8] = []
    private var scratch: [UInt8] = []
    private var blockImpacts = CompetitiveImpactAccumulator()
    private var termImpacts = CompetitiveImpactAccumulator()

    /// Creates the postings file at `postingsPath` and, for segments with positional fields, the positions file at
    /// `positionsPath`.
    public init(postingsPath: String, positionsPath: String?, segment: SegmentID) throws(IndexError) {
        postings = try IndexOutput(path: postingsPath, kind: .postings, segment: segment)
        positions = try positionsPath.map { (path) throws(IndexError) in
            try IndexOutput(path: path, kind: .positions, segment: segment)
        }
        blockPositions.reserveCapacity(4 * PostingsFormat.blockSize)
        skip.reserveCapacity(1024)
        scratch.reserveCapacity(1024)
    }

    /// Starts a term; `withPositions` says whether its `add` calls carry positions (false for keyword fields).
    public func startTerm(withPositions: Bool) {
        precondition(!inTerm, "startTerm called before finishTerm")
        precondition(!withPositions || positions != nil, "a term with positions needs a positions file")
        inTerm = true
        termHasPositions = withPositions
        documentFrequency = 0
        totalTermFrequency = 0
        fullBlocks = 0
        blockBase = 0
        buffered = 0
        blockPositions.removeAll(keepingCapacity: true)
        skip.removeAll(keepingCapacity: true)
        termStart = postings.offset
        termPositionsStart = positions?.offset ?? 0
    }

    /// Adds one document of the current term: `doc` above the previous one and below `PostingsCursor.exhausted`,
    /// `frequency` ≥ 1, `norm` the doc's quantized field length, and exactly `frequency` non-decreasing
    /// `positions` when the term has positions (nil otherwise).
    public func add(doc: UInt32, frequency: UInt32, norm: UInt8, positions termPositions: UnsafeBufferPointer<UInt32>?)
    {
        precondition(inTerm, "add called outside a term")
        precondition(doc < PostingsCursor.exhausted, "doc id \(doc) is reserved as the exhausted sentinel")
        precondition(documentFrequency == 0 || doc > lastDoc, "doc ids must increase: \(doc) after \(lastDoc)")
        precondition(frequency >= 1, "a posting has a frequency of at least 1")
        precondition(documentFrequency < UInt32.max, "too many documents for one term")
        if buffered == PostingsFormat.blockSize {
            flushPackedBlock()  // before buffering this doc's positions: the unit holds the block's docs only
        }
        if termHasPositions {
            guard let termPositions else { preconditionFailure("this term was started with positions") }
            precondition(
                termPositions.count == Int(frequency), "\(termPositions.count) positions for frequency \(frequency)")
            var previous: UInt32 = 0
            for position in termPositions {
                precondition(position >= previous, "positions must not decrease: \(position) after \(previous)")
                blockPositions.append(position &- previous)
                previous = position
            }
        } else {
            precondition(termPositions == nil, "this term was started without positions")
        }
        docs[buffered] = doc
        frequencies[buffered] = frequency
        buffered &+= 1
        documentFrequency &+= 1
        totalTermFrequency &+= UInt64(frequency)
        blockImpacts.add(frequency: frequency, norm: norm)
        lastNorm = norm
    }

    /// Ends the current term: writes its tail, skip list and header and returns its dictionary entry. A term of one
    /// document writes only its positions: its posting goes in the dictionary entry (``TermInfo/singleton``).
    public func finishTerm() -> TermInfo {
        precondition(inTerm, "finishTerm called outside a term")
        inTerm = false
        let positionsOffset = termHasPositions ? UInt64(termPositionsStart - IndexFileLayout.headerSize) : 0
        guard documentFrequency > 0 else {
            // Nothing is written: a cursor over an empty list never reads the file.
            return TermInfo(
                documentFrequency: 0, totalTermFrequency: 0,
                postingsOffset: UInt64(postings.offset - IndexFileLayout.headerSize), positionsOffset: positionsOffset)
        }
        if documentFrequency == 1 {
            writePositionsUnit()
            blockImpacts.reset()
            return TermInfo(
                documentFrequency: 1, totalTermFrequency: totalTermFrequency, postingsOffset: 0,
                positionsOffset: positionsOffset,
                singleton: SingletonPosting(doc: docs[0], norm: lastNorm, hasPositions: termHasPositions))
        }
        let headerOffset: Int
        if fullBlocks == 0 {
            // One variable-byte block, after the header; its impacts are the term's.
            termImpacts.merge(blockImpacts)
            blockImpacts.reset()
            headerOffset = postings.offset
            writeHeader()
            writeVariableByteBlock()
            writePositionsUnit()
        } else {
            if buffered == PostingsFormat.blockSize {
                flushPackedBlock()
            } else {
                flushVariableByteBlock()
            }
            headerOffset = postings.offset
            writeHeader()
            postings.writeVarUInt64(UInt64(headerOffset - termStart))
            postings.writeVarUInt64(UInt64(skip.count))
            postings.writeBytes(skip)
        }
        termImpacts.reset()
        return TermInfo(
            documentFrequency: documentFrequency, totalTermFrequency: totalTermFrequency,
            postingsOffset: UInt64(headerOffset - IndexFileLayout.headerSize), positionsOffset: positionsOffset)
    }

    /// Writes both footers and closes the files, fsyncing them when `sync` is set.
    public func finish(sync: Bool) throws(IndexError) {
        precondition(!inTerm, "finish called inside a term")
        try postings.finish(sync: sync)
        try positions?.finish(sync: sync)
    }

    private var lastDoc: UInt32 { docs[buffered == 0 ? PostingsFormat.blockSize - 1 : buffered - 1] }

    /// Header byte (positions flag, impacts length) and the term's impact list.
    private func writeHeader() {
        scratch.removeAll(keepingCapacity: true)
        termImpacts.frontier().encode(into: &scratch)
        postings.writeUInt8((termHasPositions ? PostingsFormat.positionsFlag : 0) | UInt8(scratch.count))
        postings.writeBytes(scratch)
    }

    /// Packs the 128 buffered docs: stride-4 doc deltas from `blockBase`, then frequencies − 1; appends its skip
    /// entry.
    private func flushPackedBlock() {
        let docBits = packValues(deltasOf: true)
        let (frequencyBits, exceptions) = packFrequencies()
        let last = docs[PostingsFormat.blockSize - 1]
        VByte.append(last &- blockBase, to: &skip)
        skip.append(UInt8(docBits))
        skip.append(UInt8(frequencyBits) | UInt8(exceptions) << PostingsFormat.frequencyExceptionsShift)
        finishBlock(last: last)
        blockBase = last
        fullBlocks &+= 1
    }

    /// Writes the buffered docs (fewer than 128) as the term's variable-byte tail and appends its skip entry.
    private func flushVariableByteBlock() {
        let last = docs[buffered - 1]
        writeVariableByteBlock()
        VByte.append(last &- blockBase, to: &skip)
        finishBlock(last: last)
    }

    /// The skip entry's positions length and impacts; moves the block's impacts into the term's.
    private func finishBlock(last: UInt32) {
        if termHasPositions {
            VByte.append(UInt32(truncatingIfNeeded: writePositionsUnit()), to: &skip)
        }
        let impacts = blockImpacts.frontier()
        let lengthAt = skip.count
        skip.append(0)
        impacts.encode(into: &skip)
        skip[lengthAt] = UInt8(skip.count - lengthAt - 1)
        termImpacts.merge(blockImpacts)
        blockImpacts.reset()
        buffered = 0
    }

    /// Bit-packs the 128 buffered doc deltas and writes them; returns the bit width.
    private func packValues(deltasOf docIDs: Bool) -> Int {
        values.withUnsafeMutableBufferPointer { values in
            docs.withUnsafeBufferPointer { docs in
                DeltaCoding.encode(docs, base: blockBase, stride: DeltaCoding.postingsStride, into: values)
            }
        }
        return writePacked(values)
    }

    /// Writes the 128 buffered frequencies − 1 at the width that makes them smallest when up to
    /// `PostingsFormat.maxFrequencyExceptions` of them, whose high bits fit a byte, follow as exceptions (index
    /// byte, high byte): one doc with many occurrences no longer sets the width of the block. Returns the width and
    /// the exception count.
    private func packFrequencies() -> (bitWidth: Int, exceptions: Int) {
        for index in 0..<PostingsFormat.blockSize {
            values[index] = frequencies[index] &- 1
        }
        let bitWidth = patchedBitWidth(maxExceptions: PostingsFormat.maxFrequencyExceptions, highBitsInOneByte: true)
        scratch.removeAll(keepingCapacity: true)
        if bitWidth < 32 {
            for index in 0..<PostingsFormat.blockSize where values[index] >> bitWidth != 0 {
                scratch.append(UInt8(index))
                scratch.append(UInt8(truncatingIfNeeded: values[index] >> bitWidth))
                values[index] &= (1 << bitWidth) &- 1
            }
        }
        _ = writePacked(values, bitWidth: bitWidth)
        postings.writeBytes(scratch)
        return (bitWidth, scratch.count / 2)
    }

    /// Writes 128 values BP128-packed at `bitWidth` (their own width by default); returns the width.
    private func writePacked(_ source: [UInt32], bitWidth chosenWidth: Int? = nil) -> Int {
        let bitWidth = chosenWidth ?? BP128.bitWidth(of: source)
        let byteCount = BP128.packedByteCount(bitWidth: bitWidth)
        source.withUnsafeBufferPointer { source in
            packed.withUnsafeMutableBytes { destination in
                BP128.packUnchecked(source.baseAddress!, bitWidth: bitWidth, into: destination.baseAddress!)
                postings.writeBytes(UnsafeRawBufferPointer(rebasing: destination[0..<byteCount]))
            }
        }
        return bitWidth
    }

    /// Doc gaps (stride 1 from `blockBase`); unless every frequency of the term is 1, each gap carries a low bit
    /// saying "frequency 1", and other frequencies follow their gap as frequency − 2 (Lucene's doc/freq tail: most
    /// tail frequencies are 1, and a separate byte for each cost about a third of the tails).
    private func writeVariableByteBlock() {
        scratch.removeAll(keepingCapacity: true)
        var previous = blockBase
        let frequenciesOmitted = totalTermFrequency == UInt64(documentFrequency)
        for index in 0..<buffered {
            let gap = docs[index] &- previous
            previous = docs[index]
            if frequenciesOmitted {
                VByte.append(gap, to: &scratch)
            } else if frequencies[index] == 1 {
                scratch.appendVarUInt64(UInt64(gap) << 1 | 1)
            } else {
                scratch.appendVarUInt64(UInt64(gap) << 1)
                VByte.append(frequencies[index] &- 2, to: &scratch)
            }
        }
        postings.writeBytes(scratch)
    }

    /// The bit width of the 128 `values` that takes the fewest bytes when at most `maxExceptions` wider values are
    /// exceptions: an index byte and their high bits, as a varint or, with `highBitsInOneByte`, one byte (then no
    /// exception may have more than 8 high bits).
    private func patchedBitWidth(maxExceptions: Int, highBitsInOneByte: Bool) -> Int {
        widthCounts.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        for value in values { widthCounts[UInt32.bitWidth - value.leadingZeroBitCount] += 1 }
        let countOfWidth = widthCounts
        let fullWidth = BP128.bitWidth(of: values)
        var best = fullWidth
        var bestCost = BP128.packedByteCount(bitWidth: best)
        var exceptions = 0
        var exceptionBytes = 0
        var width = best
        while width > 0 {
            // Lowering the width to `width − 1` turns the values of width `width` into exceptions too.
            exceptions += countOfWidth[width]
            if exceptions > maxExceptions || (highBitsInOneByte && fullWidth - (width - 1) > 8) { break }
            width -= 1
            exceptionBytes = 0
            for wider in (width + 1)...32 where countOfWidth[wider] > 0 {
                exceptionBytes += countOfWidth[wider] * (highBitsInOneByte ? 2 : 1 + (wider - width + 6) / 7)
            }
            let cost = BP128.packedByteCount(bitWidth: width) + exceptionBytes
            if cost < bestCost {
                best = width
                bestCost = cost
            }
        }
        return best
    }

    /// Writes the buffered position deltas as one unit: 128-value chunks (width byte, exception count, BP128 of the
    /// low bits, exceptions) then a LEB128 tail.
    /// Returns the unit's byte length.
    @discardableResult
    private func writePositionsUnit() -> Int {
        guard termHasPositions, let positions else { return 0 }
        let start = positions.offset
        var index = 0
        let total = blockPositions.count
        while total - index >= PostingsFormat.blockSize {
            for offset in 0..<PostingsFormat.blockSize {
                values[offset] = blockPositions[index + offset]
            }
            let bitWidth = patchedBitWidth(
                maxExceptions: PostingsFormat.maxPositionExceptions, highBitsInOneByte: false)
            positions.writeUInt8(UInt8(bitWidth))
            // Exceptions: the values wider than the chunk, their high bits after the packed low bits.
            scratch.removeAll(keepingCapacity: true)
            var exceptions: UInt8 = 0
            if bitWidth < 32 {
                for offset in 0..<PostingsFormat.blockSize where values[offset] >> bitWidth != 0 {
                    scratch.append(UInt8(offset))
                    VByte.append(values[offset] >> bitWidth, to: &scratch)
                    values[offset] &= (1 << bitWidth) &- 1
                    exceptions &+= 1
                }
            }
            positions.writeUInt8(exceptions)
            values.withUnsafeBufferPointer { source in
                packed.withUnsafeMutableBytes { destination in
                    BP128.packUnchecked(source.baseAddress!, bitWidth: bitWidth, into: destination.baseAddress!)
                    positions.writeBytes(
                        UnsafeRawBufferPointer(rebasing: destination[0..<BP128.packedByteCount(bitWidth: bitWidth)]))
                }
            }
            positions.writeBytes(scratch)
            index += PostingsFormat.blockSize
        }
        scratch.removeAll(keepingCapacity: true)
        while index < total {
            VByte.append(blockPositions[index], to: &scratch)
            index += 1
        }
        positions.writeBytes(scratch)
        blockPositions.removeAll(keepingCapacity: true)
        return positions.offset - start
    }
}
