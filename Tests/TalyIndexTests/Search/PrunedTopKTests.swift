import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("pruned top-k equals the exhaustive oracle", .serialized)
struct PrunedTopKTests {
    static let vocabulary = (0..<60).map { "w\($0)" }

    /// A word with Zipf-like frequencies: word i is drawn with probability ∝ 1 / (i + 1).
    static func word(_ random: inout SplitMix64) -> String {
        let weights = vocabulary.indices.map { 1.0 / Double($0 + 1) }
        var pick = Double.random(in: 0..<weights.reduce(0, +), using: &random)
        for (index, weight) in weights.enumerated() {
            pick -= weight
            if pick < 0 { return vocabulary[index] }
        }
        return vocabulary[vocabulary.count - 1]
    }

    /// Documents of 1 to 8, 9 to 40 or 41 to 300 words (lengths past 24 exercise quantized norms).
    static func corpus(_ random: inout SplitMix64, segments: Int, perSegment: ClosedRange<Int>) -> [[Document]] {
        var next = 0
        return (0..<segments).map { _ in
            (0..<Int.random(in: perSegment, using: &random)).map { _ in
                let length =
                    switch Int.random(in: 0..<10, using: &random) {
                    case 0..<4: Int.random(in: 1...8, using: &random)
                    case 4..<9: Int.random(in: 9...40, using: &random)
                    default: Int.random(in: 41...300, using: &random)
                    }
                let body = (0..<length).map { _ in word(&random) }.joined(separator: " ")
                let title = (0..<Int.random(in: 0...3, using: &random)).map { _ in word(&random) }
                defer { next += 1 }
                var document = SearchFixtures.document(
                    "doc\(next)", body: body, title: title.isEmpty ? nil : title.joined(separator: " "))
                FilterFixtures.addColumns(to: &document, &random)
                return document
            }
        }
    }

    static func leaf(_ random: inout SplitMix64) -> Query {
        let field: String? = Int.random(in: 0..<5, using: &random) == 0 ? nil : "body"
        var query: Query =
            Int.random(in: 0..<8, using: &random) == 0
            ? .phrase(
                field: field, text: "\(word(&random)) \(word(&random))", slop: Int.random(in: 0...2, using: &random))
            : .term(field: field, text: word(&random))
        if Int.random(in: 0..<4, using: &random) == 0 {
            query = .boost(query, [0.5, 1.5, 2, 3.25].randomElement(using: &random)!)
        }
        return query
    }

    /// 1–5 leaves as should, must or mustNot clauses (or a single leaf).
    static func query(_ random: inout SplitMix64) -> Query {
        let count = Int.random(in: 1...5, using: &random)
        if count == 1 && Bool.random(using: &random) { return leaf(&random) }
        var must: [Query] = []
        var should: [Query] = []
        var mustNot: [Query] = []
        let shape = Int.random(in: 0..<4, using: &random)
        for _ in 0..<count {
            let clause = leaf(&random)
            switch (shape, Int.random(in: 0..<10, using: &random)) {
            case (0, _): should.append(clause)
            case (1, _): must.append(clause)
            case (_, 0..<2): mustNot.append(clause)
            case (2, _): should.append(clause)
            default: if Bool.random(using: &random) { must.append(clause) } else { should.append(clause) }
            }
        }
        if must.isEmpty && should.isEmpty { should.append(leaf(&random)) }
        return .boolean(must: must, should: should, mustNot: mustNot, filter: [], minimumShouldMatch: 1)
    }

    static func boosted(_ query: Query, _ random: inout SplitMix64) -> Query {
        Int.random(in: 0..<4, using: &random) == 0
            ? .boost(query, [0.5, 1.5, 2, 3.25].randomElement(using: &random)!) : query
    }

