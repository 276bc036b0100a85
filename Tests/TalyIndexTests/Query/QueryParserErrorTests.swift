import Testing

@testable import TalyIndex

/// A query with a syntax error: what the strict parser reports and what the forgiving one makes of it.
struct BadQuery: Sendable, CustomTestStringConvertible {
    let text: String
    let problem: QueryParseError.Problem
    let position: Int
    let message: String
    let forgiving: Query

    var testDescription: String { text.debugDescription }
}

@Suite("Query parser errors")
struct QueryParserErrorTests {
    static let badQueries: [BadQuery] = [
        BadQuery(
            text: "foo bar \"baz", problem: .unclosedQuote, position: 8,
            message: "unclosed quote opened at 8", forgiving: .any([.word("foo"), .word("bar"), .word("baz")])),
        BadQuery(
            text: "title:\"a b", problem: .unclosedQuote, position: 6,
            message: "unclosed quote opened at 6", forgiving: .any([.word("a", field: "title"), .word("b")])),
        BadQuery(
            text: "a AND", problem: .expectedTermAfter("AND"), position: 2,
            message: "expected a term after 'AND' at 2", forgiving: .word("a")),
        BadQuery(
            text: "a AND OR b", problem: .expectedTermAfter("AND"), position: 2,
            message: "expected a term after 'AND' at 2", forgiving: .any([.word("a"), .word("b")])),
        BadQuery(
            text: "a && ", problem: .expectedTermAfter("&&"), position: 2,
            message: "expected a term after '&&' at 2", forgiving: .word("a")),
        BadQuery(
            text: "AND a", problem: .expectedTermBefore("AND"), position: 0,
            message: "expected a term before 'AND' at 0", forgiving: .word("a")),
        BadQuery(
            text: "(OR a)", problem: .expectedTermBefore("OR"), position: 1,
            message: "expected a term before 'OR' at 1", forgiving: .word("a")),
        BadQuery(
            text: "+", problem: .expectedTermAfter("+"), position: 0,
            message: "expected a term after '+' at 0", forgiving: .matchNone),
        BadQuery(
            text: "a -", problem: .expectedTermAfter("-"), position: 2,
            message: "expected a term after '-' at 2", forgiving: .word("a")),
        BadQuery(
            text: "NOT", problem: .expectedTermAfter("NOT"), position: 0,
            message: "expected a term after 'NOT' at 0", forgiving: .matchNone),
        BadQuery(
            text: "+-a", problem: .expectedTermAfter("+"), position: 0,
            message: "expected a term after '+' at 0", forgiving: .everythingBut([.word("a")])),
        BadQuery(
            text: "a NOT AND b", problem: .expectedTermAfter("NOT"), position: 2,
            message: "expected a term after 'NOT' at 2", forgiving: .all([.word("a"), .word("b")])),
        BadQuery(
            text: "a) b", problem: .unbalancedParenthesis, position: 1,
            message: "unbalanced ')' at 1", forgiving: .any([.word("a"), .word("b")])),
        BadQuery(
            text: "(a b", problem: .unclosedGroup, position: 0,
            message: "unclosed '(' opened at 0", forgiving: .any([.word("a"), .word("b")])),
        BadQuery(
            text: "a AND (b OR", problem: .expectedTermAfter("OR"), position: 9,
            message: "expected a term after 'OR' at 9", forgiving: .all([.word("a"), .word("b")])),
        BadQuery(
            text: "()", problem: .emptyGroup, position: 0,
            message: "empty group at 0", forgiving: .matchNone),
        BadQuery(
            text: "a ()^2", problem: .emptyGroup, position: 2,
            message: "empty group at 2", forgiving: .word("a")),
        BadQuery(
            text: "\"\"", problem: .emptyPhrase, position: 0,
            message: "empty phrase at 0", forgiving: .matchNone),
        BadQuery(
            text: "a \"  \"", problem: .emptyPhrase, position: 2,
            message: "empty phrase at 2", forgiving: .word("a")),
        BadQuery(
            text: "\"a b c\"~x", problem: .invalidSlop, position: 7,
            message: "slop must be a number at 7", forgiving: .any([.quoted("a b c"), .word("x")])),
        BadQuery(
            text: "\"a b\"~1.5", problem: .invalidSlop, position: 5,
            message: "slop must be a number at 5", forgiving: .quoted("a b")),
        BadQuery(
            text: "\"a b\"~", problem: .invalidSlop, position: 5,
            message: "slop must be a number at 5", forgiving: .quoted("a b")),
        BadQuery(
            text: "foo~3", problem: .invalidFuzzyEdits, position: 3,
            message: "fuzzy edits must be 0, 1 or 2 at 3", forgiving: .fuzzy(field: nil, text: "foo", maximumEdits: 2)),
        BadQuery(
            text: "foo~0.8", problem: .invalidFuzzyEdits, position: 3,
            message: "fuzzy edits must be 0, 1 or 2 at 3",
            forgiving: .fuzzy(field: nil, text: "foo", maximumEdits: nil)),
        BadQuery(
            text: "foo^0", problem: .invalidBoost, position: 3,
            message: "boost must be a positive number at 3", forgiving: .word("foo")),
        BadQuery(
            text: "foo^", problem: .invalidBoost, position: 3,
            message: "boost must be a positive number at 3", forgiving: .word("foo")),
        BadQuery(
            text: "foo^-2", problem: .invalidBoost, position: 3,
            message: "boost must be a positive number at 3",
            forgiving: .bool(should: [.word("foo")], mustNot: [.word("2")], minimumShouldMatch: 1)),
        BadQuery(
            text: "foo^2^3", problem: .duplicateModifier("^"), position: 5,
            message: "duplicate '^' at 5", forgiving: .boost(.word("foo"), 2)),
        BadQuery(
            text: "*", problem: .leadingWildcard, position: 0,
            message: "'*' must follow at least one character at 0", forgiving: .matchNone),
        BadQuery(
            text: "a *foo", problem: .leadingWildcard, position: 2,
            message: "'*' must follow at least one character at 2", forgiving: .any([.word("a"), .word("foo")])),
        BadQuery(
            text: "fo*o", problem: .innerWildcard, position: 2,
            message: "'*' is only supported at the end of a term at 2", forgiving: .word("foo")),
        BadQuery(
            text: "foo**", problem: .innerWildcard, position: 3,
            message: "'*' is only supported at the end of a term at 3", forgiving: .prefix(field: nil, prefix: "foo")),
        BadQuery(
            text: "foo\\", problem: .danglingEscape, position: 3,
            message: "'\\' escapes nothing at 3", forgiving: .word("foo")),
        BadQuery(
            text: "title:", problem: .expectedTermAfter("title:"), position: 0,
            message: "expected a term after 'title:' at 0", forgiving: .word("title")),
        BadQuery(
            text: "title: OR a", problem: .expectedTermAfter("title:"), position: 0,
            message: "expected a term after 'title:' at 0", forgiving: .any([.word("title"), .word("a")])),
        BadQuery(
            text: ":a", problem: .unexpected(":"), position: 0,
            message: "unexpected ':' at 0", forgiving: .word("a")),
        BadQuery(
            text: "\"a\":b", problem: .unexpected(":"), position: 3,
            message: "unexpected ':' at 3", forgiving: .any([.quoted("a"), .word("b")])),
        BadQuery(
            text: "^2 a", problem: .unexpected("^2"), position: 0,
            message: "unexpected '^2' at 0", forgiving: .word("a")),
        BadQuery(
            text: "foo*~1", problem: .notApplicable(modifier: "~", target: "a prefix"), position: 4,
            message: "'~' cannot follow a prefix at 4", forgiving: .prefix(field: nil, prefix: "foo")),
        BadQuery(
            text: "(a b)~2", problem: .notApplicable(modifier: "~", target: "a group"), position: 5,
            message: "'~' cannot follow a group at 5", forgiving: .any([.word("a"), .word("b")])),
        BadQuery(
            text: "(a)~2", problem: .notApplicable(modifier: "~", target: "a group"), position: 3,
            message: "'~' cannot follow a group at 3", forgiving: .word("a")),
        BadQuery(
            text: "ti*:x", problem: .invalidFieldName("ti*"), position: 0,
            message: "'ti*' is not a valid field name at 0",
            forgiving: .any([.prefix(field: nil, prefix: "ti"), .word("x")])),
        BadQuery(
            text: "é \"🙂", problem: .unclosedQuote, position: 2,
            message: "unclosed quote opened at 2", forgiving: .any([.word("é"), .word("🙂")])),
    ]

    @Test("the strict parser names the problem and its character position", arguments: badQueries)
    func strictReportsProblem(bad: BadQuery) {
        #expect(throws: QueryParseError(bad.problem, at: bad.position)) {
            try QueryParser().parseStrict(bad.text)
        }
        #expect(QueryParseError(bad.problem, at: bad.position).description == bad.message)
    }

    @Test("the forgiving parser keeps what it can use of the same input", arguments: badQueries)
    func forgivingRepairs(bad: BadQuery) {
        #expect(QueryParser().parseForgiving(bad.text) == bad.forgiving)
    }

    @Test("positions count characters, not UTF-8 bytes")
    func positionsAreCharacterOffsets() {
        // "e\u{301}" is one Character of three UTF-8 bytes; the flag is one Character of eight bytes.
        #expect(throws: QueryParseError(.unclosedQuote, at: 4)) {
            try QueryParser().parseStrict("e\u{301} 🇫🇷 \"x")
        }
    }
}
