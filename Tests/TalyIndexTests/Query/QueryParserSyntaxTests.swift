import Testing

@testable import TalyIndex

@Suite("Query parser syntax")
struct QueryParserSyntaxTests {
    private static let parser = QueryParser()

    @Test(
        "the search-benchmark-game query shapes map to Lucene's boolean clauses",
        arguments: [
            ("griffith", Query.word("griffith")),
            ("a b", .bool(should: [.word("a"), .word("b")], minimumShouldMatch: 1)),
            ("+a +b", .bool(must: [.word("a"), .word("b")], minimumShouldMatch: 0)),
            ("\"a b\"", .quoted("a b")),
            ("+a -b", .bool(must: [.word("a")], mustNot: [.word("b")], minimumShouldMatch: 0)),
            ("+a -b -c", .bool(must: [.word("a")], mustNot: [.word("b"), .word("c")], minimumShouldMatch: 0)),
            ("+\"a b\" +c", .bool(must: [.quoted("a b"), .word("c")], minimumShouldMatch: 0)),
            ("+a b", .bool(must: [.word("a")], should: [.word("b")], minimumShouldMatch: 0)),
            ("a +b", .bool(must: [.word("b")], should: [.word("a")], minimumShouldMatch: 0)),
        ] as [(String, Query)]
    )
    func benchmarkShapes(text: String, expected: Query) throws {
        #expect(try Self.parser.parseStrict(text) == expected)
        #expect(Self.parser.parseForgiving(text) == expected)
    }

