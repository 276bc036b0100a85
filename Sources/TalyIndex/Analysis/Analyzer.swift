/// Turns one field value into tokens (terms, positions, byte offsets) in a ``TokenBuffer``.
///
/// Analyzers that hold ICU handles or a stemmer are final classes that are deliberately not
/// `Sendable`: those C objects keep per-text state and are not thread-safe, and construction is
/// cheap next to a segment build, so each indexing thread (or task) creates its own instances and
/// the compiler rejects sharing one across concurrency domains. Hot loops call concrete types;
/// `any Analyzer` is for per-field dispatch only.
public protocol Analyzer {
    /// Replaces `tokens`' contents with the tokens of `text`.
    func analyze(_ text: String, into tokens: inout TokenBuffer) throws(AnalysisError)

    /// Replaces `tokens`' contents with the tokens of the raw UTF-8 bytes `utf8`, throwing
    /// ``AnalysisError/invalidUTF8(byteOffset:)`` when they are not well-formed UTF-8.
    func analyze(utf8: UnsafeRawBufferPointer, into tokens: inout TokenBuffer) throws(AnalysisError)
}

extension Analyzer {
    /// The tokens of `text` in a fresh buffer (allocates: prefer reusing a buffer in loops).
    public func tokens(of text: String) throws(AnalysisError) -> TokenBuffer {
        var tokens = TokenBuffer()
        try analyze(text, into: &tokens)
        return tokens
    }
}
