/// Variable-byte integers (LEB128 style): 7 bits per byte, least significant group first, high bit = more follow.
///
/// Used for block tails (fewer than 128 values) and wherever values are few. A `UInt32` takes 1 to 5 bytes.
/// Decoding checks every byte against the buffer end and throws ``CodecError`` on truncated input or on an
/// encoding longer than 5 bytes or wider than 32 bits; it never traps or reads out of bounds. Redundant but
/// in-range encodings (such as `0x80 0x00` for 0) are accepted, as in LEB128.
public enum VByte {
    /// The most bytes one `UInt32` takes.
    public static let maxEncodedByteCount = 5

    /// The number of bytes `value` takes: 1 below 2^7, 2 below 2^14, ..., 5 from 2^28.
    public static func encodedByteCount(of value: UInt32) -> Int {
        let significantBits = max(1, UInt32.bitWidth &- value.leadingZeroBitCount)
        return (significantBits &+ 6) / 7
    }

    /// Appends the encoding of `value` to `bytes`.
    public static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest &>>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: rest))
    }

    /// Appends the encodings of `values`, in order, to `bytes`.
    public static func append(contentsOf values: some Sequence<UInt32>, to bytes: inout [UInt8]) {
        for value in values {
            append(value, to: &bytes)
        }
    }

    /// Decodes one value starting at `offset` and advances `offset` past it.
    ///
    /// On a thrown error `offset` is unchanged.
    public static func decode(from buffer: UnsafeRawBufferPointer, at offset: inout Int) throws(CodecError) -> UInt32 {
        let start = offset
        guard start >= 0, start < buffer.count else {
            throw .truncated(offset: start, needed: 1, available: 0)
        }
        var position = start
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let byte = buffer[position]
            position &+= 1
            if shift == 28 {
                // Fifth byte: only 4 payload bits remain in a UInt32, and no continuation is allowed.
                guard byte <= 0x0F else {
                    throw .malformedVByte(offset: start)
                }
                value |= UInt32(byte) &<< 28
                break
            }
            value |= UInt32(byte & 0x7F) &<< shift
            if byte < 0x80 {
                break
            }
            shift &+= 7
            guard position < buffer.count else {
                throw .truncated(offset: start, needed: position &- start &+ 1, available: position &- start)
            }
        }
        offset = position
        return value
    }

    /// Decodes `count` values starting at `offset` into `destination`, advancing `offset` past them.
    ///
    /// On a thrown error `offset` is unchanged and `destination` may hold some of the values.
    public static func decode(
        count: Int,
        from buffer: UnsafeRawBufferPointer,
        at offset: inout Int,
        into destination: UnsafeMutablePointer<UInt32>
    ) throws(CodecError) {
        precondition(count >= 0, "negative value count \(count)")
        var position = offset
        for index in 0..<count {
            destination[index] = try decode(from: buffer, at: &position)
        }
        offset = position
    }

    /// Decodes `count` values starting at `offset` into a new array, advancing `offset` past them.
    public static func decode(count: Int, from bytes: [UInt8], at offset: inout Int) throws(CodecError) -> [UInt32] {
        precondition(count >= 0, "negative value count \(count)")
        var values = [UInt32](repeating: 0, count: count)
        var position = offset
        // `withUnsafeBytes` rethrows untyped errors, so carry the typed error out in a `Result`.
        let outcome = bytes.withUnsafeBytes { buffer in
            values.withUnsafeMutableBufferPointer { destination in
                Result { () throws(CodecError) in
                    for index in 0..<count {
                        destination[index] = try decode(from: buffer, at: &position)
                    }
                }
            }
        }
        try outcome.get()
        offset = position
        return values
    }
}
