/// One token of an analyzed field value: where its term lives in a ``TokenBuffer``'s arena, its
/// position, and the byte range of the original UTF-8 value it came from.
///
/// Five `UInt32`s (20 bytes) rather than `Int`s: a buffer of a long document holds many of them,
/// and field values are limited to `Int32.max` bytes anyway (see ``AnalysisError/valueTooLong``).
public struct AnalyzedToken: Equatable, Hashable, Sendable {
    /// Offset of the term's first byte in ``TokenBuffer/termBytes``.
    public var termStart: UInt32
    /// Length in bytes of the (folded, possibly stemmed) term.
    public var termLength: UInt32
    /// Position of the token in the value; removed tokens (stop words, too long) leave gaps.
    public var position: UInt32
    /// Byte offset of the token's first byte in the original UTF-8 value.
    public var startOffset: UInt32
    /// Byte offset one past the token's last byte in the original UTF-8 value.
    public var endOffset: UInt32

    /// Creates a token from its arena slice, position and source byte range.
    public init(termStart: UInt32, termLength: UInt32, position: UInt32, startOffset: UInt32, endOffset: UInt32) {
        self.termStart = termStart
        self.termLength = termLength
        self.position = position
        self.startOffset = startOffset
        self.endOffset = endOffset
    }

    /// The token's byte range in the original UTF-8 value, for highlighting.
    public var sourceRange: Range<Int> { Int(startOffset)..<Int(endOffset) }

    /// The term's byte range in ``TokenBuffer/termBytes``.
    public var termRange: Range<Int> { Int(termStart)..<Int(termStart) + Int(termLength) }
}
