/// How a ``Highlighter`` cuts and marks snippets.
public struct HighlightOptions: Sendable, Hashable {
    /// What a field whose text has no match gives as snippet.
    public enum NoMatchSnippet: Sendable, Hashable {
        /// No snippet.
        case none
        /// The beginning of the field, cut as a fragment.
        case leadingText
    }

    /// The fields to highlight (stored text fields); nil for every stored text field of the schema.
    public var fields: [String]?
    /// The length a fragment aims at, in Unicode scalars (a single longer match is kept whole).
    public var fragmentLength: Int
    /// The most fragments per field.
    public var fragmentCount: Int
    /// Inserted before each match (not escaped).
    public var preTag: String
    /// Inserted after each match (not escaped).
    public var postTag: String
    /// Marks where a fragment cuts the text (not escaped).
    public var ellipsis: String
    /// The snippet of a field without a match.
    public var noMatch: NoMatchSnippet

    /// Options; `fragmentLength` and `fragmentCount` must be at least 1.
    public init(
        fields: [String]? = nil, fragmentLength: Int = 150, fragmentCount: Int = 1, preTag: String = "<mark>",
        postTag: String = "</mark>", ellipsis: String = "…", noMatch: NoMatchSnippet = .leadingText
    ) {
        precondition(fragmentLength >= 1, "a fragment holds at least one character")
        precondition(fragmentCount >= 1, "at least one fragment per field")
        self.fields = fields
        self.fragmentLength = fragmentLength
        self.fragmentCount = fragmentCount
        self.preTag = preTag
        self.postTag = postTag
        self.ellipsis = ellipsis
        self.noMatch = noMatch
    }
}

/// The highlights of one stored text field of a hit.
public struct HighlightedField: Sendable, Hashable {
    /// The field's name.
    public var field: String
    /// The byte ranges, in the field's UTF-8 value, of the tokens that match the query, in text order.
    public var matches: [Range<Int>]
    /// The best fragments in text order, HTML-escaped with the matches between the tags.
    public var snippets: [String]

    /// A field's highlights from their parts.
    public init(field: String, matches: [Range<Int>], snippets: [String]) {
        self.field = field
        self.matches = matches
        self.snippets = snippets
    }
}
