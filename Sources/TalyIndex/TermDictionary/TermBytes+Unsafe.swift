/// Unchecked byte-string primitives of the term dictionary's hot loops. Callers pass pointers and
/// lengths they have already checked against the section they read; nothing here allocates.
enum TermBytes {
    /// The number of leading bytes the two strings share, comparing eight bytes at a time.
    @inline(__always)
    static func commonPrefixLength(
        _ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int
    ) -> Int {
        let limit = min(aCount, bCount)
        var index = 0
        while index &+ 8 <= limit {
            let x = UInt64(littleEndian: a.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let y = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            // Little-endian loads: the lowest differing bit lies in the first differing byte.
            if x != y { return index &+ ((x ^ y).trailingZeroBitCount &>> 3) }
            index &+= 8
        }
        while index < limit
            && a.load(fromByteOffset: index, as: UInt8.self) == b.load(fromByteOffset: index, as: UInt8.self)
        {
            index &+= 1
        }
        return index
    }

    /// Compares two strings in unsigned byte order (a proper prefix sorts first): -1, 0 or 1.
    @inline(__always)
    static func compare(_ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int) -> Int {
        let shared = commonPrefixLength(a, aCount, b, bCount)
        if shared == aCount { return shared == bCount ? 0 : -1 }
        if shared == bCount { return 1 }
        return a.load(fromByteOffset: shared, as: UInt8.self) < b.load(fromByteOffset: shared, as: UInt8.self) ? -1 : 1
    }

    /// The first eight bytes as a big-endian integer, zero-padded: `head(a) < head(b)` implies
    /// `a < b` in byte order (a missing byte counts as 0, and a prefix sorts first).
    @inline(__always)
    static func head(_ bytes: UnsafeRawPointer, _ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<min(count, 8) {
            value |= UInt64(bytes.load(fromByteOffset: index, as: UInt8.self)) &<< (56 &- 8 &* UInt64(index))
        }
        return value
    }

    /// Reads a LEB128 varint at `position`, which must stay below `end`; nil when it runs past
    /// `end` or overflows 64 bits (the caller names the corruption). One- and two-byte values, the
    /// common case for lengths and deltas, take the inlined branches.
    @inline(__always)
    static func readVarint(_ base: UnsafeRawPointer, at position: inout Int, end: Int) -> UInt64? {
        guard position < end else { return nil }
        let first = base.load(fromByteOffset: position, as: UInt8.self)
        if first < 0x80 {
            position &+= 1
            return UInt64(first)
        }
        // Two-byte values (offset deltas of common terms) also stay inline.
        if position &+ 1 < end {
            let second = base.load(fromByteOffset: position &+ 1, as: UInt8.self)
            if second < 0x80 {
                position &+= 2
                return UInt64(first & 0x7F) | UInt64(second) &<< 7
            }
        }
        return readLongVarint(base, at: &position, end: end)
    }

    /// The multi-byte path of ``readVarint(_:at:end:)``.
    @inline(never)
    static func readLongVarint(_ base: UnsafeRawPointer, at position: inout Int, end: Int) -> UInt64? {
        var cursor = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while cursor < end {
            let byte = base.load(fromByteOffset: cursor, as: UInt8.self)
            cursor &+= 1
            if shift == 63 && byte > 1 { return nil }
            result |= UInt64(byte & 0x7F) &<< shift
            if byte < 0x80 {
                position = cursor
                return result
            }
            shift &+= 7
        }
        return nil
    }
}
