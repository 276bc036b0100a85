import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("Query parser robustness")
struct QueryParserRobustnessTests {
    /// Pieces of fuzz input, heavy in syntax; several are multi-scalar characters.
    private static let alphabet: [String] = [
        "+", "-", "!", "\"", "(", ")", ":", "*", "~", "^", "\\", " ", " ", " ", "AND", "OR", "NOT", "&&", "||",
        "a", "b", "foo", "x", "1", "2", "0.5", ".", "\t", "\n", "é", "e\u{301}", "\u{301}", "東京", "🙂", "🇫🇷",
        "\r\n", "title", "\u{3000}", "?", "[", "}", "/", "&", "|",
    ]

    @Test("random syntax-heavy input never crashes the forgiving parser and strict either parses or throws")
    func seededFuzz() {
        let seed = SplitMix64.testSeed()
        var generator = SplitMix64(seed: seed)
        let iterations = TestEnvironment.longTests ? 500_000 : 20_000
        let parsers = [QueryParser(), QueryParser(defaultOperator: .and, knownFields: ["title", "body"])]
        var accepted = 0
        for _ in 0..<iterations {
            let length = Int.random(in: 0...24, using: &generator)
            let text = (0..<length).map { _ in Self.alphabet.randomElement(using: &generator)! }.joined()
            for parser in parsers {
                let forgiving = parser.parseForgiving(text)
                let problems = Self.problems(in: forgiving, isRoot: true)
                #expect(problems.isEmpty, "seed \(seed): \(text.debugDescription) gave \(forgiving): \(problems)")
                do {
                    let strict = try parser.parseStrict(text)
                    accepted += 1
                    // What the strict parser accepts, the forgiving parser reads the same way.
                    #expect(strict == forgiving, "seed \(seed): \(text.debugDescription)")
                } catch {
                    #expect(
                        (0...text.count).contains(error.position),
                        "seed \(seed): \(text.debugDescription) threw \(error)")
                }
            }
        }
        // The oracle above only bites on accepted input: make sure the alphabet yields enough of it.
        #expect(accepted > iterations / 20, "seed \(seed): only \(accepted) inputs parsed strictly")
    }

    @Test("the lexer's byte path for ASCII text gives the tokens and errors of its per-Character path")
    func asciiBytePathMatchesCharacters() {
        let seed = SplitMix64.testSeed()
        var generator = SplitMix64(seed: seed)
        let ascii = Self.alphabet.filter { $0.utf8.allSatisfy { $0 < 0x80 } && $0 != "\r\n" }
        for _ in 0..<(TestEnvironment.longTests ? 200_000 : 10_000) {
            let length = Int.random(in: 0...24, using: &generator)
            let text = (0..<length).map { _ in ascii.randomElement(using: &generator)! }.joined()
            for mode in [QueryParseMode.strict, .forgiving] {
                let limit = Int.random(in: 0...30, using: &generator)
                let bytes = QueryLexer.Input(text, limit: limit)
                let characters = QueryLexer.Input(text, limit: limit, generalPath: true)
                #expect(bytes.count == characters.count, "seed \(seed): \(text.debugDescription) limit \(limit)")
                let fromBytes = Result { () throws(QueryParseError) in try QueryLexer.tokens(of: bytes, mode: mode) }
                let fromCharacters = Result { () throws(QueryParseError) in
                    try QueryLexer.tokens(of: characters, mode: mode)
                }
                #expect(fromBytes == fromCharacters, "seed \(seed): \(text.debugDescription) \(mode) limit \(limit)")
            }
        }
    }

    @Test("every query of the search-benchmark-game parses strictly into its tagged shape")
    func benchmarkGameQueries() throws {
        let shared = try #require(TestEnvironment.sharedDirectory, "the shared material (../shared) is missing")
        let file = shared.appendingPathComponent("data/search-benchmark-game/queries.txt")
        let contents = try #require(
            try? String(contentsOf: file, encoding: .utf8), "missing \(file.path)")
        struct Line: Decodable {
            let query: String
            let tags: [String]
        }
        let lines = try contents.split(separator: "\n").map {
            try JSONDecoder().decode(Line.self, from: Data($0.utf8))
        }
        #expect(lines.count > 900)
        let parser = QueryParser()
        for line in lines {
            let query: Query
            do {
                query = try parser.parseStrict(line.query)
            } catch {
                Issue.record("\(line.query.debugDescription): \(error)")
                continue
            }
            #expect(
                Self.hasTaggedShape(query, tag: line.tags.first ?? ""),
                "\(line.query.debugDescription) tagged \(line.tags) parsed to \(query)")
        }
    }

    /// Whether `query` has the shape the benchmark's tag promises.
    private static func hasTaggedShape(_ query: Query, tag: String) -> Bool {
        let isLeaf = { (clause: Query) in
            switch clause {
            case .term, .phrase: true
            default: false
            }
        }
        switch (tag, query) {
        case ("term", .term), ("phrase", .phrase):
            return true
        case ("union", .boolean(let must, let should, let mustNot, [], 1)):
            return must.isEmpty && should.count > 1 && mustNot.isEmpty && should.allSatisfy(isLeaf)
        case ("intersection", .boolean(let must, let should, let mustNot, [], 0)),
            ("two-phase-critic", .boolean(let must, let should, let mustNot, [], 0)):
            return must.count > 1 && should.isEmpty && mustNot.isEmpty && must.allSatisfy(isLeaf)
        case ("negated", .boolean(let must, let should, let mustNot, [], 0)):
            return must.count == 1 && should.isEmpty && !mustNot.isEmpty
        case ("intersection_union", .boolean(let must, let should, let mustNot, [], 0)):
            return !must.isEmpty && !should.isEmpty && mustNot.isEmpty
        default:
            return false
        }
    }

    @Test("text past the length limit is an error for strict and cut off by forgiving")
    func lengthLimit() {
        let text = "a" + String(repeating: " ", count: QueryParser.maximumLength - 2) + "bcd"
        #expect(throws: QueryParseError(.tooLong(limit: 4_096), at: 4_096)) { try QueryParser().parseStrict(text) }
        #expect(QueryParser().parseForgiving(text) == .any([.word("a"), .word("b")]))
    }

    @Test("groups nested past the depth limit are an error for strict and flattened by forgiving")
    func depthLimit() throws {
        let limit = QueryParser.maximumDepth
        let atLimit = String(repeating: "(", count: limit) + "a" + String(repeating: ")", count: limit)
        #expect(try QueryParser().parseStrict(atLimit) == .word("a"))
        let past = "(" + atLimit + ")"
        #expect(throws: QueryParseError(.tooDeep(limit: limit), at: limit)) { try QueryParser().parseStrict(past) }
        #expect(QueryParser().parseForgiving(past) == .word("a"))
        let hostile = String(repeating: "(", count: 4_000) + "a b" + String(repeating: ")", count: 90)
        #expect(QueryParser().parseForgiving(hostile) == .any([.word("a"), .word("b")]))
    }

    @Test("clauses past the clause limit are an error for strict and dropped by forgiving")
    func clauseLimit() {
        let text = Array(repeating: "a", count: QueryParser.maximumClauses + 1).joined(separator: " ")
        #expect(throws: QueryParseError(.tooManyClauses(limit: 1_024), at: 2 * 1_024)) {
            try QueryParser().parseStrict(text)
        }
        #expect(QueryParser().parseForgiving(text) == .any(Array(repeating: .word("a"), count: 1_024)))
    }

    /// What is malformed in a parsed query: empty leaves, out-of-range numbers, booleans
    /// without a positive clause or with a minimumShouldMatch other than the documented one.
    private static func problems(in query: Query, isRoot: Bool) -> [String] {
        switch query {
        case .term(_, let text), .prefix(_, let text):
            return text.isEmpty ? ["empty leaf in \(query)"] : []
        case .fuzzy(_, let text, let edits):
            return text.isEmpty || !(edits.map { (0...2).contains($0) } ?? true) ? ["bad fuzzy \(query)"] : []
        case .phrase(_, let text, let slop):
            return text.allSatisfy(\.isWhitespace) || slop < 0 ? ["bad phrase \(query)"] : []
        case .boost(let inner, let boost):
            return (boost.isFinite && boost > 0 ? [] : ["bad boost \(query)"]) + problems(in: inner, isRoot: false)
        case .boolean(let must, let should, let mustNot, let filter, let minimumShouldMatch):
            var found: [String] = []
            if must.isEmpty && should.isEmpty { found.append("no positive clause in \(query)") }
            if minimumShouldMatch != (must.isEmpty && !should.isEmpty ? 1 : 0) {
                found.append("minimumShouldMatch \(minimumShouldMatch) in \(query)")
            }
            for clause in must + should + mustNot + filter { found += problems(in: clause, isRoot: false) }
            return found
        case .matchAll:
            return []
        case .matchNone:
            return isRoot ? [] : ["nested matchNone"]
        }
    }
}
