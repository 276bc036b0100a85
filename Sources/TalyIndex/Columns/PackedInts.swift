/// Fixed-width bit packing of n unsigned integers of 0 to 64 bits, for random access.
///
/// Value `i` occupies bits `[i·w, (i+1)·w)` of a little-endian bit stream (bit 0 is the lowest bit
/// of byte 0). This is the horizontal layout, not BP128's vertical one: columns are read one doc
/// at a time in doc order or at random, so one unaligned 8-byte load per value beats decoding a
/// 128-value block. Every packed array is followed by 8 zero bytes of padding, so that load never
/// passes the end of the array, even at width 0 or for the last value.
enum PackedInts {
    /// Bytes of padding after every packed array.
    static let padding = 8

    /// Bytes taken by `count` values at `bitWidth` bits, padding included.
    static func byteCount(count: Int, bitWidth: Int) -> Int {
        (count * bitWidth + 7) / 8 + padding
    }

    /// Bits needed to store `value` (0 for 0).
    static func bitWidth(of value: UInt64) -> Int { UInt64.bitWidth - value.leadingZeroBitCount }

    /// Appends `values` packed at `bitWidth`, padding included, to `bytes`.
    static func pack(_ values: some Sequence<UInt64>, bitWidth: Int, appendingTo bytes: inout [UInt8]) {
        precondition((0...64).contains(bitWidth), "bit width \(bitWidth) outside 0...64")
        var accumulator: UInt64 = 0
        var bitsHeld = 0
        for value in values {
            precondition(bitWidth == 64 || value >> UInt64(bitWidth) == 0, "\(value) needs more than \(bitWidth) bits")
            guard bitWidth > 0 else { continue }
            accumulator |= value << UInt64(bitsHeld)
            bitsHeld += bitWidth
            if bitsHeld >= 64 {
                withUnsafeBytes(of: accumulator.littleEndian) { bytes.append(contentsOf: $0) }
                bitsHeld -= 64
                // The bits of `value` that did not fit in the word just written.
                accumulator = bitsHeld == 0 ? 0 : value >> UInt64(bitWidth - bitsHeld)
            }
        }
        var rest = accumulator
        while bitsHeld > 0 {
            bytes.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
            bitsHeld -= 8
        }
        bytes.append(contentsOf: repeatElement(0, count: padding))
    }
}

/// A read-only view of a packed array inside a mapped file; bounds were validated when the file
/// was opened, so reads need no checks beyond the index precondition.
struct PackedIntsReader: @unchecked Sendable {
    // @unchecked: `base` points into a read-only mapping the owning reader retains.
    let base: UnsafeRawPointer
    /// Number of values.
    let count: Int
    /// Bits per value, 0 to 64.
    let bitWidth: Int
    private let mask: UInt64

    /// A view of `count` values at `bitWidth` starting at `base`, which must have
    /// ``PackedInts/byteCount(count:bitWidth:)`` readable bytes.
    init(base: UnsafeRawPointer, count: Int, bitWidth: Int) {
        self.base = base
        self.count = count
        self.bitWidth = bitWidth
        mask = bitWidth == 0 ? 0 : UInt64.max >> UInt64(64 - bitWidth)
    }

    /// The value at `index`, which must be below `count`.
    @inline(__always)
    subscript(index: Int) -> UInt64 {
        precondition(index >= 0 && index < count, "packed index \(index) out of range 0..<\(count)")
        return self[unchecked: index]
    }

    /// The value at `index` without the range check, for loops whose bounds are already proven.
    @inline(__always)
    subscript(unchecked index: Int) -> UInt64 {
        let bit = index &* bitWidth
        let byte = bit &>> 3
        let shift = bit & 7
        var word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) &>> UInt64(shift)
        // Widths above 56 can straddle nine bytes; the padding keeps byte + 8 inside the array.
        if shift &+ bitWidth > 64 {
            word |= UInt64(base.load(fromByteOffset: byte &+ 8, as: UInt8.self)) &<< UInt64(64 &- shift)
        }
        return word & mask
    }
}