    @Test(
        "every syntax element parses to its query",
        arguments: [
            // Terms: numbers and words alike, unanalyzed; lowercase operators are words.
            ("42", Query.word("42")),
            ("Running", .word("Running")),
            ("café 東京", .any([.word("café"), .word("東京")])),
            ("and or not", .any([.word("and"), .word("or"), .word("not")])),
            ("foo-bar c++ what?", .any([.word("foo-bar"), .word("c++"), .word("what?")])),
            // Required and prohibited.
            ("+a", .word("a")),
            ("-a", .everythingBut([.word("a")])),
            ("!a", .everythingBut([.word("a")])),
            ("NOT a", .everythingBut([.word("a")])),
            ("-a -b", .everythingBut([.word("a"), .word("b")])),
            ("- a", .everythingBut([.word("a")])),
            ("a -b", .bool(should: [.word("a")], mustNot: [.word("b")], minimumShouldMatch: 1)),
            ("a && b", .all([.word("a"), .word("b")])),
            ("a || b", .any([.word("a"), .word("b")])),
            // Groups.
            ("(a)", .word("a")),
            ("((a b))", .any([.word("a"), .word("b")])),
            ("+(a b) c", .bool(must: [.any([.word("a"), .word("b")])], should: [.word("c")], minimumShouldMatch: 0)),
            ("a (b (c d))", .any([.word("a"), .any([.word("b"), .any([.word("c"), .word("d")])])])),
            ("(-a) b", .any([.everythingBut([.word("a")]), .word("b")])),
            // Fields.
            ("title:foo", .word("foo", field: "title")),
            ("title:\"a b\"", .quoted("a b", field: "title")),
            ("title:(a b)", .any([.word("a", field: "title"), .word("b", field: "title")])),
            ("title:(a body:b)", .any([.word("a", field: "title"), .word("b", field: "body")])),
            ("title:(a (b))", .any([.word("a", field: "title"), .word("b", field: "title")])),
            ("-title:foo", .everythingBut([.word("foo", field: "title")])),
            // Prefixes.
            ("foo*", .prefix(field: nil, prefix: "foo")),
            ("a*", .prefix(field: nil, prefix: "a")),
            ("title:foo*", .prefix(field: "title", prefix: "foo")),
            // Fuzzy terms and slop.
            ("foo~", .fuzzy(field: nil, text: "foo", maximumEdits: nil)),
            ("foo~0", .fuzzy(field: nil, text: "foo", maximumEdits: 0)),
            ("foo~1", .fuzzy(field: nil, text: "foo", maximumEdits: 1)),
            ("foo~2", .fuzzy(field: nil, text: "foo", maximumEdits: 2)),
            ("title:foo~1", .fuzzy(field: "title", text: "foo", maximumEdits: 1)),
            ("foo~bar", .any([.fuzzy(field: nil, text: "foo", maximumEdits: nil), .word("bar")])),
            ("\"a b\"~2", .quoted("a b", slop: 2)),
            ("\"a b\"~0", .quoted("a b")),
            // Boosts.
            ("foo^2", .boost(.word("foo"), 2)),
            ("\"a b\"^1.5", .boost(.quoted("a b"), 1.5)),
            ("(a b)^3", .boost(.any([.word("a"), .word("b")]), 3)),
            ("title:foo^2", .boost(.word("foo", field: "title"), 2)),
            ("title:(a b)^0.5", .boost(.any([.word("a", field: "title"), .word("b", field: "title")]), 0.5)),
            ("foo~1^2", .boost(.fuzzy(field: nil, text: "foo", maximumEdits: 1), 2)),
            ("foo^2~1", .boost(.fuzzy(field: nil, text: "foo", maximumEdits: 1), 2)),
            ("\"a b\"~3^2", .boost(.quoted("a b", slop: 3), 2)),
            ("foo*^2", .boost(.prefix(field: nil, prefix: "foo"), 2)),
            ("+a^2 b", .bool(must: [.boost(.word("a"), 2)], should: [.word("b")], minimumShouldMatch: 0)),
            // Escapes.
            (#"c\+\+"#, .word("c++")),
            (#"a\:b"#, .word("a:b")),
            (#"\"quoted\""#, .word("\"quoted\"")),
            (#"\(x\)"#, .word("(x)")),
            (#"foo\*"#, .word("foo*")),
            (#"a\\b"#, .word(#"a\b"#)),
            (#"\-a"#, .word("-a")),
            (#"\AND"#, .word("AND")),
            (#"a\ b"#, .word("a b")),
            (#"foo\~1"#, .word("foo~1")),
            (#""say \"hi\"""#, .quoted(#"say "hi""#)),
            (#"title\:x:y"#, .word("y", field: "title:x")),
            // Whitespace is not significant around operators and modifiers, as in Lucene.
            ("  a\t\nb  ", .any([.word("a"), .word("b")])),
        ] as [(String, Query)]
    )
    func syntaxElements(text: String, expected: Query) throws {
        #expect(try Self.parser.parseStrict(text) == expected)
        #expect(Self.parser.parseForgiving(text) == expected)
    }

    @Test("empty and whitespace-only text is matchNone", arguments: ["", " ", "\t\n  "])
    func emptyTextMatchesNothing(text: String) throws {
        #expect(try Self.parser.parseStrict(text) == .matchNone)
        #expect(Self.parser.parseForgiving(text) == .matchNone)
    }

    @Test("known fields are accepted and an unknown field is an error naming it")
    func knownFields() throws {
        let parser = QueryParser(knownFields: ["title", "body"])
        #expect(
            try parser.parseStrict("title:red body:\"a b\"")
                == .any([.word("red", field: "title"), .quoted("a b", field: "body")]))
        #expect(throws: QueryParseError(.unknownField("colour"), at: 4)) { try parser.parseStrict("red colour:blue") }
        #expect(QueryParseError(.unknownField("colour"), at: 0).description == "field 'colour' is unknown at 0")
    }

    @Test(
        "the forgiving parser reads an unknown field as plain words joined by the default operator",
        arguments: [
            ("colour:red", QueryParser.Operator.or, Query.any([.word("colour"), .word("red")])),
            ("colour:red", .and, .all([.word("colour"), .word("red")])),
            ("a colour:\"dark red\"", .or, .any([.word("a"), .any([.word("colour"), .quoted("dark red")])])),
            ("+colour:red", .or, .any([.word("colour"), .word("red")])),
            ("title:(colour:red)", .or, .any([.word("colour", field: "title"), .word("red", field: "title")])),
        ] as [(String, QueryParser.Operator, Query)]
    )
    func forgivingUnknownField(text: String, defaultOperator: QueryParser.Operator, expected: Query) {
        let parser = QueryParser(defaultOperator: defaultOperator, knownFields: ["title", "body"])
        #expect(parser.parseForgiving(text) == expected)
    }
}
