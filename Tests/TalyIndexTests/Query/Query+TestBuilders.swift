@testable import TalyIndex

// Short spellings of expected queries for the parser tests.
extension Query {
    /// A term in `field` (nil: the default fields).
    static func word(_ text: String, field: String? = nil) -> Query { .term(field: field, text: text) }

    /// A phrase in `field` with `slop`.
    static func quoted(_ text: String, slop: Int = 0, field: String? = nil) -> Query {
        .phrase(field: field, text: text, slop: slop)
    }

    /// A boolean query without filters.
    static func bool(
        must: [Query] = [], should: [Query] = [], mustNot: [Query] = [], minimumShouldMatch: Int
    ) -> Query {
        .boolean(must: must, should: should, mustNot: mustNot, filter: [], minimumShouldMatch: minimumShouldMatch)
    }

    /// Everything except `excluded`: how a query of only negative clauses is represented.
    static func everythingBut(_ excluded: [Query]) -> Query {
        .bool(must: [.matchAll], mustNot: excluded, minimumShouldMatch: 0)
    }
}
