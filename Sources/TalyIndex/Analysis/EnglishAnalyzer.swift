/// ``StandardAnalyzer`` followed by English stop-word removal and Snowball English (Porter2)
/// stemming: "Running connections" → "run", "connect".
///
/// Stop words are matched on folded terms before stemming and leave position gaps (like Lucene's
/// StopFilter with position increments), so the phrase "state of the art" does not match
/// "state art". Possessives need no filter: Snowball English strips "'s" itself.
///
/// Not thread-safe (owns ICU handles and a libstemmer stemmer): use one instance per thread.
public final class EnglishAnalyzer: Analyzer {
    /// The words removed before stemming.
    public let stopWords: StopWordSet

    private let standard: StandardAnalyzer
    private let stemmer: SnowballStemmer
    /// The second term arena that stemming writes into, swapped with the buffer's on each call.
    private var scratch: [UInt8] = []

    /// Creates an analyzer removing `stopWords` and keeping tokens of at most
    /// `maximumTokenLength` folded bytes (measured before stemming).
    public init(
        stopWords: StopWordSet = .english,
        maximumTokenLength: Int = StandardAnalyzer.defaultMaximumTokenLength
    ) throws(AnalysisError) {
        self.stopWords = stopWords
        standard = try StandardAnalyzer(maximumTokenLength: maximumTokenLength)
        stemmer = try SnowballStemmer(algorithm: "english")
    }

    /// Replaces `tokens`' contents with the stemmed, stop-word-free tokens of `text`.
    public func analyze(_ text: String, into tokens: inout TokenBuffer) throws(AnalysisError) {
        try standard.analyze(text, into: &tokens)
        try filter(&tokens)
    }

    /// Replaces `tokens`' contents with the stemmed, stop-word-free tokens of the raw UTF-8 bytes.
    public func analyze(utf8: UnsafeRawBufferPointer, into tokens: inout TokenBuffer) throws(AnalysisError) {
        try standard.analyze(utf8: utf8, into: &tokens)
        try filter(&tokens)
    }

    private func filter(_ tokens: inout TokenBuffer) throws(AnalysisError) {
        let stopWords = stopWords
        let stemmer = stemmer
        try tokens.rewriteTerms(scratch: &scratch) { (term, output) throws(AnalysisError) in
            if stopWords.contains(term) { return false }
            try stemmer.appendStem(of: term, to: &output)
            return true
        }
    }
}

@available(*, unavailable, message: "owns ICU handles and a stemmer: use one EnglishAnalyzer per thread")
extension EnglishAnalyzer: Sendable {}
