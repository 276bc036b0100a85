import Testing

@testable import TalyIndex

@Suite("the filter syntax")
struct FilterParserTests {
    let parser = FilterParser(schema: SearchFixtures.schema)

    @Test("the example of the documentation parses with NOT > AND > OR precedence")
    func example() throws {
        let filter = try parser.parse(
            #"tag = books AND (price >= 10 OR tags IN [a, "b c"]) AND NOT published EXISTS"#)
        #expect(
            filter
                == .and([
                    .equal(field: "tag", .string("books")),
                    .or([
                        .range(field: "price", lower: FilterBound(.integer(10), inclusive: true), upper: nil),
                        .oneOf(field: "tags", [.string("a"), .string("b c")]),
                    ]),
                    .not(.exists(field: "published")),
                ]))
        #expect(
            try parser.parse("tag = a OR tag = b AND tag = c")
                == .or([
                    .equal(field: "tag", .string("a")),
                    .and([.equal(field: "tag", .string("b")), .equal(field: "tag", .string("c"))]),
                ]))
    }

    @Test(
        "conditions and values",
        arguments: [
            ("price < 3", Filter.range(field: "price", lower: nil, upper: FilterBound(.integer(3), inclusive: false))),
            ("price <= -3.5", .range(field: "price", lower: nil, upper: FilterBound(.double(-3.5), inclusive: true))),
            ("price > 0", .range(field: "price", lower: FilterBound(.integer(0), inclusive: false), upper: nil)),
            ("rating 1 TO 2.5", .between("rating", .integer(1), .double(2.5))),
            ("tag != 'it\\'s'", .notEqual(field: "tag", .string("it's"))),
            (#"tag = "say \"hi\"""#, .equal(field: "tag", .string(#"say "hi""#))),
            ("tag = 10", .equal(field: "tag", .string("10"))),
            ("tags NOT IN [x, y]", .not(.oneOf(field: "tags", [.string("x"), .string("y")]))),
            ("tags not exists", .not(.exists(field: "tags"))),
            (
                "published >= 2026-11-29",
                .range(
                    field: "published", lower: FilterBound(.date(milliseconds: 1_795_910_400_000), inclusive: true),
                    upper: nil)
            ),
            ("published = 2026-11-29T10:00:00.5Z", .equal(field: "published", .date(milliseconds: 1_795_946_400_500))),
            (
                "published < 1000",
                .range(field: "published", lower: nil, upper: FilterBound(.integer(1000), inclusive: false))
            ),
            ("((tag = a))", .equal(field: "tag", .string("a"))),
            ("NOT NOT tag EXISTS", .not(.not(.exists(field: "tag")))),
        ])
    func conditions(text: String, expected: Filter) throws {
        #expect(try parser.parse(text) == expected)
    }

    @Test(
        "errors name the problem and its position",
        arguments: [
            ("color = red", FilterError(.unknownField("color"), at: 0)),
            ("tag = a AND body = x", FilterError(.fieldNotFilterable("body", type: "text"), at: 12)),
            ("id = x", FilterError(.fieldNotFilterable("id", type: "id"), at: 0)),
            ("price > cheap", FilterError(.wrongValueType(field: "price", type: "int64", value: "'cheap'"), at: 8)),
            (
                "published = yesterday",
                FilterError(.wrongValueType(field: "published", type: "date", value: "'yesterday'"), at: 12)
            ),
            ("rating = nan", FilterError(.wrongValueType(field: "rating", type: "double", value: "'nan'"), at: 9)),
            ("tag = \"open", FilterError(.unclosedQuote, at: 6)),
            ("tag = a b", FilterError(.expected("AND, OR or the end", found: "'b'"), at: 8)),
            ("(tag = a", FilterError(.expected("')'", found: "the end"), at: 8)),
            ("tag IN [a b]", FilterError(.expected("',' or ']'", found: "'b'"), at: 10)),
            ("tag IN a", FilterError(.expected("'['", found: "'a'"), at: 7)),
            ("tag =", FilterError(.expected("a value", found: "the end"), at: 5)),
            ("tag ! a", FilterError(.expected("'!='", found: "'!'"), at: 4)),
            ("tag 1 2", FilterError(.expected("TO", found: "'2'"), at: 6)),
            ("tag NOT a", FilterError(.expected("IN or EXISTS after NOT", found: "'a'"), at: 8)),
            ("= a", FilterError(.expected("a field name", found: "'='"), at: 0)),
            ("", FilterError(.expected("a field name", found: "the end"), at: 0)),
            ("tag = 'a\\", FilterError(.danglingEscape, at: 8)),
        ])
    func errors(text: String, expected: FilterError) {
        #expect(throws: expected) { try parser.parse(text) }
    }

    @Test("nesting and length are bounded, never a crash")
    func limits() {
        let deep = String(repeating: "(", count: 10_000) + "tag = a" + String(repeating: ")", count: 10_000)
        #expect(throws: FilterError(.tooLong(limit: FilterParser.maximumLength))) { try parser.parse(deep) }
        let nested = String(repeating: "NOT ", count: 100) + "tag EXISTS"
        #expect(throws: FilterError(.tooDeep(limit: FilterParser.maximumDepth), at: 256)) { try parser.parse(nested) }
    }
}
