/// Unicode word segmentation (UAX #29, through ICU) and NFKC case folding, with an ASCII fast
/// path that produces exactly the same tokens on ASCII input.
///
/// - Tokens are ICU word segments of letters, numbers, kana or ideographs (rule status >= 100);
///   Han ideographs and Hiragana are one token per character (see ``ICUWordTokenizer``).
/// - Positions count word segments 0, 1, 2, …; a word whose folded form is longer than
///   ``maximumTokenLength`` bytes is dropped but keeps its position, leaving a gap. That is what
///   Lucene's StandardTokenizer did before it started splitting long tokens, and it matches how
///   stop words are removed, so phrase queries never match across a removed word.
/// - Offsets are byte offsets into the original UTF-8 value.
/// - `String` input is valid by construction; raw bytes are validated and ill-formed UTF-8 throws
///   ``AnalysisError/invalidUTF8(byteOffset:)`` rather than being repaired, because offsets of a
///   repaired copy would not point into the stored value.
///
/// Not thread-safe (owns ICU handles): use one instance per thread. See ``Analyzer``.
public final class StandardAnalyzer: Analyzer {
    /// The default ``maximumTokenLength``: longer "words" are mostly hashes, base64 or URLs glued
    /// together, which bloat the term dictionary and are never typed in a query.
    public static let defaultMaximumTokenLength = 64

    /// The longest kept token, in bytes of its folded UTF-8 form.
    public let maximumTokenLength: Int

    /// Opened on the first non-ASCII value: most values (and nearly all queries) never need it,
    /// and opening an ICU break iterator costs microseconds, which a per-query analyzer would pay.
    private var icuTokenizer: ICUWordTokenizer?

    /// Creates an analyzer keeping tokens of at most `maximumTokenLength` folded bytes.
    public init(maximumTokenLength: Int = StandardAnalyzer.defaultMaximumTokenLength) throws(AnalysisError) {
        precondition(maximumTokenLength > 0, "maximumTokenLength must be positive")
        self.maximumTokenLength = maximumTokenLength
    }

    /// The ICU tokenizer, opened on first use.
    private func icu() throws(AnalysisError) -> ICUWordTokenizer {
        if let icuTokenizer { return icuTokenizer }
        let opened = try ICUWordTokenizer()
        icuTokenizer = opened
        return opened
    }

    /// Replaces `tokens`' contents with the tokens of `text`.
    public func analyze(_ text: String, into tokens: inout TokenBuffer) throws(AnalysisError) {
        try text.withAnalysisBytes { (bytes) throws(AnalysisError) in
            try UTF8Bytes.checkLength(bytes)
            try analyzeValid(bytes, into: &tokens)
        }
    }

    /// Replaces `tokens`' contents with the tokens of the raw UTF-8 bytes `utf8`.
    public func analyze(utf8: UnsafeRawBufferPointer, into tokens: inout TokenBuffer) throws(AnalysisError) {
        try UTF8Bytes.checkLength(utf8)
        tokens.reset()
        // The fast path checks for ASCII as it goes (ASCII is valid UTF-8); anything else is
        // validated before ICU sees it.
        if ASCIIWordTokenizer.tokenize(utf8, maximumTokenLength: maximumTokenLength, into: &tokens) {
            return
        }
        try UTF8Bytes.validate(utf8)
        try icu().tokenize(utf8, maximumTokenLength: maximumTokenLength, into: &tokens)
    }

    /// Analyzes bytes known to be valid UTF-8 of a supported length, choosing the path.
    func analyzeValid(_ bytes: UnsafeRawBufferPointer, into tokens: inout TokenBuffer) throws(AnalysisError) {
        tokens.reset()
        if !ASCIIWordTokenizer.tokenize(bytes, maximumTokenLength: maximumTokenLength, into: &tokens) {
            try icu().tokenize(bytes, maximumTokenLength: maximumTokenLength, into: &tokens)
        }
    }

    /// Analyzes `text` with ICU even when it is ASCII: the oracle for the fast path, and a
    /// baseline for benchmarks.
    public func analyzeWithICU(_ text: String, into tokens: inout TokenBuffer) throws(AnalysisError) {
        try text.withAnalysisBytes { (bytes) throws(AnalysisError) in
            try UTF8Bytes.checkLength(bytes)
            tokens.reset()
            try icu().tokenize(bytes, maximumTokenLength: maximumTokenLength, into: &tokens)
        }
    }
}

@available(*, unavailable, message: "owns ICU handles: use one StandardAnalyzer per thread")
extension StandardAnalyzer: Sendable {}
