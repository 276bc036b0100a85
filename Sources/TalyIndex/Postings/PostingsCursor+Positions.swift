/// Reading the current doc's positions from the `.pos` file, lazily: only phrase queries and highlighting call it.
///
/// A block's positions form one unit (see `docs/format/positions.md`): the position deltas of its docs in doc order,
/// in 128-value chunks (a width byte and a SIMD-BP128 block) and a LEB128 tail. The doc's first position is at index
/// `sum of the frequencies of the block's earlier docs` in the unit; chunks before it are skipped by their width
/// byte without decoding, and the decoded chunk is kept for the next doc.
extension PostingsCursor {
    /// Where the positions reader of the decoded block stands.
    struct PositionsState {
        /// False until the unit of the decoded block is set up.
        var ready = false
        var unitEnd = 0
        /// Positions in the unit (the block's frequency sum) and its packed chunks.
        var total = 0
        var packedChunks = 0
        /// The chunk in the positions buffer (-1: none), the next chunk to read and its byte offset.
        var decodedChunk = -1
        var nextChunk = 0
        var nextChunkOffset = 0
        /// The sum of the frequencies of the block's docs before `prefixDoc`.
        var prefixDoc = 0
        var prefixSum = 0
    }

    /// Replaces the contents of `positions` with the current doc's positions, in increasing order.
    ///
    /// The term must have positions (``hasPositions``) and the cursor must not be exhausted. Throws ``IndexError`` on
    /// positions data that is inconsistent with the postings.
    public func positions(into positions: inout [UInt32]) throws(IndexError) {
        precondition(hasPositions, "the term was indexed without positions")
        precondition(doc != Self.exhausted, "an exhausted cursor has no positions")
        if !frequenciesDecoded { decodePackedFrequencies() }
        let frequencies = buffer + PostingsFormat.blockSize
        if !positionsState.ready { try startPositionsUnit() }
        if positionsState.prefixDoc > index {
            positionsState.prefixDoc = 0
            positionsState.prefixSum = 0
        }
        while positionsState.prefixDoc < index {
            positionsState.prefixSum &+= Int(frequencies[positionsState.prefixDoc])
            positionsState.prefixDoc &+= 1
        }
        positions.removeAll(keepingCapacity: true)
        var at = positionsState.prefixSum
        var remaining = Int(frequencies[index])
        var running: UInt32 = 0
        let chunk = buffer + 2 &* PostingsFormat.blockSize
        while remaining > 0 {
            let chunkIndex = at &>> 7
            if chunkIndex != positionsState.decodedChunk { try loadPositionsChunk(chunkIndex) }
            let chunkStart = chunkIndex &<< 7
            let chunkCount = min(PostingsFormat.blockSize, positionsState.total &- chunkStart)
            let take = min(remaining, chunkCount &- (at &- chunkStart))
            for slot in (at &- chunkStart)..<(at &- chunkStart &+ take) {
                running &+= chunk[slot]
                positions.append(running)
            }
            at &+= take
            remaining &-= take
        }
    }

    /// Sets up the positions unit of the decoded block.
    private func startPositionsUnit() throws(IndexError) {
        var total = 0
        let frequencies = buffer + PostingsFormat.blockSize
        for slot in 0..<count { total &+= Int(frequencies[slot]) }
        let unitStart = block.positionsOffset
        let unitEnd = unitStart &+ block.positionsLength
        // Every packed chunk takes at least its width byte: a larger count cannot be real.
        guard total / PostingsFormat.blockSize <= unitEnd &- unitStart else {
            throw positionsCorrupt("block \(block.index) claims \(total) positions in \(unitEnd - unitStart) bytes")
        }
        positionsState = PositionsState(
            ready: true, unitEnd: unitEnd, total: total, packedChunks: total / PostingsFormat.blockSize,
            decodedChunk: -1, nextChunk: 0, nextChunkOffset: unitStart, prefixDoc: 0, prefixSum: 0)
    }

