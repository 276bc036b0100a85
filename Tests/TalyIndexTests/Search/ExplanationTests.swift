import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("score explanations", .serialized)
struct ExplanationTests {
    /// A term, phrase (slop 0–2), prefix or fuzzy leaf on body, title or the default fields, sometimes boosted.
    static func leaf(_ random: inout SplitMix64) -> Query {
        let field: String? = [nil, "body", "title"].randomElement(using: &random)!
        var query: Query
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<2:
            query = .phrase(
                field: field, text: "\(PrunedTopKTests.word(&random)) \(PrunedTopKTests.word(&random))",
                slop: Int.random(in: 0...2, using: &random))
        case 2: query = .prefix(field: field, prefix: String(PrunedTopKTests.word(&random).prefix(2)))
        case 3: query = .fuzzy(field: field, text: PrunedTopKTests.word(&random), maximumEdits: 1)
        default: query = .term(field: field, text: PrunedTopKTests.word(&random))
        }
        if Int.random(in: 0..<4, using: &random) == 0 {
            query = .boost(query, [0.5, 1.5, 2, 3.25].randomElement(using: &random)!)
        }
        return query
    }

    /// 1–5 leaves as must, should, mustNot or filter clauses, or a single leaf.
    static func query(_ random: inout SplitMix64) -> Query {
        let count = Int.random(in: 1...5, using: &random)
        if count == 1 && Bool.random(using: &random) { return leaf(&random) }
        var clauses: [[Query]] = [[], [], [], []]
        for _ in 0..<count {
            clauses[[0, 1, 1, 1, 2, 3].randomElement(using: &random)!].append(leaf(&random))
        }
        if clauses[0].isEmpty && clauses[1].isEmpty { clauses[1].append(leaf(&random)) }
        return .boolean(
            must: clauses[0], should: clauses[1], mustNot: clauses[2], filter: clauses[3],
            minimumShouldMatch: Int.random(in: 0...2, using: &random))
    }

    /// Every `sum of:` node equals the Float of the Double sum of its details, recursively.
    static func sumsAdd(_ explanation: Explanation) -> Bool {
        if explanation.description == "sum of:" {
            let sum = explanation.details.reduce(0.0) { $0 + Double($1.value) }
            if Float(sum) != explanation.value { return false }
        }
        return explanation.details.allSatisfy(sumsAdd)
    }

    static func check(seed: UInt64, queries: Int) throws {
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let batches = PrunedTopKTests.corpus(&random, segments: 3, perSegment: 100...400)
        let total = batches.reduce(0) { $0 + $1.count }
        let deletes = (0..<total / 20).map { _ in "doc\(Int.random(in: 0..<total, using: &random))" }
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: deletes)
        let searchers = [
            IndexSearcher(reader: reader),
            try IndexSearcher(reader: reader, defaultFields: [("title", 2.5), ("body", 0.75)]),
        ]
        var explained = 0
        for round in 0..<queries {
            let query = query(&random)
            let searcher = searchers[round % 2]
            let hits = try searcher.search(query, limit: total).hits
            for hit in hits.prefix(150) {
                let explanation = try searcher.explain(query, hit: hit)
                #expect(explanation.isMatch, "seed \(seed) round \(round) \(query) \(hit)")
                #expect(
                    explanation.value == hit.score,
                    "seed \(seed) round \(round) \(query) \(hit): \(explanation.formatted())")
                #expect(Self.sumsAdd(explanation), "seed \(seed) round \(round) \(explanation.formatted())")
                if explanation.value != hit.score { return }
                explained += 1
            }
            // Documents outside the hits (live or deleted) do not match.
            let matched = Set(hits.map { [$0.segment, Int($0.document)] })
            for _ in 0..<20 {
                let segment = Int.random(in: 0..<reader.segments.count, using: &random)
                let document = UInt32.random(in: 0..<reader.segments[segment].documentCount, using: &random)
                guard !matched.contains([segment, Int(document)]) else { continue }
                let explanation = try searcher.explain(query, segment: segment, document: document)
                #expect(
                    !explanation.isMatch && explanation.value == 0,
                    "seed \(seed) round \(round) \(query) segment \(segment) doc \(document): \(explanation.formatted())"
                )
            }
        }
        #expect(explained > queries, "seed \(seed): the queries should match documents")
    }

    @Test("the root value equals the hit's score exactly, for every hit of random queries; non-hits do not match")
    func randomized() throws {
        let seed = SplitMix64.testSeed()
        try Self.check(seed: seed, queries: 80)
        if TestEnvironment.longTests {
            for round in 1...10 { try Self.check(seed: seed &+ UInt64(round), queries: 300) }
        }
    }

    /// Finds the first node (depth first) whose description starts with `prefix`.
    static func node(_ explanation: Explanation, _ prefix: String) -> Explanation? {
        if explanation.description.hasPrefix(prefix) { return explanation }
        for detail in explanation.details {
            if let found = node(detail, prefix) { return found }
        }
        return nil
    }

    @Test("a term's explanation shows n, N, freq, dl, avgdl, k1, b and the boost (hand-checked index)")
    func termParts() throws {
        let directory = try TemporaryDirectory()
        let reader = try BM25ScoringTests.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        let query = Query.boost(.term(field: "body", text: "quick"), 2)
        // d2 = "quick quick fox jumps over the dog": freq 2, dl 7; quick is in 2 of 4 bodies, avgdl 15 / 4.
        let hit = try #require(searcher.search(query, limit: 10).hits.first)
        #expect(try SearchFixtures.id(of: hit, in: reader) == "d2")
        let explanation = try searcher.explain(query, hit: hit)
        #expect(explanation.value == hit.score)
        #expect(explanation.description.contains("body:quick"))
        #expect(Self.node(explanation, "boost")?.value == 2)
        #expect(Self.node(explanation, "n,")?.value == 2)
        #expect(Self.node(explanation, "N,")?.value == 4)
        #expect(Self.node(explanation, "freq,")?.value == 2)
        #expect(Self.node(explanation, "dl,")?.value == 7)
        #expect(Self.node(explanation, "avgdl,")?.value == 3.75)
        #expect(Self.node(explanation, "k1,")?.value == 1.2)
        #expect(Self.node(explanation, "b,")?.value == 0.75)
        let idf = try #require(Self.node(explanation, "idf"))
        let textbook = BM25ScoringTests.expected(
            frequency: 2, length: 7, idf: BM25ScoringTests.idf(2, 4), averageLength: 3.75, boost: 2)
        #expect(abs(Double(idf.value) - BM25ScoringTests.idf(2, 4)) < 1e-6)
        #expect(abs(Double(explanation.value) - textbook) < 1e-5 * textbook)
    }

    @Test("a phrase sums its terms' idfs; a boolean sums its matching clauses; non-matches say why")
    func shapes() throws {
        let directory = try TemporaryDirectory()
        let reader = try BM25ScoringTests.reader(directory)
        let searcher = IndexSearcher(reader: reader)
        let phrase = Query.phrase(field: "body", text: "quick fox", slop: 0)
        // Only d2 ("quick quick fox jumps over the dog") has the words adjacent.
        let hits = try searcher.search(phrase, limit: 10).hits
        #expect(hits.count == 1)
        for hit in hits {
            let explanation = try searcher.explain(phrase, hit: hit)
            #expect(explanation.value == hit.score)
            let idf = try #require(Self.node(explanation, "idf, sum of:"))
            #expect(idf.details.count == 2)
            #expect(idf.value == Float(idf.details.reduce(0.0) { $0 + Double($1.value) }))
        }
        let boolean = Query.boolean(
            must: [.term(field: "body", text: "fox")], should: [.term(field: "body", text: "quick")],
            mustNot: [.term(field: "body", text: "jumps")], filter: [], minimumShouldMatch: 0)
        for hit in try searcher.search(boolean, limit: 10).hits {
            let explanation = try searcher.explain(boolean, hit: hit)
            #expect(explanation.value == hit.score && explanation.description == "sum of:")
        }
        // d2 has "jumps" (prohibited), d1 has no "fox" (required).
        let segment = reader.segments[0]
        let prohibited = try searcher.explain(boolean, segment: 0, document: segment.documents(withID: "d2")[0])
        #expect(!prohibited.isMatch && prohibited.value == 0 && prohibited.description.contains("prohibited"))
        let missing = try searcher.explain(boolean, segment: 0, document: segment.documents(withID: "d1")[0])
        #expect(!missing.isMatch && missing.value == 0 && missing.description.contains("required"))
        let absent = try searcher.explain(.term(field: "body", text: "zebra"), segment: 0, document: 0)
        #expect(!absent.isMatch && absent.value == 0)
    }
}
