import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("highlighting properties on random text")
struct HighlighterPropertyTests {
    /// Words with HTML-special characters, multi-byte scalars, stems and stop words.
    static let vocabulary = [
        "run", "running", "runs", "fox", "foxes", "quick", "the", "a", "of", "café", "naïve", "日本", "über",
        "Tom&Jerry", "<b>bold</b>", "\"quoted\"", "it's", "x<y", "1&2", "model", "models", "modeling", "ŝtono",
    ]
    static let separators = [" ", " ", " ", ", ", ". ", "! ", "\n", " — "]

    static func text(_ random: inout SplitMix64) -> String {
        var text = ""
        for index in 0..<Int.random(in: 1...80, using: &random) {
            if index > 0 { text += separators.randomElement(using: &random)! }
            text += vocabulary.randomElement(using: &random)!
        }
        return text
    }

    /// A leaf on `field` and, for the oracle, how to tell its terms: analyzed texts (term or phrase) or a
    /// folded prefix.
    enum Leaf {
        case terms(Query, [String])
        case prefix(Query, String)

        var query: Query {
            switch self {
            case .terms(let query, _), .prefix(let query, _): query
            }
        }
    }

    static func leaf(_ random: inout SplitMix64, field: String, analyzer: any Analyzer, folder: any Analyzer) throws
        -> Leaf
    {
        let word = vocabulary.randomElement(using: &random)!
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            let second = vocabulary.randomElement(using: &random)!
            let text = "\(word) \(second)"
            return .terms(
                .phrase(field: field, text: text, slop: Int.random(in: 0...2, using: &random)),
                try analyzer.tokens(of: text).terms)
        case 1:
            let folded = try folder.tokens(of: word).terms
            guard let first = folded.first else {
                return .terms(.term(field: field, text: word), try analyzer.tokens(of: word).terms)
            }
            let prefix = String(first.prefix(Int.random(in: 1...max(1, first.count), using: &random)))
            // The searcher folds the prefix text as a word ("it'" is "it").
            let foldedPrefix = try folder.tokens(of: prefix).terms
            guard foldedPrefix.count == 1 else {
                return .terms(.term(field: field, text: word), try analyzer.tokens(of: word).terms)
            }
            return .prefix(.prefix(field: field, prefix: prefix), foldedPrefix[0])
        default:
            return .terms(.term(field: field, text: word), try analyzer.tokens(of: word).terms)
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
            .replacing("&#39;", with: "'").replacing("&amp;", with: "&")
    }

