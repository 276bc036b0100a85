import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("BM25 scores as Lucene's BM25Similarity")
struct BM25ScoringTests {
    static let bodies = ["the quick brown fox", "the lazy dog", "quick quick fox jumps over the dog", "fox"]

    /// The 4-document index of `bodies`; docs 0 and 1 have tag "a".
    static func reader(_ directory: TemporaryDirectory) throws -> IndexReader {
        let documents = bodies.enumerated().map { index, body in
            SearchFixtures.document("d\(index)", body: body, tag: index < 2 ? "a" : "b")
        }
        return try SearchFixtures.index(in: directory, batches: [documents])
    }

    /// BM25 by the textbook formula in Double, independent of the searcher's code: k1 = 1.2, b = 0.75,
    /// idf = ln(1 + (N − n + 0.5) / (n + 0.5)), score = boost · idf · f / (f + k1 (1 − b + b · dl / avgdl)).
    static func expected(
        frequency: Double, length: Double, idf: Double, averageLength: Double, boost: Double = 1
    ) -> Double {
        boost * idf * frequency / (frequency + 1.2 * (1 - 0.75 + 0.75 * length / averageLength))
    }

    static func idf(_ n: Double, _ documentCount: Double) -> Double {
        log(1 + (documentCount - n + 0.5) / (n + 0.5))
    }

    static func scores(_ hits: TopHits, _ reader: IndexReader) throws -> [String: Float] {
        var result: [String: Float] = [:]
        for hit in hits.hits { result[try SearchFixtures.id(of: hit, in: reader)] = hit.score }
        return result
    }

    static func expectClose(_ actual: Float?, _ expected: Double, _ comment: Comment) {
        guard let actual else {
            Issue.record("missing hit: \(comment)")
            return
        }
        #expect(abs(Double(actual) - expected) <= 1e-6 * expected, comment)
    }

    // Body lengths 4, 3, 7, 1: N = 4, avgdl = 15 / 4 (lengths below 24 are exact in a norm byte).
    static let averageLength = 15.0 / 4

    @Test("a term scores idf · tf-saturation with N = documents with the field and avgdl = tokens / N")
    func termScores() throws {
        let directory = try TemporaryDirectory()
        let reader = try Self.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        let hits = try Self.scores(searcher.search(.term(field: "body", text: "fox"), limit: 10), reader)
        let idf = Self.idf(3, 4)
        #expect(hits.count == 3)
        for (id, length) in [("d0", 4.0), ("d2", 7.0), ("d3", 1.0)] {
            Self.expectClose(
                hits[id], Self.expected(frequency: 1, length: length, idf: idf, averageLength: Self.averageLength),
                "fox in \(id)")
        }
        let quick = try Self.scores(searcher.search(.term(field: "body", text: "quick"), limit: 10), reader)
        Self.expectClose(
            quick["d2"],
            Self.expected(frequency: 2, length: 7, idf: Self.idf(2, 4), averageLength: Self.averageLength),
            "quick twice in d2")
    }

    @Test("the score equals Lucene's float expression weight − weight / (1 + f · cache[norm]) bit for bit")
    func floatExpression() throws {
        let directory = try TemporaryDirectory()
        let reader = try Self.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        let hits = try Self.scores(searcher.search(.term(field: "body", text: "quick"), limit: 10), reader)
        let idf = Float(log(1 + (4.0 - 2 + 0.5) / (2 + 0.5)))
        let avgdl = Float(15.0 / 4.0)
        let k1: Float = 1.2
        let b: Float = 0.75
        let normInverse7: Float = 1 / (k1 * ((1 - b) + b * Float(7) / avgdl))
        let normInverse4: Float = 1 / (k1 * ((1 - b) + b * Float(4) / avgdl))
        #expect(hits["d2"] == idf - idf / (1 + 2 * normInverse7))
        #expect(hits["d0"] == idf - idf / (1 + 1 * normInverse4))
    }

