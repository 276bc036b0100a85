import TalyTestSupport
import Testing

@testable import TalyIndex

/// The benchmark's nested and negated shapes (`+a b`, `+(a b) +c`, `+(a b c) +d -e`, `+a -b -c`, `a b -c` …) have their own
/// counting paths (disjunctions as skipping cursors inside conjunctions, exclusions advanced only to
/// candidates, `df − |a ∧ (b ∨ c)|`, a top-k that counts in the same pass): each is checked against a
/// brute-force evaluation of the generated documents' words, and its hits against the exhaustive oracle.
@Suite("nested and negated query shapes against brute force", .serialized)
struct QueryShapeTests {
    /// A boolean over body terms, with the brute-force predicate it stands for.
    struct Shape {
        var query: Query
        /// Whether a document with these words (as a set and in order) matches.
        var matches: (Set<String>, [String]) -> Bool
    }

    static func term(_ word: String) -> Query { .term(field: "body", text: word) }

    /// One of the shapes, over Zipf-drawn words (so both frequent and rare clauses occur).
    static func shape(_ random: inout SplitMix64) -> Shape {
        let (a, b, c, d) = (
            PrunedTopKTests.word(&random), PrunedTopKTests.word(&random), PrunedTopKTests.word(&random),
            PrunedTopKTests.word(&random)
        )
        let none: [Query] = []
        switch Int.random(in: 0..<14, using: &random) {
        case 0:  // +a b c: the optional clauses only score
            return Shape(
                query: .boolean(
                    must: [term(a)], should: [term(b), term(c)], mustNot: none, filter: none, minimumShouldMatch: 1),
                matches: { words, _ in words.contains(a) })
        case 1:  // +(a b) +c
            return Shape(
                query: .boolean(
                    must: [.any([term(a), term(b)]), term(c)], should: none, mustNot: none, filter: none,
                    minimumShouldMatch: 0),
                matches: { words, _ in (words.contains(a) || words.contains(b)) && words.contains(c) })
        case 2:  // +a -b -c
            return Shape(
                query: .boolean(
                    must: [term(a)], should: none, mustNot: [term(b), term(c)], filter: none, minimumShouldMatch: 0),
                matches: { words, _ in words.contains(a) && !words.contains(b) && !words.contains(c) })
        case 3:  // a b -c
            return Shape(
                query: .boolean(
                    must: none, should: [term(a), term(b)], mustNot: [term(c)], filter: none, minimumShouldMatch: 1),
                matches: { words, _ in (words.contains(a) || words.contains(b)) && !words.contains(c) })
        case 4:  // +a +b -c d
            return Shape(
                query: .boolean(
                    must: [term(a), term(b)], should: [term(d)], mustNot: [term(c)], filter: none, minimumShouldMatch: 1
                ),
                matches: { words, _ in words.contains(a) && words.contains(b) && !words.contains(c) })
        case 5:  // +(a b) -(c d)
            return Shape(
                query: .boolean(
                    must: [.any([term(a), term(b)])], should: none, mustNot: [.any([term(c), term(d)])], filter: none,
                    minimumShouldMatch: 0),
                matches: { words, _ in
                    (words.contains(a) || words.contains(b)) && !words.contains(c) && !words.contains(d)
                })
        case 6:  // +a -"b c": an exclusion that is not a term
            return Shape(
                query: .boolean(
                    must: [term(a)], should: none, mustNot: [.phrase(field: "body", text: "\(b) \(c)", slop: 0)],
                    filter: none, minimumShouldMatch: 0),
                matches: { words, sequence in words.contains(a) && !contains(sequence, phrase: [b, c]) })
        case 7:  // "a b c": an exact phrase, its starts narrowed term by term
            return Shape(
                query: .phrase(field: "body", text: "\(a) \(b) \(c)", slop: 0),
                matches: { _, sequence in contains(sequence, phrase: [a, b, c]) })
        case 8:  // +"a b" +c: a phrase inside a conjunction
            return Shape(
                query: .all([.phrase(field: "body", text: "\(a) \(b)", slop: 0), term(c)]),
                matches: { words, sequence in words.contains(c) && contains(sequence, phrase: [a, b]) })
        case 9:  // +"a b" +"c d" d: two two-phase clauses confirmed on agreed documents, an optional term
            return Shape(
                query: .boolean(
                    must: [
                        .phrase(field: "body", text: "\(a) \(b)", slop: 0),
                        .phrase(field: "body", text: "\(c) \(d)", slop: 0),
                    ], should: [term(d)], mustNot: none, filter: none, minimumShouldMatch: 1),
                matches: { _, sequence in contains(sequence, phrase: [a, b]) && contains(sequence, phrase: [c, d]) })
        case 10:  // +"a b" -c: a two-phase lead with an exclusion
            return Shape(
                query: .boolean(
                    must: [.phrase(field: "body", text: "\(a) \(b)", slop: 0)], should: none, mustNot: [term(c)],
                    filter: none, minimumShouldMatch: 0),
                matches: { words, sequence in !words.contains(c) && contains(sequence, phrase: [a, b]) })
        case 11:  // +c +"a b"~1 (boosted): a sloppy phrase inside a conjunction
            return Shape(
                query: .all([term(c), .boost(.phrase(field: "body", text: "\(a) \(b)", slop: 1), 2)]),
                matches: { words, sequence in words.contains(c) && contains(sequence, nearby: a, b, within: 1) })
        case 12:  // +(a b c)^2 +d -e: a boosted three-term disjunction in a conjunction, with an exclusion
            let e = PrunedTopKTests.word(&random)
            return Shape(
                query: .boolean(
                    must: [.boost(.any([term(a), term(b), term(c)]), 2), term(d)], should: none, mustNot: [term(e)],
                    filter: none, minimumShouldMatch: 0),
                matches: { words, _ in
                    (words.contains(a) || words.contains(b) || words.contains(c)) && words.contains(d)
                        && !words.contains(e)
                })
        default:  // +a +b (+c): a plain conjunction, counted in the top-k pass
            let three = Bool.random(using: &random)
            return Shape(
                query: .all(three ? [term(a), term(b), term(c)] : [term(a), term(b)]),
                matches: { words, _ in words.contains(a) && words.contains(b) && (!three || words.contains(c)) })
        }
    }