    /// A conjunction whose required clauses include a disjunction of terms: `+(a b) +c`, `+(a b c) +d -e`,
    /// boosts on terms and on whole disjunctions, sometimes a second disjunction or an optional term, and
    /// now and then a field-less term (a disjunction over the default fields, nested once more).
    static func conjunctionOfDisjunctions(_ random: inout SplitMix64) -> Query {
        func term(_ random: inout SplitMix64) -> Query {
            let field: String? = Int.random(in: 0..<10, using: &random) == 0 ? nil : "body"
            return boosted(.term(field: field, text: word(&random)), &random)
        }
        func disjunction(_ random: inout SplitMix64) -> Query {
            let terms = (0..<Int.random(in: 2...3, using: &random)).map { _ in term(&random) }
            return boosted(
                .boolean(must: [], should: terms, mustNot: [], filter: [], minimumShouldMatch: 1), &random)
        }
        var must = [disjunction(&random)]
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            must.append(Int.random(in: 0..<4, using: &random) == 0 ? disjunction(&random) : term(&random))
        }
        must.shuffle(using: &random)
        let should = (0..<Int.random(in: 0...1, using: &random)).map { _ in term(&random) }
        let mustNot = (0..<Int.random(in: 0...1, using: &random)).map { _ in term(&random) }
        return .boolean(must: must, should: should, mustNot: mustNot, filter: [], minimumShouldMatch: 1)
    }

    static func check(
        seed: UInt64, segments: Int, perSegment: ClosedRange<Int>, queries: Int,
        query: (inout SplitMix64) -> Query = query,
        corpus: (inout SplitMix64, Int, ClosedRange<Int>) -> [[Document]] = {
            corpus(&$0, segments: $1, perSegment: $2)
        }
    ) throws {
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let batches = corpus(&random, segments, perSegment)
        let total = batches.reduce(0) { $0 + $1.count }
        let deletes = (0..<total / 20).map { _ in "doc\(Int.random(in: 0..<total, using: &random))" }
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: deletes)
        let searcher = IndexSearcher(reader: reader)
        for round in 0..<queries {
            let query = query(&random)
            // Every other round filtered: the filter is a required clause that must not change scores.
            let filter = round % 2 == 0 ? nil : FilterFixtures.filter(&random)
            for limit in [1, 10, 100, 1000] {
                let request = SearchRequest(query: query, filter: filter, limit: limit, countTotal: true)
                var exhaustive = request
                exhaustive.strategy = .exhaustive
                let oracle = try searcher.search(exhaustive)
                var uncounted = request
                uncounted.countTotal = false
                let pruned = try searcher.search(uncounted)
                #expect(
                    pruned.hits == oracle.hits,
                    "seed \(seed) round \(round) k \(limit) query \(query) filter \(String(describing: filter)): \(pruned.hits.prefix(3)) vs \(oracle.hits.prefix(3))"
                )
                if pruned.hits != oracle.hits { return }
                if limit == 10 {
                    #expect(
                        try searcher.count(query, filter: filter) == oracle.totalCount,
                        "seed \(seed) round \(round) \(query) \(String(describing: filter))")
                    #expect(
                        try searcher.search(request) == oracle,
                        "top-k with count, seed \(seed) round \(round) \(query) \(String(describing: filter))")
                }
            }
        }
    }

    @Test("random corpora (several segments, deletes, Zipf terms) and random boolean queries")
    func randomized() throws {
        let seed = SplitMix64.testSeed()
        print("PrunedTopKTests.randomized seed \(seed)")
        try Self.check(seed: seed, segments: 3, perSegment: 300...900, queries: 60)
        if TestEnvironment.longTests {
            for round in 1...20 {
                try Self.check(seed: seed &+ UInt64(round), segments: 5, perSegment: 100...2000, queries: 100)
            }
        }
    }

    @Test("conjunctions of disjunctions (+(a b) +c, +(a b c) +d -e, nested boosts)")
    func conjunctionsOfDisjunctions() throws {
        let seed = SplitMix64.testSeed()
        print("PrunedTopKTests.conjunctionsOfDisjunctions seed \(seed)")
        try Self.check(
            seed: seed, segments: 3, perSegment: 300...900, queries: 60, query: Self.conjunctionOfDisjunctions)
        if TestEnvironment.longTests {
            for round in 1...20 {
                try Self.check(
                    seed: seed &+ UInt64(round), segments: 5, perSegment: 100...2000, queries: 100,
                    query: Self.conjunctionOfDisjunctions)
            }
        }
    }

    /// A conjunction led by a rare term beside frequent ones (`+w45 +w0 +w2`), sometimes with an optional or
    /// an excluded term: the lead's block bound plus the others' whole-list bounds decides most windows, so
    /// long segments (lists of many blocks) exercise both the cheap and the full window bounds.
    static func rareLeadConjunction(_ random: inout SplitMix64) -> Query {
        let rare = vocabulary[Int.random(in: 30..<vocabulary.count, using: &random)]
        var must: [Query] = [boosted(.term(field: "body", text: rare), &random)]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            must.append(boosted(.term(field: "body", text: vocabulary[Int.random(in: 0..<6, using: &random)]), &random))
        }
        must.shuffle(using: &random)
        let should = (0..<Int.random(in: 0...1, using: &random)).map { _ in
            Query.term(field: "body", text: word(&random))
        }
        let mustNot = (0..<Int.random(in: 0...1, using: &random)).map { _ in
            Query.term(field: "body", text: word(&random))
        }
        return .boolean(must: must, should: should, mustNot: mustNot, filter: [], minimumShouldMatch: 1)
    }

    @Test("conjunctions led by a rare term beside frequent ones, over lists of many blocks")
    func rareLeadConjunctions() throws {
        let seed = SplitMix64.testSeed()
        print("PrunedTopKTests.rareLeadConjunctions seed \(seed)")
        try Self.check(
            seed: seed, segments: 2, perSegment: 2000...4000, queries: 40, query: Self.rareLeadConjunction)
        if TestEnvironment.longTests {
            for round in 1...10 {
                try Self.check(
                    seed: seed &+ UInt64(round), segments: 3, perSegment: 1000...6000, queries: 60,
                    query: Self.rareLeadConjunction)
            }
        }
    }

    /// Short documents where `w0`, `w1`, `w2` are on most documents (1 to 3 times) and `r0`, `r1` on a few
    /// percent: document frequencies 12 to 45 times apart, so a conjunction led by `r0` or `r1` bounds its
    /// frequent clauses by their whole lists (a lead 16 times rarer than them) over several lead blocks.
    static func skewedCorpus(_ random: inout SplitMix64, segments: Int, perSegment: ClosedRange<Int>) -> [[Document]] {
        var next = 0
        return (0..<segments).map { _ in
            (0..<Int.random(in: perSegment, using: &random)).map { _ in
                var words: [String] = []
                for (word, chance) in [("w0", 0.9), ("w1", 0.7), ("w2", 0.5), ("r0", 0.04), ("r1", 0.02)]
                where Double.random(in: 0..<1, using: &random) < chance {
                    words += Array(repeating: word, count: Int.random(in: 1...3, using: &random))
                }
                words += (0..<Int.random(in: 0...12, using: &random)).map { _ in word(&random) }
                words.shuffle(using: &random)
                defer { next += 1 }
                var document = SearchFixtures.document("doc\(next)", body: words.joined(separator: " "), title: nil)
                FilterFixtures.addColumns(to: &document, &random)
                return document
            }
        }
    }

    /// `+r0 +w0 +w1`-like conjunctions over ``skewedCorpus(_:segments:perSegment:)``, with boosts, sometimes an
    /// optional or an excluded term.
    static func skewedConjunction(_ random: inout SplitMix64) -> Query {
        var must: [Query] = [boosted(.term(field: "body", text: ["r0", "r1"].randomElement(using: &random)!), &random)]
        for word in ["w0", "w1", "w2"].shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)) {
            must.append(boosted(.term(field: "body", text: word), &random))
        }
        must.shuffle(using: &random)
        let should = (0..<Int.random(in: 0...1, using: &random)).map { _ in
            Query.term(field: "body", text: word(&random))
        }
        let mustNot = (0..<Int.random(in: 0...1, using: &random)).map { _ in
            Query.term(field: "body", text: word(&random))
        }
        return .boolean(must: must, should: should, mustNot: mustNot, filter: [], minimumShouldMatch: 1)
    }

    @Test("conjunctions whose frequent clauses are bounded by their whole lists (a lead 16 times rarer)")
    func denseClauses() throws {
        let seed = SplitMix64.testSeed()
        print("PrunedTopKTests.denseClauses seed \(seed)")
        try Self.check(
            seed: seed, segments: 2, perSegment: 5000...7000, queries: 30, query: Self.skewedConjunction,
            corpus: { Self.skewedCorpus(&$0, segments: $1, perSegment: $2) })
        if TestEnvironment.longTests {
            for round in 1...10 {
                try Self.check(
                    seed: seed &+ UInt64(round), segments: 3, perSegment: 3000...9000, queries: 40,
                    query: Self.skewedConjunction, corpus: { Self.skewedCorpus(&$0, segments: $1, perSegment: $2) })
            }
        }
    }

    /// One term of the body, frequent or rare, sometimes boosted or excluding another (as an optional or a required
    /// clause): a lone term's top-k scores its blocks one at a time, so long segments give it lists of many blocks.
    static func singleTerm(_ random: inout SplitMix64) -> Query {
        let term = boosted(.term(field: "body", text: word(&random)), &random)
        if Int.random(in: 0..<4, using: &random) > 0 { return term }
        // `term -other` and `+term -other` take different routes to the same algorithm.
        let required = Bool.random(using: &random)
        return .boolean(
            must: required ? [term] : [], should: required ? [] : [term],
            mustNot: [.term(field: "body", text: word(&random))], filter: [], minimumShouldMatch: required ? 0 : 1)
    }

    @Test("single terms over lists of many blocks")
    func singleTerms() throws {
        let seed = SplitMix64.testSeed()
        print("PrunedTopKTests.singleTerms seed \(seed)")
        try Self.check(seed: seed, segments: 2, perSegment: 2000...4000, queries: 30, query: Self.singleTerm)
        if TestEnvironment.longTests {
            for round in 1...10 {
                try Self.check(
                    seed: seed &+ UInt64(round), segments: 3, perSegment: 1000...6000, queries: 40,
                    query: Self.singleTerm)
            }
        }
    }

    @Test("a count limit leaves the hits alone; counts below it are exact, the others lower bounds")
    func countLimit() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let batches = Self.corpus(&random, segments: 3, perSegment: 200...400)
        let total = batches.reduce(0) { $0 + $1.count }
        let deletes = (0..<total / 20).map { _ in "doc\(Int.random(in: 0..<total, using: &random))" }
        let searcher = IndexSearcher(
            reader: try SearchFixtures.index(in: directory, batches: batches, deletes: deletes))
        var stopped = 0
        for round in 0..<60 {
            let query = round % 3 == 0 ? Self.leaf(&random) : Self.query(&random)
            let filter = round % 2 == 0 ? nil : FilterFixtures.filter(&random)
            let exact = try searcher.search(SearchRequest(query: query, filter: filter, limit: 10, countTotal: true))
            let exactCount = try #require(exact.totalCount)
            for limit in [1, 7, 60, 400, 5000] {
                var request = SearchRequest(query: query, filter: filter, limit: 10, countTotal: true)
                request.totalCountLimit = limit
                let capped = try searcher.search(request)
                let count = try #require(capped.totalCount)
                let context = "seed \(seed) round \(round) limit \(limit) \(query) \(String(describing: filter))"
                #expect(capped.hits == exact.hits, "\(context)")
                if exactCount < limit {
                    #expect(count == exactCount, "\(context)")
                } else {
                    #expect(count >= limit && count <= exactCount, "\(context): \(count) of \(exactCount)")
                    if count < exactCount { stopped += 1 }
                }
            }
        }
        // The limit must actually end some counts early, or this test checks nothing.
        #expect(stopped > 0, "seed \(seed)")
    }

    @Test("k = 0 returns nothing; a limit above the matches returns them all")
    func limits() throws {
        var random = SplitMix64(seed: 7)
        let directory = try TemporaryDirectory()
        let reader = try SearchFixtures.index(
            in: directory, batches: Self.corpus(&random, segments: 2, perSegment: 50...50))
        let searcher = IndexSearcher(reader: reader)
        let query = Query.term(field: "body", text: "w0")
        #expect(try searcher.search(query, limit: 0).hits.isEmpty)
        #expect(try searcher.search(query, limit: 1000).hits.count == searcher.count(query))
    }
}
