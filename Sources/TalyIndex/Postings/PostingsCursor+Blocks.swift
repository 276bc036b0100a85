/// Reading a term's header and skip entries, and decoding blocks: every range is checked against the mapping before
/// the unchecked SIMD-BP128 kernels touch it.
extension PostingsCursor {
    /// What a term's header says, validated.
    struct TermLayout {
        var hasPositions = false
        var termImpacts = ImpactList()
        var blockCount = 0
        var packedBlockCount = 0
        var skipEnd = 0
        var payloadEnd = 0
        /// The single block of a short list, or the state before the first block of a long one.
        var first = PostingsSkipEntry(
            index: -1, entryEnd: 0, baseDoc: 0, lastDoc: 0, docBits: 0, frequencyBits: 0, frequencyExceptions: 0,
            payloadOffset: 0,
            payloadLength: 0, positionsOffset: 0, positionsLength: 0, impactsOffset: 0, impactsLength: 0)
    }

    /// Reads and checks the header of the term `info` points at (see `docs/format/postings.md`).
    static func readHeader(of info: TermInfo, in postings: IndexFile, positions: IndexFile?) throws(IndexError)
        -> TermLayout
    {
        var layout = TermLayout()
        let documentFrequency = Int(info.documentFrequency)
        guard documentFrequency > 0 else { return layout }
        let body = postings.body
        let name = postings.fileName
        if let singleton = info.singleton {
            return try inlinedLayout(singleton, of: info, postingsFileName: name, positions: positions)
        }
        guard info.postingsOffset < UInt64(body.count) else {
            throw .corrupt(
                file: name, reason: "postings offset \(info.postingsOffset) outside the \(body.count)-byte body")
        }
        let headerOffset = Int(info.postingsOffset)
        var input = postings.input
        try input.seek(to: headerOffset)
        let flags = try input.readUInt8()
        layout.hasPositions = flags & PostingsFormat.positionsFlag != 0
        let impactsOffset = input.position
        let impactsLength = Int(flags & PostingsFormat.impactsLengthMask)
        _ = try input.readBytes(impactsLength)
        guard let impacts = ImpactList.decode(body, offset: impactsOffset, length: impactsLength) else {
            throw .corrupt(file: name, reason: "malformed term impacts at byte \(impactsOffset)")
        }
        layout.termImpacts = impacts
        var positionsOffset = 0
        var positionsEnd = 0
        if layout.hasPositions {
            guard let positions else {
                throw .corrupt(
                    file: name, reason: "term at byte \(headerOffset) has positions but there is no .pos file")
            }
            guard info.positionsOffset <= UInt64(positions.bodyLength) else {
                throw .corrupt(
                    file: positions.fileName,
                    reason: "positions offset \(info.positionsOffset) outside the \(positions.bodyLength)-byte body")
            }
            positionsOffset = Int(info.positionsOffset)
            positionsEnd = positions.bodyLength
        }
        if documentFrequency <= PostingsFormat.singleBlockLimit {
            layout.blockCount = 1
            layout.payloadEnd = body.count
            layout.first = PostingsSkipEntry(
                index: 0, entryEnd: 0, baseDoc: 0, lastDoc: 0, docBits: 0, frequencyBits: 0, frequencyExceptions: 0,
                payloadOffset: input.position, payloadLength: body.count - input.position,
                positionsOffset: positionsOffset, positionsLength: positionsEnd - positionsOffset,
                impactsOffset: impactsOffset, impactsLength: impactsLength)
            return layout
        }
        let blocksLength = try input.readCount(limit: headerOffset, what: "block bytes before the term header")
        let skipLength = try input.readCount(limit: input.remaining, what: "skip list length")
        layout.packedBlockCount = documentFrequency / PostingsFormat.blockSize
        layout.blockCount = layout.packedBlockCount + (documentFrequency % PostingsFormat.blockSize == 0 ? 0 : 1)
        layout.skipEnd = input.position + skipLength
        layout.payloadEnd = headerOffset
        layout.first.entryEnd = input.position
        layout.first.payloadOffset = headerOffset - blocksLength
        layout.first.positionsOffset = positionsOffset
        return layout
    }

