/// The analyzers a schema can name for a field.
public enum AnalyzerKind: String, CaseIterable, Codable, Hashable, Sendable {
    /// Unicode word segmentation and NFKC case folding: ``StandardAnalyzer``.
    case standard
    /// The whole value as one exact token: ``KeywordAnalyzer``.
    case keyword
    /// Standard analysis, English stop words and Snowball English stemming: ``EnglishAnalyzer``.
    case english

    /// Creates a new analyzer of this kind with default options (one per thread: see ``Analyzer``).
    public func makeAnalyzer() throws(AnalysisError) -> any Analyzer {
        switch self {
        case .standard: try StandardAnalyzer()
        case .keyword: KeywordAnalyzer()
        case .english: try EnglishAnalyzer()
        }
    }
}
