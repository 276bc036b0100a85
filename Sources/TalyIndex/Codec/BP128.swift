/// SIMD-BP128: blocks of 128 `UInt32` values bit-packed at one width in a 4-lane vertical layout.
///
/// Lemire & Boytsov 2015 ("Decoding billions of integers per second through vectorization", SPE 45(1)); the same
/// layout as simdcomp and Tantivy's `BitPacker4x`. A block packed at width `b` is exactly `16 * b` bytes, so a
/// reader knows a block's size from its width alone. The layout is described in `BP128Kernel+Unsafe.swift`.
public enum BP128 {
    /// The number of values in one block.
    public static let blockSize = 128

    /// The largest bit width; a block at this width is the 128 values verbatim, interleaved.
    public static let maxBitWidth = 32

    /// The number of bytes of one block packed at `bitWidth` (`16 * bitWidth`).
    public static func packedByteCount(bitWidth: Int) -> Int {
        precondition((0...32).contains(bitWidth), "bit width \(bitWidth) outside 0...32")
        return bitWidth &* 16
    }

    /// The smallest bit width that holds every value: 0 for all zeros, 32 when any value has its top bit set.
    public static func bitWidth(of values: some Sequence<UInt32>) -> Int {
        var union: UInt32 = 0
        for value in values {
            union |= value
        }
        return UInt32.bitWidth &- union.leadingZeroBitCount
    }

    /// Packs exactly 128 values, appending `packedByteCount(bitWidth:)` bytes to `bytes`; returns the bit width used.
    @discardableResult
    public static func pack(_ values: [UInt32], appendingTo bytes: inout [UInt8]) -> Int {
        precondition(values.count == blockSize, "a BP128 block holds \(blockSize) values, got \(values.count)")
        let bitWidth = bitWidth(of: values)
        if bitWidth == 0 {
            return 0
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: packedByteCount(bitWidth: bitWidth)))
        values.withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBytes { destination in
                packUnchecked(source.baseAddress!, bitWidth: bitWidth, into: destination.baseAddress! + start)
            }
        }
        return bitWidth
    }

    /// Unpacks the block at `offset` in `buffer` into 128 values at `destination`; returns the offset past the block.
    ///
    /// Throws ``CodecError/invalidBitWidth(_:)`` or ``CodecError/truncated(offset:needed:available:)`` instead of
    /// reading out of bounds; `destination` must have room for 128 values.
    @discardableResult
    public static func unpack(
        from buffer: UnsafeRawBufferPointer,
        at offset: Int,
        bitWidth: Int,
        into destination: UnsafeMutablePointer<UInt32>
    ) throws(CodecError) -> Int {
        let end = try checkedBlockEnd(in: buffer, at: offset, bitWidth: bitWidth)
        guard let base = buffer.baseAddress else {
            destination.update(repeating: 0, count: blockSize)  // width 0 from an empty buffer: nothing to read
            return end
        }
        unpackUnchecked(from: base + offset, bitWidth: bitWidth, into: destination)
        return end
    }

    /// Unpacks 128 values from the block at `offset` into a new array; the convenient, allocating form of `unpack`.
    public static func unpack(from bytes: [UInt8], at offset: Int, bitWidth: Int) throws(CodecError) -> [UInt32] {
        var values = [UInt32](repeating: 0, count: blockSize)
        // `withUnsafeBytes` rethrows untyped errors, so carry the typed error out in a `Result`.
        let outcome = bytes.withUnsafeBytes { buffer in
            values.withUnsafeMutableBufferPointer { destination in
                Result { () throws(CodecError) in
                    try unpack(from: buffer, at: offset, bitWidth: bitWidth, into: destination.baseAddress!)
                }
            }
        }
        _ = try outcome.get()
        return values
    }

    /// Validates the width and that a block of that width at `offset` lies inside `buffer`; returns its end offset.
    @inline(__always)
    static func checkedBlockEnd(in buffer: UnsafeRawBufferPointer, at offset: Int, bitWidth: Int) throws(CodecError)
        -> Int
    {
        guard (0...maxBitWidth).contains(bitWidth) else {
            throw .invalidBitWidth(bitWidth)
        }
        let needed = bitWidth &* 16
        guard offset >= 0, offset <= buffer.count, buffer.count &- offset >= needed else {
            throw .truncated(offset: offset, needed: needed, available: max(0, buffer.count &- max(offset, 0)))
        }
        if needed > 0 && buffer.baseAddress == nil {
            throw .truncated(offset: offset, needed: needed, available: 0)
        }
        return offset &+ needed
    }
}
