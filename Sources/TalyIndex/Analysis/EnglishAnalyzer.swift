/// ``StandardAnalyzer`` followed by English stop-word removal and stemming: "Running
/// connections" → "run", "connect".
///
/// Stop words are matched on folded terms before stemming and leave position gaps (like Lucene's
/// StopFilter with position increments), so the phrase "state of the art" does not match
/// "state art".
///
/// Not thread-safe (owns ICU handles and a libstemmer stemmer): use one instance per thread.
public final class EnglishAnalyzer: Analyzer {
    /// Which English stemmer reduces the words.
    public enum Stemming: Sendable, Hashable {
        /// Snowball English (Porter2), which strips possessives ("John's" → "john") itself.
        case snowballEnglish
        /// Porter's 1980 algorithm after stripping possessives, as Lucene's `EnglishAnalyzer`
        /// (EnglishPossessiveFilter, then PorterStemFilter), which published baselines such as
        /// Anserini's use, so their figures can be reproduced. libstemmer implements the algorithm
        /// as published; Lucene ports Porter's reference code, whose two departures (-bli → -ble,
        /// -logi → -log) stem a few words differently ("possibly": "possibli" here, "possibl"
        /// in Lucene).
        case porter

        /// The libstemmer algorithm name.
        var algorithm: String {
            switch self {
            case .snowballEnglish: "english"
            case .porter: "porter"
            }
        }
    }

    /// The words removed before stemming.
    public let stopWords: StopWordSet
    /// The stemmer applied after stop-word removal.
    public let stemming: Stemming

    private let standard: StandardAnalyzer
    private let stemmer: SnowballStemmer
    /// The second term arena that stemming writes into, swapped with the buffer's on each call.
    private var scratch: [UInt8] = []

    /// Creates an analyzer removing `stopWords`, stemming with `stemming` and keeping tokens of at
    /// most `maximumTokenLength` folded bytes (measured before stemming).
    public init(
        stopWords: StopWordSet = .english,
        stemming: Stemming = .snowballEnglish,
        maximumTokenLength: Int = StandardAnalyzer.defaultMaximumTokenLength
    ) throws(AnalysisError) {
        self.stopWords = stopWords
        self.stemming = stemming
        standard = try StandardAnalyzer(maximumTokenLength: maximumTokenLength)
        stemmer = try SnowballStemmer(algorithm: stemming.algorithm)
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
        let stripsPossessives = stemming == .porter
        try tokens.rewriteTerms(scratch: &scratch) { (term, output) throws(AnalysisError) in
            // Lucene strips possessives before its StopFilter, so "it's" is the stop word "it".
            let word = stripsPossessives ? Self.withoutPossessive(term) : term
            if stopWords.contains(word) { return false }
            try stemmer.appendStem(of: word, to: &output)
            return true
        }
    }

    /// `term` without a trailing "'s" or "’s" (Lucene's `EnglishPossessiveFilter`; its third
    /// apostrophe, U+FF07, is already "'" after NFKC case folding).
    static func withoutPossessive(_ term: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let count = term.count
        guard count >= 2, term[count - 1] == UInt8(ascii: "s") else { return term }
        if term[count - 2] == UInt8(ascii: "'") {
            return UnsafeRawBufferPointer(rebasing: term[..<(count - 2)])
        }
        // U+2019 RIGHT SINGLE QUOTATION MARK is E2 80 99 in UTF-8.
        if count >= 4 && term[count - 4] == 0xE2 && term[count - 3] == 0x80 && term[count - 2] == 0x99 {
            return UnsafeRawBufferPointer(rebasing: term[..<(count - 4)])
        }
        return term
    }
}

@available(*, unavailable, message: "owns ICU handles and a stemmer: use one EnglishAnalyzer per thread")
extension EnglishAnalyzer: Sendable {}
