import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("facet value search counts what a brute-force count over the documents counts", .serialized)
struct FacetValueSearchTests {
    /// Prefixes that hit one value, several, every value, none, and bytes between values.
    static let prefixes = ["", "b", "bl", "black", "blacks", "r", "x", "x ", "1", "q", "Z", "z", "ä", "a", "e"]

    /// The expected answer, from the documents the request accepts.
    static func expected(_ request: FacetValueSearchRequest, over documents: [Document]) -> FacetValueSearchResponse {
        var counts: [String: Int] = [:]
        for document in documents {
            guard case .keyword(let values)? = document[request.field] else { continue }
            for value in Set(values) where value.utf8.starts(with: request.prefix.utf8) {
                counts[value, default: 0] += 1
            }
        }
        let sorted = counts.map { FacetValueCount(value: $0.key, count: $0.value) }.sorted { a, b in
            a.count != b.count ? a.count > b.count : Array(a.value.utf8).lexicographicallyPrecedes(Array(b.value.utf8))
        }
        return FacetValueSearchResponse(values: Array(sorted.prefix(request.limit)), matchingValues: sorted.count)
    }

    @Test("random prefixes, queries, filters and selections on random corpora with multi-valued fields and deletes")
    func randomized() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let (batches, deletes) = FilterFixtures.corpus(&random, segments: 3, perSegment: 30...300)
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: Array(deletes))
        let live = FilterFixtures.live(batches, deletes: deletes)
        let searcher = IndexSearcher(reader: reader)
        for round in 0..<(TestEnvironment.longTests ? 1000 : 200) {
            let word = Bool.random(using: &random) ? PrunedTopKTests.word(&random) : nil
            let query: Query = word.map { .term(field: "body", text: $0) } ?? .matchAll
            let filter = Bool.random(using: &random) ? FilterFixtures.filter(&random, depth: 2) : nil
            let selections = FacetTests.selections(&random)
            let field = Bool.random(using: &random) ? "tag" : "tags"
            let request = FacetValueSearchRequest(
                field: field, prefix: Self.prefixes.randomElement(using: &random)!, query: query, filter: filter,
                selections: selections, limit: Int.random(in: 0...8, using: &random))
            let response = try searcher.searchFacetValues(request)
            let counted = live.filter { document in
                if let word {
                    guard case .text(let body)? = document["body"], body.split(separator: " ").contains(Substring(word))
                    else { return false }
                }
                guard filter.map({ FilterFixtures.matches($0, document) }) ?? true else { return false }
                return selections.allSatisfy { $0.field == field || FilterFixtures.matches($0.filter, document) }
            }
            let expected = Self.expected(request, over: counted)
            #expect(response == expected, "seed \(seed) round \(round) request \(request)")
            if response != expected { return }
        }
    }

    @Test("hand-checked: a prefix picks a contiguous run of the dictionary, counts follow the query")
    func handChecked() throws {
        let directory = try TemporaryDirectory()
        func document(_ id: String, body: String, colors: [String]) -> Document {
            var document = SearchFixtures.document(id, body: body)
            document["tags"] = .keyword(colors)
            return document
        }
        let reader = try SearchFixtures.index(
            in: directory,
            batches: [
                [
                    document("1", body: "w1", colors: ["black", "blue"]),
                    document("2", body: "w1 w2", colors: ["blue"]),
                ],
                [document("3", body: "w2", colors: ["blank", "red"]), document("4", body: "w1", colors: ["bl"])],
            ], deletes: ["4"])
        let searcher = IndexSearcher(reader: reader)
        let all = try searcher.searchFacetValues(FacetValueSearchRequest(field: "tags", prefix: "bl"))
        #expect(
            all.values == [
                FacetValueCount(value: "blue", count: 2), FacetValueCount(value: "black", count: 1),
                FacetValueCount(value: "blank", count: 1),
            ])
        #expect(all.matchingValues == 3)
        let w2 = try searcher.searchFacetValues(
            FacetValueSearchRequest(field: "tags", prefix: "bl", query: .term(field: "body", text: "w2"), limit: 1))
        #expect(w2.values == [FacetValueCount(value: "blank", count: 1)])
        #expect(w2.matchingValues == 2)
        #expect(throws: SearchError.self) {
            try searcher.searchFacetValues(FacetValueSearchRequest(field: "body", prefix: "w"))
        }
    }
}
