import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("highlighting and snippets")
struct HighlighterTests {
    /// id, title (standard, stored), body (english, stored), notes (standard, not stored), tag (keyword).
    static let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("title", .text(analyzer: .standard, stored: true)),
            .init("body", .text(analyzer: .english, stored: true)),
            .init("notes", .text(analyzer: .standard, stored: false)),
            .init("tag", .keyword(stored: true, multiValued: false)),
        ],
        idField: "id"
    )

    /// A one-segment index of `(title, body)` pairs with ids d0, d1…
    static func searcher(_ directory: TemporaryDirectory, _ documents: [(title: String, body: String)]) throws
        -> IndexSearcher
    {
        let writer = try IndexWriter(
            directory: directory.path, schema: schema, options: .init(mergesInBackground: false))
        let errors = try writer.add(
            documents.enumerated().map { index, document in
                Document([
                    "id": .keyword(["d\(index)"]), "title": .text(document.title), "body": .text(document.body),
                    "notes": .text(document.body), "tag": .keyword(["t"]),
                ])
            })
        precondition(errors.allSatisfy { $0 == nil }, "fixture documents must be valid: \(errors)")
        _ = try writer.commit()
        return IndexSearcher(reader: try IndexReader.open(directory: directory.path))
    }

    /// The highlights of document `document` (segment 0) as field name → highlights.
    static func highlights(
        _ searcher: IndexSearcher, _ query: Query, document: UInt32, options: HighlightOptions = .init()
    ) throws -> [String: HighlightedField] {
        var highlighter = try Highlighter(searcher: searcher, query: query, options: options)
        var result: [String: HighlightedField] = [:]
        for field in try highlighter.highlight(segment: 0, document: document) { result[field.field] = field }
        return result
    }

    /// The marked source texts of `field`.
    static func marked(_ field: HighlightedField?, in text: String) -> [String] {
        let bytes = Array(text.utf8)
        return (field?.matches ?? []).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test("stemming: `run` marks running and Runs in an english field; HTML in the text is escaped")
    func stemmingAndEscaping() throws {
        let directory = try TemporaryDirectory()
        let body = "She was running <home> & \"fast\". Runs aren't walks."
        let searcher = try Self.searcher(directory, [(title: "x", body: body)])
        let fields = try Self.highlights(searcher, .term(field: "body", text: "run"), document: 0)
        #expect(Self.marked(fields["body"], in: body) == ["running", "Runs"])
        #expect(
            fields["body"]?.snippets == [
                "She was <mark>running</mark> &lt;home&gt; &amp; &quot;fast&quot;. <mark>Runs</mark> aren&#39;t walks."
            ])
        // The title has no match: its leading text, or nothing when asked.
        #expect(fields["title"]?.matches == [] && fields["title"]?.snippets == ["x"])
        let none = try Self.highlights(
            searcher, .term(field: "body", text: "run"), document: 0, options: .init(noMatch: .none))
        #expect(none["title"]?.snippets == [])
        // Not stored: no entry, no error.
        #expect(fields["notes"] == nil)
    }

    @Test("multi-byte text: offsets are UTF-8 byte ranges and fragments never split a scalar")
    func multiByte() throws {
        let directory = try TemporaryDirectory()
        let title = "Café naïve 日本語 résumé über naïve"
        let searcher = try Self.searcher(directory, [(title: title, body: "b")])
        let fields = try Self.highlights(
            searcher, .any([.term(field: "title", text: "NAÏVE"), .term(field: "title", text: "resume")]),
            document: 0)
        // "Café " is 6 bytes (é is 2), "naïve" 6, 日本語 9, résumé 8, über 5 (and spaces); "résumé" is not "resume" (no accent folding).
        #expect(fields["title"]?.matches == [6..<12, 38..<44])
        #expect(Self.marked(fields["title"], in: title) == ["naïve", "naïve"])
        let short = try Self.highlights(
            searcher, .term(field: "title", text: "über"), document: 0, options: .init(fragmentLength: 14))
        // 14 scalars: "über" leaves 10 spare; "résumé " (7) exceeds half of them, so the fragment starts on
        // the match and ends after "naïve" (10 scalars; the text end, so no trailing ellipsis).
        #expect(short["title"]?.snippets == ["…<mark>über</mark> naïve"])
    }

    @Test("a phrase marks only its occurrences (slop respected); loose terms mark every occurrence")
    func phrases() throws {
        let directory = try TemporaryDirectory()
        let title = "quick brown fox then fox is quick"
        let searcher = try Self.searcher(directory, [(title: title, body: "b")])
        func marks(_ query: Query) throws -> [String] {
            Self.marked(try Self.highlights(searcher, query, document: 0)["title"], in: title)
        }
        #expect(try marks(.phrase(field: "title", text: "quick brown", slop: 0)) == ["quick", "brown"])
        #expect(try marks(.phrase(field: "title", text: "brown quick", slop: 0)) == [])
        #expect(try marks(.phrase(field: "title", text: "quick fox", slop: 0)) == [])
        // quick at 0, fox at 2: one move apart.
        #expect(try marks(.phrase(field: "title", text: "quick fox", slop: 1)) == ["quick", "fox"])
        // "fox is quick" is the phrase reversed with a word between: 3 moves (Lucene's slop).
        #expect(try marks(.phrase(field: "title", text: "quick fox", slop: 2)) == ["quick", "fox"])
        #expect(try marks(.phrase(field: "title", text: "quick fox", slop: 3)) == ["quick", "fox", "fox", "quick"])
        #expect(
            try marks(.any([.term(field: "title", text: "quick"), .term(field: "title", text: "fox")]))
                == ["quick", "fox", "fox", "quick"])
        // The engine agrees on which slops match.
        #expect(try searcher.count(.phrase(field: "title", text: "quick fox", slop: 0)) == 0)
        #expect(try searcher.count(.phrase(field: "title", text: "quick fox", slop: 1)) == 1)
    }

    @Test("prefix and fuzzy leaves mark the terms their expansion found; mustNot terms are never marked")
    func expansions() throws {
        let directory = try TemporaryDirectory()
        let body = "Programming programs makes progress; a programmer progresses."
        let searcher = try Self.searcher(directory, [(title: "t", body: body), (title: "u", body: "prognosis")])
        func marks(_ query: Query) throws -> [String] {
            Self.marked(try Self.highlights(searcher, query, document: 0)["body"], in: body)
        }
        #expect(
            try marks(.prefix(field: "body", prefix: "progr"))
                == ["Programming", "programs", "progress", "programmer", "progresses"])
        // english stems: programming, programs → program; "progrem" is one edit from program only.
        #expect(try marks(.fuzzy(field: "body", text: "progrem", maximumEdits: 1)) == ["Programming", "programs"])
        let query = Query.boolean(
            must: [.term(field: "body", text: "makes")], should: [],
            mustNot: [.term(field: "body", text: "programs")], filter: [], minimumShouldMatch: 0)
        #expect(try marks(query) == ["makes"])
    }

    @Test("long text: the fragment with the most distinct terms wins, cut on words with ellipses")
    func fragments() throws {
        let directory = try TemporaryDirectory()
        let body =
            "Alpha starts here and goes on for a while. Then beta appears once. Many filler words follow "
            + "after that point. Finally alpha meets beta in this sentence. The end comes later still."
        let searcher = try Self.searcher(directory, [(title: "t", body: body)])
        let query = Query.any([.term(field: "body", text: "alpha"), .term(field: "body", text: "beta")])
        let one = try Self.highlights(searcher, query, document: 0, options: .init(fragmentLength: 50))
        // "Finally alpha meets beta in this sentence. The end" is exactly 50 scalars; the fragment starts at
        // its sentence since "Finally " fits in the spare length.
        #expect(
            one["body"]?.snippets == ["…Finally <mark>alpha</mark> meets <mark>beta</mark> in this sentence. The end…"])
        let two = try Self.highlights(
            searcher, query, document: 0, options: .init(fragmentLength: 50, fragmentCount: 2, ellipsis: "..."))
        #expect(
            two["body"]?.snippets == [
                "<mark>Alpha</mark> starts here and goes on for a while. Then...",
                "...Finally <mark>alpha</mark> meets <mark>beta</mark> in this sentence. The end...",
            ])
        let tagged = try Self.highlights(
            searcher, .term(field: "body", text: "end"), document: 0,
            options: .init(fragmentLength: 30, preTag: "[", postTag: "]"))
        // From the start of the sentence ("The", 4 of the 27 spare scalars) to the end of the text (26 in all).
        #expect(tagged["body"]?.snippets == ["…The [end] comes later still."])
    }

    @Test("asking for an unknown or non-text field is a typed error")
    func errors() throws {
        let directory = try TemporaryDirectory()
        let searcher = try Self.searcher(directory, [(title: "t", body: "b")])
        #expect(throws: SearchError.unknownField("nope")) {
            try Highlighter(searcher: searcher, query: .matchAll, options: .init(fields: ["nope"]))
        }
        #expect(throws: SearchError.fieldNotHighlightable("tag", type: "keyword")) {
            try Highlighter(searcher: searcher, query: .matchAll, options: .init(fields: ["tag"]))
        }
    }
}
