/// A search query, as the parsers produce it and the searcher executes it.
///
/// Text in leaves is what the user typed; the searcher analyzes it with each target field's
/// analyzer (so `Running` finds `run` in an english field). A `nil` field means the searcher's
/// default fields (each with its weight).
public indirect enum Query: Sendable, Hashable {
    /// Documents containing the (analyzed) text; text that analyzes into several tokens
    /// behaves as a phrase of them (as Lucene's query parser does).
    case term(field: String?, text: String)
    /// Documents containing the analyzed words in order, at most `slop` position moves apart
    /// (0 = exact adjacency).
    case phrase(field: String?, text: String, slop: Int)
    /// Documents containing a term starting with `prefix` (after folding; no stemming).
    case prefix(field: String?, prefix: String)
    /// Documents containing a term within `maximumEdits` Levenshtein edits of the (folded) text;
    /// `nil` chooses by length (Meilisearch: 0 below 5 characters, 1 from 5, 2 from 9; never
    /// on numbers).
    case fuzzy(field: String?, text: String, maximumEdits: Int?)
    /// Boolean combination: every `must` matches and scores, `filter` matches without scoring,
    /// no `mustNot` matches; `should` clauses add to the score and, when there is no `must` or
    /// `filter`, at least `minimumShouldMatch` (default 1) of them must match.
    case boolean(must: [Query], should: [Query], mustNot: [Query], filter: [Query], minimumShouldMatch: Int)
    /// Multiplies the score of `query` by `boost`.
    case boost(Query, Float)
    /// Every live document, scored 1.
    case matchAll
    /// No document.
    case matchNone
}

extension Query {
    /// A boolean query with only `should` clauses (any of them).
    public static func any(_ clauses: [Query]) -> Query {
        .boolean(must: [], should: clauses, mustNot: [], filter: [], minimumShouldMatch: 1)
    }

    /// A boolean query with only `must` clauses (all of them).
    public static func all(_ clauses: [Query]) -> Query {
        .boolean(must: clauses, should: [], mustNot: [], filter: [], minimumShouldMatch: 0)
    }
}
