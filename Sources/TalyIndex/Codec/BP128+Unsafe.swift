/// Unchecked SIMD-BP128 entry points for callers that already validated widths and buffer bounds.
extension BP128 {
    /// Unpacks one block at `source` (any alignment, `packedByteCount(bitWidth:)` readable bytes) into 128 values
    /// at `destination`, without bounds checks and without allocating.
    public static func unpackUnchecked(
        from source: UnsafeRawPointer,
        bitWidth: Int,
        into destination: UnsafeMutablePointer<UInt32>
    ) {
        var identity = BP128IdentityRows()
        unpackUnchecked(from: source, bitWidth: bitWidth, into: destination, transform: &identity)
    }

    /// Packs the 128 values at `source` into `packedByteCount(bitWidth:)` bytes at `destination` (any alignment).
    ///
    /// Values must fit in `bitWidth` bits (see `bitWidth(of:)`); higher bits are dropped.
    public static func packUnchecked(
        _ source: UnsafePointer<UInt32>,
        bitWidth: Int,
        into destination: UnsafeMutableRawPointer
    ) {
        switch bitWidth {
        case 0: BP128Kernel<0>.pack(from: source, into: destination)
        case 1: BP128Kernel<1>.pack(from: source, into: destination)
        case 2: BP128Kernel<2>.pack(from: source, into: destination)
        case 3: BP128Kernel<3>.pack(from: source, into: destination)
        case 4: BP128Kernel<4>.pack(from: source, into: destination)
        case 5: BP128Kernel<5>.pack(from: source, into: destination)
        case 6: BP128Kernel<6>.pack(from: source, into: destination)
        case 7: BP128Kernel<7>.pack(from: source, into: destination)
        case 8: BP128Kernel<8>.pack(from: source, into: destination)
        case 9: BP128Kernel<9>.pack(from: source, into: destination)
        case 10: BP128Kernel<10>.pack(from: source, into: destination)
        case 11: BP128Kernel<11>.pack(from: source, into: destination)
        case 12: BP128Kernel<12>.pack(from: source, into: destination)
        case 13: BP128Kernel<13>.pack(from: source, into: destination)
        case 14: BP128Kernel<14>.pack(from: source, into: destination)
        case 15: BP128Kernel<15>.pack(from: source, into: destination)
        case 16: BP128Kernel<16>.pack(from: source, into: destination)
        case 17: BP128Kernel<17>.pack(from: source, into: destination)
        case 18: BP128Kernel<18>.pack(from: source, into: destination)
        case 19: BP128Kernel<19>.pack(from: source, into: destination)
        case 20: BP128Kernel<20>.pack(from: source, into: destination)
        case 21: BP128Kernel<21>.pack(from: source, into: destination)
        case 22: BP128Kernel<22>.pack(from: source, into: destination)
        case 23: BP128Kernel<23>.pack(from: source, into: destination)
        case 24: BP128Kernel<24>.pack(from: source, into: destination)
        case 25: BP128Kernel<25>.pack(from: source, into: destination)
        case 26: BP128Kernel<26>.pack(from: source, into: destination)
        case 27: BP128Kernel<27>.pack(from: source, into: destination)
        case 28: BP128Kernel<28>.pack(from: source, into: destination)
        case 29: BP128Kernel<29>.pack(from: source, into: destination)
        case 30: BP128Kernel<30>.pack(from: source, into: destination)
        case 31: BP128Kernel<31>.pack(from: source, into: destination)
        case 32: BP128Kernel<32>.pack(from: source, into: destination)
        default: preconditionFailure("bit width \(bitWidth) outside 0...32")
        }
    }

    /// Dispatches to the kernel specialized for `bitWidth`, applying `transform` to every unpacked row.
    static func unpackUnchecked<Transform: BP128RowTransform>(
        from source: UnsafeRawPointer,
        bitWidth: Int,
        into destination: UnsafeMutablePointer<UInt32>,
        transform: inout Transform
    ) {
        switch bitWidth {
        case 0: BP128Kernel<0>.unpack(from: source, into: destination, transform: &transform)
        case 1: BP128Kernel<1>.unpack(from: source, into: destination, transform: &transform)
        case 2: BP128Kernel<2>.unpack(from: source, into: destination, transform: &transform)
        case 3: BP128Kernel<3>.unpack(from: source, into: destination, transform: &transform)
        case 4: BP128Kernel<4>.unpack(from: source, into: destination, transform: &transform)
        case 5: BP128Kernel<5>.unpack(from: source, into: destination, transform: &transform)
        case 6: BP128Kernel<6>.unpack(from: source, into: destination, transform: &transform)
        case 7: BP128Kernel<7>.unpack(from: source, into: destination, transform: &transform)
        case 8: BP128Kernel<8>.unpack(from: source, into: destination, transform: &transform)
        case 9: BP128Kernel<9>.unpack(from: source, into: destination, transform: &transform)
        case 10: BP128Kernel<10>.unpack(from: source, into: destination, transform: &transform)
        case 11: BP128Kernel<11>.unpack(from: source, into: destination, transform: &transform)
        case 12: BP128Kernel<12>.unpack(from: source, into: destination, transform: &transform)
        case 13: BP128Kernel<13>.unpack(from: source, into: destination, transform: &transform)
        case 14: BP128Kernel<14>.unpack(from: source, into: destination, transform: &transform)
        case 15: BP128Kernel<15>.unpack(from: source, into: destination, transform: &transform)
        case 16: BP128Kernel<16>.unpack(from: source, into: destination, transform: &transform)
        case 17: BP128Kernel<17>.unpack(from: source, into: destination, transform: &transform)
        case 18: BP128Kernel<18>.unpack(from: source, into: destination, transform: &transform)
        case 19: BP128Kernel<19>.unpack(from: source, into: destination, transform: &transform)
        case 20: BP128Kernel<20>.unpack(from: source, into: destination, transform: &transform)
        case 21: BP128Kernel<21>.unpack(from: source, into: destination, transform: &transform)
        case 22: BP128Kernel<22>.unpack(from: source, into: destination, transform: &transform)
        case 23: BP128Kernel<23>.unpack(from: source, into: destination, transform: &transform)
        case 24: BP128Kernel<24>.unpack(from: source, into: destination, transform: &transform)
        case 25: BP128Kernel<25>.unpack(from: source, into: destination, transform: &transform)
        case 26: BP128Kernel<26>.unpack(from: source, into: destination, transform: &transform)
        case 27: BP128Kernel<27>.unpack(from: source, into: destination, transform: &transform)
        case 28: BP128Kernel<28>.unpack(from: source, into: destination, transform: &transform)
        case 29: BP128Kernel<29>.unpack(from: source, into: destination, transform: &transform)
        case 30: BP128Kernel<30>.unpack(from: source, into: destination, transform: &transform)
        case 31: BP128Kernel<31>.unpack(from: source, into: destination, transform: &transform)
        case 32: BP128Kernel<32>.unpack(from: source, into: destination, transform: &transform)
        default: preconditionFailure("bit width \(bitWidth) outside 0...32")
        }
    }
}