    /// The words of a document's body.
    static func words(_ document: Document) -> [String] {
        guard case .text(let body)? = document["body"] else { return [] }
        return body.split(separator: " ").map(String.init)
    }

    /// True when the two-term phrase `first second` occurs in `words` within `slop` moves (Lucene's sloppy
    /// phrase: `second`'s position minus one lies within `slop` of `first`'s; a repeated term may serve
    /// both, see ``PhraseScorer``).
    static func contains(_ words: [String], nearby first: String, _ second: String, within slop: Int) -> Bool {
        for (i, word) in words.enumerated() where word == first {
            for (j, other) in words.enumerated() where other == second && abs(j - i - 1) <= slop { return true }
        }
        return false
    }

    /// True when `phrase` (space-separated words) occurs in `words` at consecutive positions.
    static func contains(_ words: [String], phrase: [String]) -> Bool {
        guard words.count >= phrase.count else { return false }
        for start in 0...(words.count - phrase.count) where Array(words[start..<start + phrase.count]) == phrase {
            return true
        }
        return false
    }

    static func check(seed: UInt64, deletes deleting: Bool, queries: Int) throws {
        print("QueryShapeTests seed \(seed) deletes \(deleting)")
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let batches = PrunedTopKTests.corpus(&random, segments: 3, perSegment: 200...700)
        let documents = batches.flatMap { $0 }
        let deletes =
            deleting
            ? Set((0..<documents.count / 15).map { _ in "doc\(Int.random(in: 0..<documents.count, using: &random))" })
            : []
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: Array(deletes))
        let searcher = IndexSearcher(reader: reader)
        let live = documents.enumerated().filter { !deletes.contains("doc\($0.offset)") }.map(\.element)
        let wordLists = live.map(words)
        let wordSets = wordLists.map(Set.init)
        for round in 0..<queries {
            let shape = Self.shape(&random)
            let filter = round % 3 == 2 ? FilterFixtures.filter(&random) : nil
            var expected = 0
            for (position, document) in live.enumerated() where shape.matches(wordSets[position], wordLists[position]) {
                if let filter, !FilterFixtures.matches(filter, document) { continue }
                expected += 1
            }
            try compare(
                shape.query, expected: expected, filter: filter, searcher: searcher,
                context: "seed \(seed) round \(round) deletes \(deleting)")
        }
    }

    /// The count, and every top-k with its count, against `expected` and the exhaustive oracle.
    static func compare(_ query: Query, expected: Int, filter: Filter?, searcher: IndexSearcher, context: String) throws
    {
        let counted = try searcher.count(query, filter: filter)
        #expect(counted == expected, "\(context) count \(query) filter \(String(describing: filter))")
        for limit in [1, 10, 100] {
            let request = SearchRequest(query: query, filter: filter, limit: limit, countTotal: true)
            var exhaustive = request
            exhaustive.strategy = .exhaustive
            let oracle = try searcher.search(exhaustive)
            let pruned = try searcher.search(request)
            #expect(oracle.totalCount == expected, "\(context) oracle count k \(limit) \(query)")
            #expect(pruned == oracle, "\(context) k \(limit) \(query) filter \(String(describing: filter))")
        }
    }

    @Test("counts and top-k with counts of nested and negated shapes equal brute force (seed printed)")
    func randomized() throws {
        let seed = SplitMix64.testSeed()
        try Self.check(seed: seed, deletes: false, queries: 80)
        try Self.check(seed: seed &+ 1, deletes: true, queries: 80)
        if TestEnvironment.longTests {
            for round in 2...12 { try Self.check(seed: seed &+ UInt64(round), deletes: round % 2 == 0, queries: 150) }
        }
    }

    @Test("a page at an offset is the slice of the best offset + limit, by score and by a sort")
    func offsetPages() throws {
        let seed = SplitMix64.testSeed()
        print("QueryShapeTests.offsetPages seed \(seed)")
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let reader = try SearchFixtures.index(
            in: directory, batches: PrunedTopKTests.corpus(&random, segments: 2, perSegment: 200...400),
            deletes: ["doc3", "doc250"])
        let searcher = IndexSearcher(reader: reader)
        for round in 0..<40 {
            let query = PrunedTopKTests.query(&random)
            let sort: [SortKey] = round % 4 == 3 ? [.field("price")] : []
            let all = try searcher.search(SearchRequest(query: query, limit: 1000, countTotal: true, sort: sort))
            for (offset, limit) in [(0, 5), (3, 7), (10, 10), (all.hits.count, 5), (all.hits.count + 4, 3), (2, 0)] {
                let page = try searcher.search(
                    SearchRequest(query: query, limit: limit, countTotal: true, sort: sort, offset: offset))
                let expected = Array(all.hits.dropFirst(offset).prefix(limit))
                #expect(page.hits == expected, "seed \(seed) round \(round) offset \(offset) limit \(limit) \(query)")
                #expect(page.totalCount == all.totalCount, "seed \(seed) round \(round) \(query)")
            }
        }
    }
}