    /// Decodes chunk `chunkIndex` of the unit into the positions buffer, skipping the chunks before it.
    private func loadPositionsChunk(_ chunkIndex: Int) throws(IndexError) {
        var state = positionsState
        if chunkIndex < state.nextChunk {
            state.nextChunk = 0  // a doc spanning chunks read twice: start the unit again
            state.nextChunkOffset = block.positionsOffset
        }
        while state.nextChunk < chunkIndex {
            state.nextChunkOffset = try packedChunkEnd(at: state.nextChunkOffset, unitEnd: state.unitEnd)
            state.nextChunk &+= 1
        }
        let destination = buffer + 2 &* PostingsFormat.blockSize
        if chunkIndex < state.packedChunks {
            let end = try packedChunkEnd(at: state.nextChunkOffset, unitEnd: state.unitEnd)
            let bitWidth = Int(positionsBody[state.nextChunkOffset])
            let headerLength = patchedPositions ? 2 : 1
            BP128.unpackUnchecked(
                from: positionsBody.baseAddress! + (state.nextChunkOffset &+ headerLength), bitWidth: bitWidth,
                into: destination)
            if patchedPositions {
                // `packedChunkEnd` checked every exception lies inside the chunk and indexes the 128 values.
                var position = state.nextChunkOffset &+ 2 &+ BP128.packedByteCount(bitWidth: bitWidth)
                for _ in 0..<Int(positionsBody[state.nextChunkOffset &+ 1]) {
                    let slot = Int(positionsBody[position])
                    position &+= 1
                    let high = UInt32(truncatingIfNeeded: Self.readVarint(positionsBody, at: &position, end: end) ?? 0)
                    destination[slot] |= high &<< UInt32(bitWidth)
                }
            }
            state.nextChunkOffset = end
        } else {
            let bytes = UnsafeRawBufferPointer(rebasing: positionsBody[0..<state.unitEnd])
            var position = state.nextChunkOffset
            do throws(CodecError) {
                try VByte.decode(
                    count: state.total &- chunkIndex &* PostingsFormat.blockSize, from: bytes, at: &position,
                    into: destination)
            } catch {
                throw positionsCorrupt("positions tail of block \(block.index): \(error)")
            }
            state.nextChunkOffset = position
        }
        state.decodedChunk = chunkIndex
        state.nextChunk = chunkIndex &+ 1
        positionsState = state
    }

    /// Checks the packed chunk at `offset` (width byte, exception count in format 2, packed bytes, exceptions) lies
    /// inside the unit and that its exceptions index the chunk's 128 values; returns its end.
    private func packedChunkEnd(at offset: Int, unitEnd: Int) throws(IndexError) -> Int {
        let headerLength = patchedPositions ? 2 : 1
        guard offset <= unitEnd &- headerLength, positionsBody[offset] <= 32 else {
            throw positionsCorrupt("bad positions chunk of block \(block.index) at byte \(offset)")
        }
        var end = offset &+ headerLength &+ BP128.packedByteCount(bitWidth: Int(positionsBody[offset]))
        guard end <= unitEnd else {
            throw positionsCorrupt("positions chunk of block \(block.index) at byte \(offset) runs past its unit")
        }
        if patchedPositions {
            for _ in 0..<Int(positionsBody[offset &+ 1]) {
                guard end < unitEnd, positionsBody[end] < PostingsFormat.blockSize else {
                    throw positionsCorrupt("bad exception in positions chunk of block \(block.index) at byte \(end)")
                }
                end &+= 1
                guard Self.readVarint(positionsBody, at: &end, end: unitEnd) != nil else {
                    throw positionsCorrupt("bad exception in positions chunk of block \(block.index) at byte \(end)")
                }
            }
        }
        return end
    }

    private func positionsCorrupt(_ reason: String) -> IndexError {
        .corrupt(file: positionsFileName, reason: reason)
    }
}
