/// Lucene's one-byte quantization of field lengths (`org.apache.lucene.util.SmallFloat`,
/// `intToByte4` / `byte4ToInt`), the scheme `BM25Similarity` stores as norms.
///
/// Bytes `0..<24` are the lengths `0..<24` exactly. From 24 on, a byte is `24 + e`, where `e` is a
/// tiny float of `length - 24` (`longToInt4`): 3 explicit mantissa bits under an implicit leading
/// one, and a 5-bit shift. Encoding rounds down, so `decode(encode(x)) <= x`, and the order of
/// lengths is kept. The 24 "free" values are what is left of the byte once `longToInt4(Int32.max)`
/// (231) is reserved, which is why short fields, the common case, lose nothing.
public enum SmallFloat {
    /// Lengths below this encode as themselves (Lucene's `NUM_FREE_VALUES`, 255 − 231).
    public static let exactLimit: UInt32 = 24

    /// The largest length Lucene encodes (`Integer.MAX_VALUE`, byte 255); longer lengths saturate.
    public static let maxEncodedLength: UInt32 = UInt32(Int32.max)

    /// Encodes a non-negative integer as 4 significant bits plus a shift, preserving order
    /// (Lucene's `longToInt4`).
    public static func longToInt4(_ value: UInt64) -> UInt32 {
        let bitCount = UInt64.bitWidth - value.leadingZeroBitCount
        guard bitCount >= 4 else { return UInt32(value) }  // "subnormal": the value itself
        let shift = bitCount - 4
        // Keep the top 4 bits, drop the implicit leading one, store shift + 1 above them
        // (shift code 0 is the subnormal range).
        let mantissa = UInt32(truncatingIfNeeded: value >> UInt64(shift)) & 0x07
        return mantissa | UInt32(shift + 1) << 3
    }

    /// Decodes ``longToInt4(_:)`` (Lucene's `int4ToLong`); the result is the input rounded down to
    /// its 4 most significant bits.
    public static func int4ToLong(_ code: UInt32) -> UInt64 {
        let mantissa = UInt64(code & 0x07)
        let shiftCode = code >> 3
        guard shiftCode > 0 else { return mantissa }
        return (mantissa | 0x08) << UInt64(shiftCode - 1)
    }

    /// Encodes a field length into one byte (Lucene's `intToByte4`); lengths above `Int32.max`
    /// saturate to 255 as `Int32.max` does.
    public static func intToByte4(_ length: UInt32) -> UInt8 {
        let clamped = min(length, maxEncodedLength)
        if clamped < exactLimit { return UInt8(clamped) }
        return UInt8(exactLimit + longToInt4(UInt64(clamped - exactLimit)))
    }

    /// Decodes a norm byte into the field length it stands for (Lucene's `byte4ToInt`).
    public static func byte4ToInt(_ byte: UInt8) -> UInt32 {
        let code = UInt32(byte)
        if code < exactLimit { return code }
        // int4ToLong(255 − 24) = 15 << 27 < 2^31: the sum always fits.
        return exactLimit + UInt32(int4ToLong(code - exactLimit))
    }

    /// `byte4ToInt` for every byte, so scorers decode a norm with one load (and precompute their
    /// per-byte BM25 length factors from it, as Lucene's `BM25Scorer` cache does).
    public static let decodeTable: [UInt32] = (0...255).map { byte4ToInt(UInt8($0)) }
}