    @Test("boosts multiply the weight; boolean clauses add; matchAll scores its boost")
    func booleanAndBoost() throws {
        let directory = try TemporaryDirectory()
        let reader = try Self.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        let fox = Self.idf(3, 4)
        let dog = Self.idf(2, 4)
        let avg = Self.averageLength
        let query = Query.any([.boost(.term(field: "body", text: "fox"), 2), .term(field: "body", text: "dog")])
        let hits = try Self.scores(searcher.search(query, limit: 10), reader)
        #expect(hits.count == 4)
        Self.expectClose(
            hits["d2"],
            Self.expected(frequency: 1, length: 7, idf: fox, averageLength: avg, boost: 2)
                + Self.expected(frequency: 1, length: 7, idf: dog, averageLength: avg),
            "fox^2 + dog in d2")
        Self.expectClose(
            hits["d1"], Self.expected(frequency: 1, length: 3, idf: dog, averageLength: avg), "dog in d1")
        let all = try searcher.search(.boost(.matchAll, 3), limit: 10)
        #expect(all.hits.map(\.score) == [3, 3, 3, 3])
        #expect(all.hits.map(\.document) == [0, 1, 2, 3], "ties keep document order")
    }

    @Test("must, mustNot and filter select documents; filter adds no score")
    func booleanSemantics() throws {
        let directory = try TemporaryDirectory()
        let reader = try Self.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        let notDog = Query.boolean(
            must: [.term(field: "body", text: "fox")], should: [], mustNot: [.term(field: "body", text: "dog")],
            filter: [], minimumShouldMatch: 0)
        #expect(Set(try Self.scores(searcher.search(notDog, limit: 10), reader).keys) == ["d0", "d3"])
        #expect(try searcher.count(notDog) == 2)
        let filtered = Query.boolean(
            must: [], should: [], mustNot: [], filter: [.term(field: "body", text: "dog")], minimumShouldMatch: 0)
        let hits = try searcher.search(filtered, limit: 10)
        #expect(hits.hits.count == 2 && hits.hits.allSatisfy { $0.score == 0 })
        let two = Query.boolean(
            must: [], should: ["fox", "dog", "quick"].map { .term(field: "body", text: $0) }, mustNot: [], filter: [],
            minimumShouldMatch: 2)
        #expect(Set(try Self.scores(searcher.search(two, limit: 10), reader).keys) == ["d0", "d2"])
        #expect(try searcher.count(two) == 2)
    }

    @Test("a keyword field scores as length 1 over the documents that have it")
    func keywordField() throws {
        let directory = try TemporaryDirectory()
        let reader = try Self.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        let hits = try Self.scores(searcher.search(.term(field: "tag", text: "a"), limit: 10), reader)
        Self.expectClose(
            hits["d0"], Self.expected(frequency: 1, length: 1, idf: Self.idf(2, 4), averageLength: 1), "tag")
    }

    @Test("phrases: exact frequency counts matches; sloppy adds 1/(1+distance); idf is the sum of idfs")
    func phrases() throws {
        let directory = try TemporaryDirectory()
        let reader = try Self.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        let idf = Self.idf(2, 4) + Self.idf(3, 4)
        let avg = Self.averageLength
        let exact = try Self.scores(
            searcher.search(.phrase(field: "body", text: "quick fox", slop: 0), limit: 10), reader)
        #expect(Set(exact.keys) == ["d2"])
        Self.expectClose(exact["d2"], Self.expected(frequency: 1, length: 7, idf: idf, averageLength: avg), "exact")
        let sloppy = try Self.scores(
            searcher.search(.phrase(field: "body", text: "quick fox", slop: 1), limit: 10), reader)
        #expect(Set(sloppy.keys) == ["d0", "d2"])
        Self.expectClose(sloppy["d0"], Self.expected(frequency: 0.5, length: 4, idf: idf, averageLength: avg), "slop")
        // A term that analyzes into two tokens is that phrase.
        let split = try Self.scores(searcher.search(.term(field: "body", text: "Quick-Fox"), limit: 10), reader)
        #expect(split == exact)
        #expect(try searcher.count(.phrase(field: "body", text: "the dog", slop: 0)) == 1, "only d2 has them adjacent")
        #expect(try searcher.count(.phrase(field: "body", text: "the dog", slop: 1)) == 2, "d1 has one word between")
    }