    /// The layout of a posting inlined in the term dictionary: one block of one doc, no `.post` bytes; its positions
    /// unit runs from the term's positions offset, as a single-block list's does.
    private static func inlinedLayout(
        _ singleton: SingletonPosting, of info: TermInfo, postingsFileName name: String, positions: IndexFile?
    ) throws(IndexError) -> TermLayout {
        guard info.documentFrequency == 1, (1...UInt64(UInt32.max)).contains(info.totalTermFrequency),
            singleton.doc != exhausted
        else {
            throw .corrupt(
                file: name,
                reason: "inlined posting (doc \(singleton.doc), document frequency \(info.documentFrequency), "
                    + "frequency \(info.totalTermFrequency)) is not one posting")
        }
        var layout = TermLayout()
        layout.hasPositions = singleton.hasPositions
        layout.termImpacts = ImpactList(
            CollectionOfOne(Impact(frequency: UInt32(info.totalTermFrequency), norm: singleton.norm)))
        layout.blockCount = 1
        layout.first.index = 0
        if singleton.hasPositions {
            guard let positions else {
                throw .corrupt(
                    file: name,
                    reason: "inlined posting of doc \(singleton.doc) has positions but there is no .pos file")
            }
            guard info.positionsOffset <= UInt64(positions.bodyLength) else {
                throw .corrupt(
                    file: positions.fileName,
                    reason: "positions offset \(info.positionsOffset) outside the \(positions.bodyLength)-byte body")
            }
            layout.first.positionsOffset = Int(info.positionsOffset)
            layout.first.positionsLength = positions.bodyLength - Int(info.positionsOffset)
        }
        return layout
    }

    /// Reads and checks the skip entry after `previous`; past the last block, returns the end state whose last doc
    /// is ``exhausted``.
    func readEntry(after previous: PostingsSkipEntry) throws(IndexError) -> PostingsSkipEntry {
        var entry = previous
        try readNextEntry(into: &entry)
        return entry
    }

    /// Replaces `entry` with the skip entry after it, read and checked as ``readEntry(after:)`` does. In place: the
    /// skip walk of a frequent term reads thousands of entries per query, and copying the 104-byte entry in and out
    /// of a call per entry was a third of the walk.
    @inline(__always)
    func readNextEntry(into entry: inout PostingsSkipEntry) throws(IndexError) {
        let previousLastDoc = entry.lastDoc
        let previousEnd = entry.entryEnd
        entry.index &+= 1
        entry.baseDoc = previousLastDoc
        entry.payloadOffset &+= entry.payloadLength
        entry.positionsOffset &+= entry.positionsLength
        entry.payloadLength = 0
        entry.positionsLength = 0
        entry.impactsLength = 0
        if entry.index >= blockCount {
            entry.index = blockCount
            entry.lastDoc = Self.exhausted
            return
        }
        var position = previousEnd
        guard let delta = Self.readVarint(body, at: &position, end: skipEnd),
            delta <= UInt64(Self.exhausted &- 1 &- previousLastDoc), entry.index == 0 || delta > 0
        else { throw corrupt("bad last-doc delta in skip entry \(entry.index) at byte \(previousEnd)") }
        entry.lastDoc = previousLastDoc &+ UInt32(delta)
        if entry.index < packedBlockCount {
            let frequencyByte = position &+ 2 <= skipEnd ? body[position &+ 1] : 0xFF
            let frequencyBits = patchedFrequencies ? frequencyByte & 0x3F : frequencyByte
            guard position &+ 2 <= skipEnd, body[position] <= 32, frequencyBits <= 32 else {
                throw corrupt("bad bit widths in skip entry \(entry.index) at byte \(position)")
            }
            entry.docBits = Int(body[position])
            entry.frequencyBits = Int(frequencyBits)
            entry.frequencyExceptions =
                patchedFrequencies ? Int(frequencyByte >> PostingsFormat.frequencyExceptionsShift) : 0
            entry.payloadLength =
                BP128.packedByteCount(bitWidth: entry.docBits)
                &+ BP128.packedByteCount(bitWidth: entry.frequencyBits) &+ 2 &* entry.frequencyExceptions
            position &+= 2
        } else {
            entry.docBits = 0
            entry.frequencyBits = 0
            entry.frequencyExceptions = 0
            entry.payloadLength = payloadEnd &- entry.payloadOffset
        }
        guard entry.payloadOffset >= 0, entry.payloadLength >= 0,
            entry.payloadOffset <= payloadEnd &- entry.payloadLength
        else { throw corrupt("block \(entry.index) at byte \(entry.payloadOffset) runs past the term's blocks") }
        if hasPositions {
            guard let length = Self.readVarint(body, at: &position, end: skipEnd),
                length <= UInt64(positionsBody.count &- entry.positionsOffset)
            else { throw corrupt("bad positions length in skip entry \(entry.index)") }
            entry.positionsLength = Int(length)
        }
        guard position < skipEnd else { throw corrupt("skip entry \(entry.index) is truncated") }
        entry.impactsLength = Int(body[position])
        entry.impactsOffset = position &+ 1
        guard entry.impactsLength <= skipEnd &- entry.impactsOffset else {
            throw corrupt("impacts of skip entry \(entry.index) run past the skip list")
        }
        entry.entryEnd = entry.impactsOffset &+ entry.impactsLength
    }

