/// BP128 blocks of delta-coded doc ids, with the prefix sum fused into unpacking.
extension BP128 {
    /// Delta-codes 128 non-decreasing doc ids against `base` and packs them, appending to `bytes`; returns the width.
    @discardableResult
    public static func packDocIDs(
        _ docIDs: [UInt32],
        base: UInt32,
        stride: DeltaCoding.Stride,
        appendingTo bytes: inout [UInt8]
    ) -> Int {
        precondition(docIDs.count == blockSize, "a BP128 block holds \(blockSize) values, got \(docIDs.count)")
        return pack(DeltaCoding.encode(docIDs, base: base, stride: stride), appendingTo: &bytes)
    }

    /// Unpacks a block of doc-id deltas at `offset` and undoes the delta coding in the same pass; returns the end.
    ///
    /// Throws ``CodecError`` instead of reading out of bounds; `destination` must have room for 128 values.
    @discardableResult
    public static func unpackDocIDs(
        from buffer: UnsafeRawBufferPointer,
        at offset: Int,
        bitWidth: Int,
        base: UInt32,
        stride: DeltaCoding.Stride,
        into destination: UnsafeMutablePointer<UInt32>
    ) throws(CodecError) -> Int {
        let end = try checkedBlockEnd(in: buffer, at: offset, bitWidth: bitWidth)
        guard let start = buffer.baseAddress else {
            destination.update(repeating: 0, count: blockSize)  // width 0 from an empty buffer: all deltas are 0
            DeltaCoding.decodeInPlace(
                UnsafeMutableBufferPointer(start: destination, count: blockSize), base: base, stride: stride)
            return end
        }
        unpackDocIDsUnchecked(from: start + offset, bitWidth: bitWidth, base: base, stride: stride, into: destination)
        return end
    }

    /// Unpacks a block of doc-id deltas at `source` (any alignment) and prefix-sums them from `base`, unchecked.
    public static func unpackDocIDsUnchecked(
        from source: UnsafeRawPointer,
        bitWidth: Int,
        base: UInt32,
        stride: DeltaCoding.Stride,
        into destination: UnsafeMutablePointer<UInt32>
    ) {
        switch stride {
        case .one:
            var prefixSum = BP128PrefixSumD1Rows(carry: SIMD4(repeating: base))
            unpackUnchecked(from: source, bitWidth: bitWidth, into: destination, transform: &prefixSum)
        case .four:
            var prefixSum = BP128PrefixSumD4Rows(previous: SIMD4(repeating: base))
            unpackUnchecked(from: source, bitWidth: bitWidth, into: destination, transform: &prefixSum)
        }
    }
}
