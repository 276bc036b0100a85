/// A posting-list codec found bytes it cannot decode: the input is truncated or malformed.
///
/// Decoders throw this instead of trapping or reading past the buffer end (STYLE habit 2).
public enum CodecError: Error, Equatable, Sendable {
    /// The buffer ends before the encoded value does: `needed` bytes from `offset`, `available` present.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A variable-byte integer at `offset` is longer than 5 bytes or overflows 32 bits.
    case malformedVByte(offset: Int)
    /// A block header names a bit width outside `0...32`.
    case invalidBitWidth(Int)
}

extension CodecError: CustomStringConvertible {
    /// A message that states expected versus found.
    public var description: String {
        switch self {
        case .truncated(let offset, let needed, let available):
            "truncated input at byte \(offset): needed \(needed) bytes, found \(available)"
        case .malformedVByte(let offset):
            "malformed variable-byte integer at byte \(offset): expected at most 5 bytes encoding a UInt32"
        case .invalidBitWidth(let width):
            "invalid bit width \(width): expected 0...32"
        }
    }
}