    /// Decodes the docs of the block `entry` describes (and the frequencies of a variable-byte block) and moves to
    /// its first doc. Checks that the decoded last doc is the one the skip entry promised, so `advance(to:)`'s scan
    /// always stops inside the block.
    func enterBlock(_ entry: PostingsSkipEntry) throws(IndexError) {
        let docs = buffer
        let frequencies = buffer + PostingsFormat.blockSize
        if entry.index < packedBlockCount {
            // `readEntry` checked the block lies inside the term's bytes, so the unchecked kernel stays in bounds.
            BP128.unpackDocIDsUnchecked(
                from: body.baseAddress! + entry.payloadOffset, bitWidth: entry.docBits, base: entry.baseDoc,
                stride: DeltaCoding.postingsStride, into: docs)
            count = PostingsFormat.blockSize
            frequenciesDecoded = false
            var exception = entry.payloadOffset &+ entry.payloadLength &- 2 &* entry.frequencyExceptions
            for _ in 0..<entry.frequencyExceptions {
                guard Int(body[exception]) < PostingsFormat.blockSize else {
                    throw corrupt("frequency exception of block \(entry.index) at byte \(exception) indexes no doc")
                }
                exception &+= 2
            }
        } else if let inlined {
            docs[0] = inlined.doc
            frequencies[0] = UInt32(truncatingIfNeeded: totalTermFrequency)
            count = 1
            frequenciesDecoded = true
        } else {
            let size =
                blockCount == 1
                ? Int(documentFrequency) : Int(documentFrequency) &- packedBlockCount &* PostingsFormat.blockSize
            if interleavedTail && !frequenciesOmitted {
                try decodeInterleavedTail(entry, count: size)
            } else {
                let bytes = UnsafeRawBufferPointer(rebasing: body[0..<payloadEnd])
                var position = entry.payloadOffset
                do throws(CodecError) {
                    try VByte.decode(count: size, from: bytes, at: &position, into: docs)
                    if frequenciesOmitted {
                        frequencies.update(repeating: 1, count: size)
                    } else {
                        try VByte.decode(count: size, from: bytes, at: &position, into: frequencies)
                        for slot in 0..<size { frequencies[slot] &+= 1 }
                    }
                } catch {
                    throw corrupt("variable-byte block \(entry.index) at byte \(entry.payloadOffset): \(error)")
                }
            }
            var running = entry.baseDoc
            for slot in 0..<size {
                running &+= docs[slot]
                docs[slot] = running
            }
            count = size
            frequenciesDecoded = true
        }
        let last = docs[count &- 1]
        var entered = entry
        if blockCount == 1 {
            entered.lastDoc = last  // a single-block list has no skip entry: its last doc is known once decoded
            skip = entered
        } else if last != entry.lastDoc {
            throw corrupt("block \(entry.index) ends at doc \(last), its skip entry says \(entry.lastDoc)")
        }
        guard last != Self.exhausted else { throw corrupt("block \(entry.index) holds the reserved doc id") }
        block = entered
        index = 0
        doc = docs[0]
        positionsState = PositionsState()
    }

