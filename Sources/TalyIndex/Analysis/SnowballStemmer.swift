import CStemmer

/// A Snowball stemmer from Debian's libstemmer, working on UTF-8 terms.
///
/// A libstemmer stemmer writes each stem into its own internal buffer, so it is not thread-safe:
/// one per analyzer instance, and not `Sendable`.
public final class SnowballStemmer {
    /// The Snowball algorithm name, e.g. "english".
    public let algorithm: String
    private let stemmer: OpaquePointer

    /// Creates a stemmer for `algorithm` (a libstemmer name such as "english" or "porter").
    public init(algorithm: String) throws(AnalysisError) {
        guard let stemmer = sb_stemmer_new(algorithm, "UTF_8") else {
            throw .stemmerUnavailable(algorithm: algorithm)
        }
        self.algorithm = algorithm
        self.stemmer = stemmer
    }

    deinit {
        sb_stemmer_delete(stemmer)
    }

    /// Appends the stem of the UTF-8 term `term` to `output`.
    public func appendStem(of term: UnsafeRawBufferPointer, to output: inout [UInt8]) throws(AnalysisError) {
        // An empty term (no base address) stems to itself.
        guard let word = term.baseAddress?.assumingMemoryBound(to: sb_symbol.self), !term.isEmpty else { return }
        guard let stem = sb_stemmer_stem(stemmer, word, Int32(term.count)) else {
            throw .stemmerFailed(algorithm: algorithm)
        }
        output.append(contentsOf: UnsafeBufferPointer(start: stem, count: Int(sb_stemmer_length(stemmer))))
    }

    /// The stem of `word` as a `String` (allocates: for tests and debugging).
    public func stem(_ word: String) throws(AnalysisError) -> String {
        var output: [UInt8] = []
        try word.withAnalysisBytes { (bytes) throws(AnalysisError) in try appendStem(of: bytes, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }
}

@available(*, unavailable, message: "libstemmer stemmers are not thread-safe: use one per thread")
extension SnowballStemmer: Sendable {}