    static func check(seed: UInt64, documents: Int, queries: Int) throws {
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let writer = try IndexWriter(
            directory: directory.path, schema: HighlighterTests.schema, options: .init(mergesInBackground: false))
        let errors = try writer.add(
            (0..<documents).map { index in
                Document([
                    "id": .keyword(["d\(index)"]), "title": .text(text(&random)), "body": .text(text(&random)),
                ])
            })
        precondition(errors.allSatisfy { $0 == nil }, "documents must be valid: \(errors)")
        _ = try writer.commit()
        let searcher = IndexSearcher(reader: try IndexReader.open(directory: directory.path))
        let analyzers: [String: any Analyzer] = ["title": try StandardAnalyzer(), "body": try EnglishAnalyzer()]
        let folder = try StandardAnalyzer()
        var markedSnippets = 0
        for round in 0..<queries {
            let context = "seed \(seed) round \(round)"
            var positive: [String: [Leaf]] = [:]
            var should: [Query] = []
            var mustNot: [Query] = []
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let field = Bool.random(using: &random) ? "title" : "body"
                let leaf = try leaf(&random, field: field, analyzer: analyzers[field]!, folder: folder)
                if Int.random(in: 0..<5, using: &random) == 0 {
                    mustNot.append(leaf.query)
                } else {
                    should.append(leaf.query)
                    positive[field, default: []].append(leaf)
                }
            }
            let query = Query.boolean(must: [], should: should, mustNot: mustNot, filter: [], minimumShouldMatch: 1)
            let options = HighlightOptions(
                fragmentLength: Int.random(in: 5...200, using: &random),
                fragmentCount: Int.random(in: 1...3, using: &random),
                noMatch: Bool.random(using: &random) ? .none : .leadingText)
            var highlighter = try Highlighter(searcher: searcher, query: query, options: options)
            for hit in try searcher.search(query, limit: 20).hits {
                let stored = try searcher.reader.segments[hit.segment].storedFields(hit.document)
                for field in try highlighter.highlight(hit) {
                    guard case .text(let text)? = stored[field.field] else {
                        Issue.record("\(context): highlighted field \(field.field) has no stored text")
                        continue
                    }
                    if field.snippets.contains(where: { $0.contains(options.preTag) }) { markedSnippets += 1 }
                    try checkField(
                        field, text: text, leaves: positive[field.field] ?? [], analyzer: analyzers[field.field]!,
                        options: options, context: "\(context) \(query) \(field.field) of \(text.debugDescription)")
                }
            }
        }
        #expect(markedSnippets > queries, "seed \(seed): the queries should mark snippets")
    }

    /// Every match is one token whose term is a positive query term; every loose term's token is marked;
    /// each snippet, unescaped, is a piece of the text whose marked parts are exactly matches.
    static func checkField(
        _ field: HighlightedField, text: String, leaves: [Leaf], analyzer: any Analyzer, options: HighlightOptions,
        context: String
    ) throws {
        let bytes = Array(text.utf8)
        var wanted: Set<String> = []
        var prefixes: [String] = []
        for leaf in leaves {
            switch leaf {
            case .terms(_, let terms): wanted.formUnion(terms)
            case .prefix(_, let prefix): prefixes.append(prefix)
            }
        }
        for range in field.matches {
            let tokens = try analyzer.tokens(of: String(decoding: bytes[range], as: UTF8.self)).terms
            #expect(tokens.count == 1, "\(context): match \(range) is \(tokens)")
            guard let term = tokens.first else { continue }
            #expect(
                wanted.contains(term) || prefixes.contains { term.hasPrefix($0) },
                "\(context): \(term) is no query term of \(wanted) \(prefixes)")
        }
        // Loose terms are marked wherever they occur.
        let loose = Set(
            leaves.compactMap { leaf -> String? in
                if case .terms(.term, let terms) = leaf, terms.count == 1 { return terms[0] }
                return nil
            })
        let all = try analyzer.tokens(of: text)
        let marked = Set(field.matches)
        for index in all.indices where loose.contains(all.term(at: index)) {
            #expect(marked.contains(all[index].sourceRange), "\(context): \(all.term(at: index)) not marked")
        }
        #expect(field.snippets.count <= options.fragmentCount, "\(context)")
        if field.matches.isEmpty && options.noMatch == .none { #expect(field.snippets.isEmpty, "\(context)") }
        let markedTexts = Set(field.matches.map { String(decoding: bytes[$0], as: UTF8.self) })
        let longestMatch =
            field.matches.map { String(decoding: bytes[$0], as: UTF8.self).unicodeScalars.count }.max() ?? 0
        for snippet in field.snippets {
            var body = Substring(snippet)
            if body.hasPrefix(options.ellipsis) { body = body.dropFirst(options.ellipsis.count) }
            if body.hasSuffix(options.ellipsis) { body = body.dropLast(options.ellipsis.count) }
            // Escaped text has no raw markup characters outside the tags.
            var plain = ""
            var rest = body
            while let open = rest.range(of: options.preTag) {
                let before = rest[..<open.lowerBound]
                #expect(!before.contains { "<>\"'".contains($0) }, "\(context): unescaped \(before)")
                plain += unescape(String(before))
                let inside = rest[open.upperBound...]
                guard let close = inside.range(of: options.postTag) else {
                    Issue.record("\(context): unclosed tag in \(snippet)")
                    return
                }
                let piece = unescape(String(inside[..<close.lowerBound]))
                #expect(markedTexts.contains(piece), "\(context): marked \(piece) is not a match")
                plain += piece
                rest = inside[close.upperBound...]
            }
            #expect(!rest.contains { "<>\"'".contains($0) }, "\(context): unescaped \(rest)")
            plain += unescape(String(rest))
            #expect(text.contains(plain), "\(context): snippet \(snippet) is not a piece of the text")
            // Only a single match, or the first word of leading text, may be longer than the fragment.
            #expect(
                plain.unicodeScalars.count <= max(options.fragmentLength, longestMatch)
                    || (field.matches.isEmpty && !plain.contains { $0.isWhitespace }),
                "\(context): \(plain) is longer than \(options.fragmentLength)")
            #expect(!plain.isEmpty, "\(context): empty snippet")
        }
    }

    @Test("marks are query-term tokens, loose terms are all marked, snippets unescape to pieces of the text")
    func randomized() throws {
        let seed = SplitMix64.testSeed()
        try Self.check(seed: seed, documents: 200, queries: 60)
        if TestEnvironment.longTests {
            for round in 1...10 { try Self.check(seed: seed &+ UInt64(round), documents: 500, queries: 200) }
        }
    }

    @Test("escaping round-trips every character, markup included")
    func escaping() {
        var random = SplitMix64(seed: SplitMix64.testSeed())
        let alphabet = Array("<>&\"'a é日🎉;#amp") + ["&amp;", "&lt;"].flatMap { Array($0) }
        for _ in 0..<500 {
            let text = String(
                (0..<Int.random(in: 0...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            var escaped: [UInt8] = []
            SnippetBuilder.escape(Array(text.utf8)[...], into: &escaped)
            let result = String(decoding: escaped, as: UTF8.self)
            #expect(!result.contains { "<>\"'".contains($0) }, "\(text)")
            #expect(Self.unescape(result) == text, "\(text) → \(result)")
        }
    }
}
