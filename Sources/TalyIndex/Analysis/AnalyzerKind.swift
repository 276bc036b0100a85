/// The analyzers a schema can name for a field.
public enum AnalyzerKind: String, CaseIterable, Codable, Hashable, Sendable {
    /// Unicode word segmentation and NFKC case folding: ``StandardAnalyzer``.
    case standard
    /// The whole value as one exact token: ``KeywordAnalyzer``.
    case keyword
    /// Standard analysis, English stop words and Snowball English stemming: ``EnglishAnalyzer``.
    case english
    /// Lucene's `EnglishAnalyzer` (possessives stripped, Lucene's English stop words, Porter's
    /// original stemmer): ``EnglishAnalyzer`` with ``EnglishAnalyzer/Stemming/porter``, for
    /// reproducing Lucene and Anserini figures.
    case englishPorter = "english_porter"

    /// Creates a new analyzer of this kind with default options (one per thread: see ``Analyzer``).
    public func makeAnalyzer() throws(AnalysisError) -> any Analyzer {
        switch self {
        case .standard: try StandardAnalyzer()
        case .keyword: KeywordAnalyzer()
        case .english: try EnglishAnalyzer()
        case .englishPorter: try EnglishAnalyzer(stemming: .porter)
        }
    }
}
