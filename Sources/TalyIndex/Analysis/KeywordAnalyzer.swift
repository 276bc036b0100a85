/// The whole value as one exact token (no segmentation, no folding), for identifiers, tags and
/// facet values. Like Lucene's KeywordTokenizer, an empty value still yields one empty token, so
/// "" can be filtered on; the token has position 0 and offsets `0..<byteCount`.
public struct KeywordAnalyzer: Analyzer, Sendable {
    /// Creates a keyword analyzer (stateless, so it may be shared between threads).
    public init() {}

    /// Replaces `tokens`' contents with `text` as a single token.
    public func analyze(_ text: String, into tokens: inout TokenBuffer) throws(AnalysisError) {
        try text.withAnalysisBytes { (bytes) throws(AnalysisError) in
            try UTF8Bytes.checkLength(bytes)
            Self.emit(bytes, into: &tokens)
        }
    }

    /// Replaces `tokens`' contents with the raw UTF-8 bytes `utf8` as a single token.
    public func analyze(utf8: UnsafeRawBufferPointer, into tokens: inout TokenBuffer) throws(AnalysisError) {
        try UTF8Bytes.validate(utf8)
        Self.emit(utf8, into: &tokens)
    }

    private static func emit(_ bytes: UnsafeRawBufferPointer, into tokens: inout TokenBuffer) {
        tokens.reset()
        tokens.append(term: bytes, position: 0, startOffset: 0, endOffset: UInt32(bytes.count))
    }
}
