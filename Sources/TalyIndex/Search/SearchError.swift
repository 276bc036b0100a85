/// Why a search could not run.
public enum SearchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A query or the searcher's default fields name a field the schema does not have.
    case unknownField(String)
    /// The field exists but has no terms to search (numeric and date fields have only columns).
    case fieldNotSearchable(String, type: String)
    /// A query form the searcher does not execute yet.
    case unsupported(String)
    /// A prefix or fuzzy query expanded into more terms than the searcher allows.
    case tooManyExpansions(query: String, limit: Int)
    /// A highlighter was asked for a field that is not a text field.
    case fieldNotHighlightable(String, type: String)
    /// The query text could not be analyzed.
    case analysis(AnalysisError)
    /// The filter names a field it cannot use or compares it with a value of another type.
    case filter(FilterError)
    /// A facet cannot be computed on its field as requested.
    case invalidFacet(field: String, reason: String)
    /// A sort key names a field that cannot be sorted by.
    case invalidSort(field: String, reason: String)
    /// A search-after cursor is malformed, altered, or was made for another sort.
    case invalidCursor(String)
    /// Reading the index failed (corrupt or truncated files).
    case index(IndexError)
    /// The search was still running at its deadline (``SearchRequest/deadline``) and stopped,
    /// `elapsed` after it started.
    case deadlineExceeded(elapsed: Duration)

    /// One line for people.
    public var description: String {
        switch self {
        case .unknownField(let name): "unknown field \"\(name)\""
        case .fieldNotSearchable(let name, let type): "field \"\(name)\" (\(type)) has no terms to search"
        case .unsupported(let what): "\(what) queries are not supported yet"
        case .tooManyExpansions(let query, let limit): "\(query) matches more than \(limit) terms"
        case .fieldNotHighlightable(let name, let type): "field \"\(name)\" (\(type)) is not a text field to highlight"
        case .analysis(let error): "cannot analyze the query: \(error)"
        case .filter(let error): "invalid filter: \(error)"
        case .invalidFacet(let field, let reason): "invalid facet on \"\(field)\": \(reason)"
        case .invalidSort(let field, let reason): "cannot sort by \"\(field)\": \(reason)"
        case .invalidCursor(let reason): "invalid search-after cursor: \(reason)"
        case .index(let error): "index error: \(error)"
        case .deadlineExceeded(let elapsed):
            "the search did not finish by its deadline and was stopped after \(Self.milliseconds(elapsed))"
        }
    }

    /// `12.3 ms`.
    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = max(0, seconds * 10_000 + attoseconds / 100_000_000_000_000)
        return "\(tenths / 10).\(tenths % 10) ms"
    }
}
