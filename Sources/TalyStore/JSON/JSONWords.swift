/// Eight bytes of JSON text at a time, for the loops that write and read strings: most of a
/// string is runs of bytes that neither need an escape nor end it.
public enum JSONWords {
    @usableFromInline static let lowBits: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether any of the eight bytes of `word` may need an escape in a JSON string (or end one,
    /// or be an escape when read): a control byte, `"`, `\`, or `/` when slashes are escaped.
    /// Exact when false; a true may be a borrow from a lower byte that does need one, and the
    /// bytes are then looked at one by one.
    @inlinable @inline(__always)
    public static func mayNeedEscape(_ word: UInt64, slashes: Bool) -> Bool {
        // A byte below 0x20: subtracting 0x20 borrows into its high bit, which was clear.
        var found = (word &- lowBits &* 0x20) & ~word & highBits
        found |= hasZeroByte(word ^ (lowBits &* UInt64(UInt8(ascii: "\""))))
        found |= hasZeroByte(word ^ (lowBits &* UInt64(UInt8(ascii: "\\"))))
        if slashes { found |= hasZeroByte(word ^ (lowBits &* UInt64(UInt8(ascii: "/")))) }
        return found != 0
    }

    /// Whether any of the eight bytes of `word` is past ASCII.
    @inlinable @inline(__always)
    public static func hasNonASCII(_ word: UInt64) -> Bool { word & highBits != 0 }

    @inlinable @inline(__always)
    static func hasZeroByte(_ word: UInt64) -> UInt64 {
        (word &- lowBits) & ~word & highBits
    }
}
