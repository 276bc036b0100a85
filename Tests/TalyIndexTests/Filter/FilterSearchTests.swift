import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("filters select exactly the documents a brute-force evaluation selects", .serialized)
struct FilterSearchTests {
    @Test("random filters on random corpora (multi-valued fields, missing values, deletes) match brute force")
    func randomFilters() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let (batches, deletes) = FilterFixtures.corpus(&random, segments: 3, perSegment: 50...400)
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: Array(deletes))
        let live = FilterFixtures.live(batches, deletes: deletes)
        let searcher = IndexSearcher(reader: reader)
        let rounds = TestEnvironment.longTests ? 2000 : 300
        for round in 0..<rounds {
            let filter = FilterFixtures.filter(&random)
            let expected = Set(live.filter { FilterFixtures.matches(filter, $0) }.map(FilterFixtures.id))
            let response = try searcher.search(
                SearchRequest(query: .matchAll, filter: filter, limit: live.count + 1, countTotal: true))
            let found = Set(try response.hits.map { try SearchFixtures.id(of: $0, in: reader) })
            let wrong = found.symmetricDifference(expected)
            #expect(wrong.isEmpty, "seed \(seed) round \(round) filter \(filter): wrong \(wrong.sorted().prefix(5))")
            #expect(response.totalCount == expected.count, "seed \(seed) round \(round) filter \(filter)")
            #expect(try searcher.count(.matchAll, filter: filter) == expected.count, "seed \(seed) round \(round)")
            // A term query with the filter: brute force from the stored body words.
            let word = PrunedTopKTests.word(&random)
            let withWord = live.filter { document in
                guard case .text(let body)? = document["body"] else { return false }
                return body.split(separator: " ").contains { $0 == word } && FilterFixtures.matches(filter, document)
            }
            #expect(
                try searcher.count(.term(field: "body", text: word), filter: filter) == withWord.count,
                "seed \(seed) round \(round) term \(word) filter \(filter)")
            if found != expected { return }
        }
    }

    @Test("the lazy per-document check accepts exactly the documents of the bulk evaluation")
    func lazyEqualsBulk() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let (batches, deletes) = FilterFixtures.corpus(&random, segments: 2, perSegment: 50...300)
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: Array(deletes))
        for round in 0..<200 {
            let filter = FilterFixtures.filter(&random)
            let plan = try FilterPlan(filter, schema: reader.schema)
            for segment in reader.segments {
                let bulk = plan.matchingDocuments(in: segment)
                let all = DocBitSet.all(count: Int(segment.documentCount))
                let lazy = plan.matchingDocuments(in: segment, among: all)
                #expect(lazy == bulk, "seed \(seed) round \(round) filter \(filter)")
                if lazy != bulk { return }
            }
        }
    }

    @Test("hand-checked: missing values, != and NOT include documents without the field")
    func handChecked() throws {
        let directory = try TemporaryDirectory()
        func document(_ id: String, tag: String?, tags: [String], price: Int64?) -> Document {
            var document = SearchFixtures.document(id, body: "x", tag: tag)
            if !tags.isEmpty { document["tags"] = .keyword(tags) }
            if let price { document["price"] = .int64(price) }
            return document
        }
        let reader = try SearchFixtures.index(
            in: directory,
            batches: [
                [
                    document("1", tag: "books", tags: ["a", "b c"], price: 10),
                    document("2", tag: "books", tags: [], price: 5),
                    document("3", tag: nil, tags: ["a"], price: nil),
                ],
                [
                    document("4", tag: "films", tags: ["b"], price: 20),
                    document("5", tag: "books", tags: ["a"], price: 30),
                ],
            ], deletes: ["5"])
        let searcher = IndexSearcher(reader: reader)
        let parser = FilterParser(schema: reader.schema)
        func ids(_ text: String) throws -> [String] {
            let response = try searcher.search(SearchRequest(filter: try parser.parse(text), limit: 10))
            return try response.hits.map { try SearchFixtures.id(of: $0, in: reader) }.sorted()
        }
        #expect(try ids("tag = books") == ["1", "2"])
        #expect(try ids("tag != books") == ["3", "4"])
        #expect(try ids("NOT tag = books") == ["3", "4"])
        #expect(try ids("tags = a") == ["1", "3"])
        #expect(try ids("tags != a") == ["2", "4"])
        #expect(try ids("tags IN [b, \"b c\"]") == ["1", "4"])
        #expect(try ids("price > 5") == ["1", "4"])
        #expect(try ids("price 5 TO 10") == ["1", "2"])
        #expect(try ids("price >= 9.5 AND price < 10.5") == ["1"])
        #expect(try ids("price NOT EXISTS") == ["3"])
        #expect(try ids("tag = books AND (price >= 10 OR tags IN [a, \"b c\"]) AND NOT tag = films") == ["1"])
        #expect(try ids("tag < c") == ["1", "2"])
        #expect(try ids("tags IN []") == [])
        #expect(try searcher.count(.matchAll, filter: .oneOf(field: "tags", [])) == 0)
    }

    @Test("a filter never changes scores")
    func scoresUnchanged() throws {
        var random = SplitMix64(seed: 11)
        let directory = try TemporaryDirectory()
        let (batches, _) = FilterFixtures.corpus(&random, segments: 2, perSegment: 200...200)
        let reader = try SearchFixtures.index(in: directory, batches: batches)
        let searcher = IndexSearcher(reader: reader)
        let query = Query.any([.term(field: "body", text: "w1"), .term(field: "body", text: "w3")])
        let all = try searcher.search(query, limit: 1000).hits
        let filter = Filter.exists(field: "price")
        let filtered = try searcher.search(SearchRequest(query: query, filter: filter, limit: 1000)).hits
        let scores = Dictionary(uniqueKeysWithValues: all.map { (SearchFixtures.Address($0), $0.score) })
        #expect(!filtered.isEmpty && filtered.count < all.count)
        for hit in filtered { #expect(scores[SearchFixtures.Address(hit)] == hit.score) }
    }

    @Test("filters on fields the schema cannot filter are typed errors")
    func compileErrors() throws {
        var random = SplitMix64(seed: 3)
        let directory = try TemporaryDirectory()
        let (batches, _) = FilterFixtures.corpus(&random, segments: 1, perSegment: 5...5)
        let searcher = IndexSearcher(reader: try SearchFixtures.index(in: directory, batches: batches))
        func error(_ filter: Filter) -> SearchError? {
            do {
                _ = try searcher.count(.matchAll, filter: filter)
                return nil
            } catch { return error }
        }
        #expect(error(.exists(field: "color")) == .filter(FilterError(.unknownField("color"))))
        #expect(error(.exists(field: "body")) == .filter(FilterError(.fieldNotFilterable("body", type: "text"))))
        #expect(error(.exists(field: "id")) == .filter(FilterError(.fieldNotFilterable("id", type: "id"))))
        #expect(
            error(.equal(field: "price", .string("x")))
                == .filter(FilterError(.wrongValueType(field: "price", type: "int64", value: "\"x\""))))
        #expect(
            error(.equal(field: "tag", .integer(3)))
                == .filter(FilterError(.wrongValueType(field: "tag", type: "keyword", value: "3"))))
        #expect(error(.equal(field: "rating", .double(.nan))) == .filter(FilterError(.invalidValue("NaN"))))
    }
}
