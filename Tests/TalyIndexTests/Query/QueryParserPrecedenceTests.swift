import Testing

@testable import TalyIndex

@Suite("Query parser precedence")
struct QueryParserPrecedenceTests {
    private static let a = Query.word("a")
    private static let b = Query.word("b")
    private static let c = Query.word("c")
    private static let d = Query.word("d")

    @Test(
        "AND binds tighter than OR; with the default OR, juxtaposition is OR",
        arguments: [
            ("a AND b", Query.all([a, b])),
            ("a OR b", .any([a, b])),
            ("a AND b AND c", .all([a, b, c])),
            // Lucene's classic parser gives +a +b c here; AND-before-OR gives (a AND b) OR c.
            ("a AND b OR c", .any([.all([a, b]), c])),
            ("a OR b AND c", .any([a, .all([b, c])])),
            ("a b AND c", .any([a, .all([b, c])])),
            ("a AND b c", .any([.all([a, b]), c])),
            ("a AND b OR c AND d", .any([.all([a, b]), .all([c, d])])),
            ("(a OR b) AND c", .all([.any([a, b]), c])),
            ("a AND (b OR c)", .all([a, .any([b, c])])),
            // Prohibition excludes at its level, as in Lucene.
            ("a AND NOT b", .bool(must: [a], mustNot: [b], minimumShouldMatch: 0)),
            ("a AND -b", .bool(must: [a], mustNot: [b], minimumShouldMatch: 0)),
            ("a NOT b", .bool(should: [a], mustNot: [b], minimumShouldMatch: 1)),
            ("a OR NOT b", .bool(should: [a], mustNot: [b], minimumShouldMatch: 1)),
            ("NOT a AND NOT b", .everythingBut([a, b])),
            ("a AND b -c", .bool(must: [a, b], mustNot: [c], minimumShouldMatch: 0)),
            ("a AND NOT b OR c", .any([.bool(must: [a], mustNot: [b], minimumShouldMatch: 0), c])),
            ("a AND (NOT b)", .bool(must: [a], mustNot: [b], minimumShouldMatch: 0)),
            // Required clauses stay at their level.
            ("+a b AND c", .bool(must: [a], should: [.all([b, c])], minimumShouldMatch: 0)),
            ("+a AND b", .all([a, b])),
            ("+(+a +b) +c", .all([a, b, c])),
        ] as [(String, Query)]
    )
    func defaultOperatorOr(text: String, expected: Query) throws {
        let parser = QueryParser()
        #expect(try parser.parseStrict(text) == expected)
    }

    @Test(
        "with the default operator AND, juxtaposition is AND and OR still separates alternatives",
        arguments: [
            ("a", Query.word("a")),
            ("a b", .all([a, b])),
            ("+a +b", .all([a, b])),
            ("a -b", .bool(must: [a], mustNot: [b], minimumShouldMatch: 0)),
            ("a OR b", .any([a, b])),
            ("a b OR c", .any([.all([a, b]), c])),
            ("a OR b c", .any([a, .all([b, c])])),
            ("title:(a b)", .all([.word("a", field: "title"), .word("b", field: "title")])),
            ("-a -b", .everythingBut([a, b])),
        ] as [(String, Query)]
    )
    func defaultOperatorAnd(text: String, expected: Query) throws {
        let parser = QueryParser(defaultOperator: .and)
        #expect(try parser.parseStrict(text) == expected)
        #expect(parser.parseForgiving(text) == expected)
    }
}