    /// Decodes a format 2 tail with frequencies: per doc, `gap << 1 | (frequency == 1)`, then `frequency − 2` when
    /// the low bit is clear. Leaves the gaps in the docs buffer for the caller's prefix sum.
    private func decodeInterleavedTail(_ entry: PostingsSkipEntry, count size: Int) throws(IndexError) {
        let docs = buffer
        let frequencies = buffer + PostingsFormat.blockSize
        var position = entry.payloadOffset
        for slot in 0..<size {
            guard let value = Self.readVarint(body, at: &position, end: payloadEnd), value >> 1 <= UInt64(UInt32.max)
            else { throw corrupt("bad doc gap \(slot) of variable-byte block \(entry.index) at byte \(position)") }
            docs[slot] = UInt32(truncatingIfNeeded: value >> 1)
            if value & 1 != 0 {
                frequencies[slot] = 1
            } else {
                guard let extra = Self.readVarint(body, at: &position, end: payloadEnd),
                    extra <= UInt64(UInt32.max - 2)
                else {
                    throw corrupt("bad frequency \(slot) of variable-byte block \(entry.index) at byte \(position)")
                }
                frequencies[slot] = UInt32(truncatingIfNeeded: extra) &+ 2
            }
        }
    }

    /// Unpacks the decoded packed block's frequencies (stored minus 1) on first use: conjunctions and counts that
    /// never read a frequency skip this work.
    func decodePackedFrequencies() {
        frequenciesDecoded = true
        guard count == PostingsFormat.blockSize, block.index < packedBlockCount else { return }
        let source =
            body.baseAddress! + (block.payloadOffset &+ BP128.packedByteCount(bitWidth: block.docBits))
        var plusOne = BP128PlusOneRows()
        let frequencies = buffer + PostingsFormat.blockSize
        BP128.unpackUnchecked(from: source, bitWidth: block.frequencyBits, into: frequencies, transform: &plusOne)
        // `enterBlock` checked that every exception indexes one of the block's 128 docs.
        var exception = block.payloadOffset &+ block.payloadLength &- 2 &* block.frequencyExceptions
        for _ in 0..<block.frequencyExceptions {
            frequencies[Int(body[exception])] &+= UInt32(body[exception &+ 1]) &<< UInt32(block.frequencyBits)
            exception &+= 2
        }
    }

    /// Reads a LEB128 varint of at most 64 bits from `bytes[offset..<end]`; nil when truncated or overlong.
    /// `end` must not exceed `bytes.count`.
    @inline(__always)
    static func readVarint(_ bytes: UnsafeRawBufferPointer, at offset: inout Int, end: Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var position = offset
        while position < end {
            let byte = bytes[position]
            position &+= 1
            if shift == 63 && byte > 1 { return nil }
            result |= UInt64(byte & 0x7F) &<< shift
            if byte < 0x80 {
                offset = position
                return result
            }
            shift &+= 7
            if shift > 63 { return nil }
        }
        return nil
    }
}

/// Adds 1 to every unpacked row: frequencies are stored minus 1 so a block of all-1 frequencies packs to 0 bits.
struct BP128PlusOneRows: BP128RowTransform {
    @inline(__always)
    func apply(_ row: SIMD4<UInt32>) -> SIMD4<UInt32> { row &+ 1 }
}
