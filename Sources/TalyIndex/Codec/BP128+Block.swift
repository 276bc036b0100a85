/// BP128 decoding into a fixed 128-value inline buffer, for cursors that keep their decoded block in place.
@available(macOS 26, *)
extension BP128 {
    /// One decoded block: 128 values stored inline, no heap allocation.
    public typealias Block = InlineArray<128, UInt32>

    /// Unpacks the block at `offset` in `buffer` into `block`; returns the offset past the block.
    @discardableResult
    public static func unpack(
        from buffer: UnsafeRawBufferPointer,
        at offset: Int,
        bitWidth: Int,
        into block: inout Block
    ) throws(CodecError) -> Int {
        var span = block.mutableSpan
        return try span.withUnsafeMutableBufferPointer { (values) throws(CodecError) in
            try unpack(from: buffer, at: offset, bitWidth: bitWidth, into: values.baseAddress!)
        }
    }

    /// Unpacks a block of doc-id deltas at `offset` into `block`, undoing the delta coding; returns the end offset.
    @discardableResult
    public static func unpackDocIDs(
        from buffer: UnsafeRawBufferPointer,
        at offset: Int,
        bitWidth: Int,
        base: UInt32,
        stride: DeltaCoding.Stride,
        into block: inout Block
    ) throws(CodecError) -> Int {
        var span = block.mutableSpan
        return try span.withUnsafeMutableBufferPointer { (values) throws(CodecError) in
            try unpackDocIDs(
                from: buffer, at: offset, bitWidth: bitWidth, base: base, stride: stride, into: values.baseAddress!)
        }
    }
}