    @Test("field-less leaves search every text field; errors name the problem")
    func defaultFieldsAndErrors() throws {
        let directory = try TemporaryDirectory()
        let reader = try Self.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        #expect(try searcher.count(.term(field: nil, text: "fox")) == 3)
        #expect(try searcher.count(.term(field: nil, text: "")) == 0)
        #expect(throws: SearchError.unknownField("nope")) { try searcher.count(.term(field: "nope", text: "x")) }
        #expect(throws: SearchError.fieldNotSearchable("price", type: "int64")) {
            try searcher.count(.term(field: "price", text: "1"))
        }
        #expect(throws: SearchError.unknownField("x")) { try IndexSearcher(reader: reader, defaultFields: [("x", 1)]) }
    }

    @Test("a prefix matches every term starting with the folded prefix and scores its boost")
    func prefix() throws {
        let directory = try TemporaryDirectory()
        let reader = try Self.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        // "qu" → quick (d0, d2); "Do" folds to "do" → dog (d1, d2); "the" → the (d0, d1, d2).
        let hits = try Self.scores(searcher.search(.prefix(field: "body", prefix: "qu"), limit: 10), reader)
        #expect(hits == ["d0": 1, "d2": 1])
        #expect(try searcher.count(.prefix(field: nil, prefix: "Do")) == 2)
        let boosted = try searcher.search(.boost(.prefix(field: "body", prefix: "l"), 2.5), limit: 10)
        #expect(boosted.hits.map(\.score) == [2.5], "lazy, in d1")
        #expect(try searcher.count(.prefix(field: "body", prefix: "zz")) == 0)
        #expect(try searcher.count(.prefix(field: "tag", prefix: "a")) == 2)
    }

    @Test("a prefix expanding past the cap fails with a clear error")
    func prefixCap() throws {
        let directory = try TemporaryDirectory()
        let words = (0...QueryCompiler.maximumExpansions).map { "p\($0)" }.joined(separator: " ")
        let reader = try SearchFixtures.index(
            in: directory, batches: [[SearchFixtures.document("d", body: words)]])
        let searcher = IndexSearcher(reader: reader)
        #expect(throws: SearchError.tooManyExpansions(query: "prefix \"p\" on body", limit: 1024)) {
            try searcher.count(.prefix(field: "body", prefix: "p"))
        }
    }

    @Test("a fuzzy term matches terms within its edits (by length when not given) and scores its boost")
    func fuzzy() throws {
        let directory = try TemporaryDirectory()
        let reader = try Self.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        let quack = try Self.scores(
            searcher.search(.fuzzy(field: "body", text: "Quack", maximumEdits: nil), limit: 10), reader)
        #expect(quack == ["d0": 1, "d2": 1], "5 characters allow one edit: quick")
        #expect(try searcher.count(.fuzzy(field: "body", text: "fix", maximumEdits: nil)) == 0, "short: exact only")
        #expect(try searcher.count(.fuzzy(field: "body", text: "fix", maximumEdits: 1)) == 3, "fox")
        let dog = try searcher.count(.fuzzy(field: nil, text: "dgo", maximumEdits: 2))
        #expect(dog == 2, "dog: a transposition is two edits")
        #expect(
            FuzzyTermWalkTests.levenshtein(FuzzyTermWalkTests.scalars("kitten"), FuzzyTermWalkTests.scalars("sitting"))
                == 3, "the oracle itself")
    }
}
