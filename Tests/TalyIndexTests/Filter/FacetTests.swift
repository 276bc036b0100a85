import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("facets count exactly what a brute-force count over the documents counts", .serialized)
struct FacetTests {
    static let week = 7 * 86_400_000.0

    static func facets(_ random: inout SplitMix64) -> [FacetRequest] {
        func bound(_ field: String, _ random: inout SplitMix64) -> FilterBound? {
            Int.random(in: 0..<4, using: &random) == 0
                ? nil : FilterBound(FilterFixtures.value(for: field, &random), inclusive: Bool.random(using: &random))
        }
        let ranges = (0..<Int.random(in: 1...4, using: &random)).map { index in
            FacetRange("r\(index)", lower: bound("price", &random), upper: bound("price", &random))
        }
        return [
            .values(
                "tag", limit: Int.random(in: 1...8, using: &random),
                order: Bool.random(using: &random) ? .count : .value),
            .values("tags", limit: Int.random(in: 0...8, using: &random)),
            FacetRequest(field: "price", .ranges(ranges)),
            FacetRequest(field: "rating", .histogram(interval: [0.5, 1, 2.5].randomElement(using: &random)!)),
            FacetRequest(field: "published", .histogram(interval: week)),
            FacetRequest(field: "price", .stats),
        ]
    }

    static func selections(_ random: inout SplitMix64) -> [FacetSelection] {
        var selections: [FacetSelection] = []
        if Bool.random(using: &random) {
            let values = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                FilterFixtures.value(for: "tags", &random)
            }
            selections.append(FacetSelection(field: "tags", filter: .oneOf(field: "tags", values)))
        }
        if Bool.random(using: &random) {
            selections.append(
                FacetSelection(field: "tag", filter: .equal(field: "tag", FilterFixtures.value(for: "tag", &random))))
        }
        if Bool.random(using: &random) {
            let filter = Filter.range(
                field: "price", lower: FilterBound(FilterFixtures.value(for: "price", &random), inclusive: true),
                upper: nil)
            selections.append(FacetSelection(field: "price", filter: filter))
        }
        return selections
    }

    /// The facet computed from `documents` (already restricted to the counted ones).
    static func expected(_ facet: FacetRequest, over documents: [Document]) -> FacetResult {
        var numbers: [Double] = []
        for document in documents {
            for value in FilterFixtures.values(facet.field, document) {
                switch value {
                case .integer(let integer): numbers.append(Double(integer))
                case .real(let real): numbers.append(real)
                case .bytes: break
                }
            }
        }
        let stats =
            numbers.isEmpty
            ? nil
            : NumericStats(count: numbers.count, min: numbers.min()!, max: numbers.max()!, sum: numbers.reduce(0, +))
        switch facet.kind {
        case .values(let limit, let order):
            var counts: [String: Int] = [:]
            for document in documents {
                if case .keyword(let values)? = document[facet.field] {
                    for value in Set(values) { counts[value, default: 0] += 1 }
                }
            }
            let sorted = counts.map { FacetValueCount(value: $0.key, count: $0.value) }.sorted { a, b in
                let byValue = Array(a.value.utf8).lexicographicallyPrecedes(Array(b.value.utf8))
                return order == .value || a.count == b.count ? byValue : a.count > b.count
            }
            return FacetResult(
                field: facet.field, counts: .values(Array(sorted.prefix(limit)), distinctValues: sorted.count),
                stats: nil)
        case .ranges(let ranges):
            let counts = ranges.map { range in
                FacetRangeCount(
                    range: range,
                    count: documents.filter {
                        FilterFixtures.matches(.range(field: facet.field, lower: range.lower, upper: range.upper), $0)
                    }.count)
            }
            return FacetResult(field: facet.field, counts: .ranges(counts), stats: stats)
        case .histogram(let interval):
            var buckets: [Double: Int] = [:]
            for document in documents {
                var keys = Set<Double>()
                for value in FilterFixtures.values(facet.field, document) {
                    switch value {
                    case .integer(let integer): keys.insert((Double(integer) / interval).rounded(.down) * interval)
                    case .real(let real): keys.insert((real / interval).rounded(.down) * interval)
                    case .bytes: break
                    }
                }
                for key in keys { buckets[key, default: 0] += 1 }
            }
            let sorted = buckets.sorted { $0.key < $1.key }.map { FacetBucket(key: $0.key, count: $0.value) }
            return FacetResult(field: facet.field, counts: .histogram(sorted), stats: stats)
        case .stats:
            return FacetResult(field: facet.field, counts: .stats, stats: stats)
        }
    }

    /// Equal, with sums compared to a relative 1e-9 (the index sums in its own order).
    static func same(_ a: FacetResult, _ b: FacetResult) -> Bool {
        guard a.field == b.field, a.counts == b.counts else { return false }
        guard let x = a.stats, let y = b.stats else { return a.stats == nil && b.stats == nil }
        let sumsAgree = x.sum == y.sum || abs(x.sum - y.sum) <= 1e-9 * max(1, abs(y.sum))
        return x.count == y.count && x.min == y.min && x.max == y.max && sumsAgree
    }

    @Test("random queries, filters, selections and facets on random corpora with multi-valued fields and deletes")
    func randomized() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let (batches, deletes) = FilterFixtures.corpus(&random, segments: 3, perSegment: 50...400)
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: Array(deletes))
        let live = FilterFixtures.live(batches, deletes: deletes)
        let searcher = IndexSearcher(reader: reader)
        for round in 0..<(TestEnvironment.longTests ? 1000 : 150) {
            let word = Bool.random(using: &random) ? PrunedTopKTests.word(&random) : nil
            let query: Query = word.map { .term(field: "body", text: $0) } ?? .matchAll
            let filter = Bool.random(using: &random) ? FilterFixtures.filter(&random, depth: 2) : nil
            let selections = Self.selections(&random)
            let facets = Self.facets(&random)
            let response = try searcher.search(
                SearchRequest(
                    query: query, filter: filter, limit: 5, countTotal: true, facets: facets, selections: selections))
            let matching = live.filter { document in
                if let word {
                    guard case .text(let body)? = document["body"], body.split(separator: " ").contains(Substring(word))
                    else { return false }
                }
                return filter.map { FilterFixtures.matches($0, document) } ?? true
            }
            let hits = matching.filter { document in
                selections.allSatisfy { FilterFixtures.matches($0.filter, document) }
            }
            #expect(response.totalCount == hits.count, "seed \(seed) round \(round)")
            for (facet, result) in zip(facets, response.facets) {
                let counted = matching.filter { document in
                    selections.allSatisfy { $0.field == facet.field || FilterFixtures.matches($0.filter, document) }
                }
                let expected = Self.expected(facet, over: counted)
                #expect(
                    Self.same(result, expected),
                    "seed \(seed) round \(round) facet \(facet) query \(query) filter \(String(describing: filter)) selections \(selections): \(result) vs \(expected)"
                )
                if !Self.same(result, expected) { return }
            }
        }
    }

    @Test("hand-checked disjunctive facets: each facet ignores its own selection, hits use all")
    func disjunctive() throws {
        let directory = try TemporaryDirectory()
        func document(_ id: String, brand: String, colors: [String], price: Int64) -> Document {
            var document = SearchFixtures.document(id, body: "x", tag: brand)
            document["tags"] = .keyword(colors)
            document["price"] = .int64(price)
            return document
        }
        let reader = try SearchFixtures.index(
            in: directory,
            batches: [
                [
                    document("1", brand: "a", colors: ["red"], price: 5),
                    document("2", brand: "b", colors: ["red"], price: 15),
                    document("3", brand: "c", colors: ["red"], price: 25),
                ],
                [
                    document("4", brand: "a", colors: ["blue"], price: 10),
                    document("5", brand: "b", colors: ["green"], price: 20),
                    document("6", brand: "a", colors: ["red", "blue", "red"], price: 30),
                    document("7", brand: "a", colors: ["red"], price: 40),
                ],
            ], deletes: ["7"])
        let searcher = IndexSearcher(reader: reader)
        let cheap = FacetRange("cheap", upper: FilterBound(.integer(15), inclusive: false))
        let dear = FacetRange("dear", lower: FilterBound(.integer(15), inclusive: true))
        let response = try searcher.search(
            SearchRequest(
                limit: 10, countTotal: true,
                facets: [
                    .values("tag"), .values("tags"), FacetRequest(field: "price", .ranges([cheap, dear])),
                    FacetRequest(field: "price", .histogram(interval: 10)),
                ],
                selections: [
                    FacetSelection(field: "tag", filter: .oneOf(field: "tag", [.string("a"), .string("b")])),
                    FacetSelection(field: "tags", filter: .equal(field: "tags", .string("red"))),
                ]))
        let ids = try response.hits.map { try SearchFixtures.id(of: $0, in: reader) }.sorted()
        #expect(ids == ["1", "2", "6"])
        #expect(response.totalCount == 3)
        // Brand: color = red only → a: 1, 6; b: 2; c: 3.
        #expect(
            response.facets[0].counts
                == .values(
                    [.init(value: "a", count: 2), .init(value: "b", count: 1), .init(value: "c", count: 1)],
                    distinctValues: 3))
        // Color: brand in [a, b] only → docs 1, 2, 4, 5, 6; doc 6 counts red once.
        #expect(
            response.facets[1].counts
                == .values(
                    [.init(value: "red", count: 3), .init(value: "blue", count: 2), .init(value: "green", count: 1)],
                    distinctValues: 3))
        // Price (no selection of its own): the hits 1, 2, 6 at 5, 15, 30.
        #expect(response.facets[2].counts == .ranges([.init(range: cheap, count: 1), .init(range: dear, count: 2)]))
        #expect(response.facets[2].stats == NumericStats(count: 3, min: 5, max: 30, sum: 50))
        #expect(
            response.facets[3].counts
                == .histogram([.init(key: 0, count: 1), .init(key: 10, count: 1), .init(key: 30, count: 1)]))
    }

    @Test("facets on fields that cannot be faceted that way are typed errors")
    func errors() throws {
        var random = SplitMix64(seed: 5)
        let directory = try TemporaryDirectory()
        let (batches, _) = FilterFixtures.corpus(&random, segments: 1, perSegment: 5...5)
        let searcher = IndexSearcher(reader: try SearchFixtures.index(in: directory, batches: batches))
        func error(_ facet: FacetRequest) -> SearchError? {
            do {
                _ = try searcher.search(SearchRequest(facets: [facet]))
                return nil
            } catch { return error }
        }
        #expect(error(.values("price")) == .invalidFacet(field: "price", reason: "value counts need a keyword field"))
        #expect(
            error(FacetRequest(field: "tag", .stats))
                == .invalidFacet(field: "tag", reason: "statistics need a numeric or date field"))
        #expect(
            error(.values("body"))
                == .invalidFacet(field: "body", reason: "field \"body\" (text) cannot be filtered on"))
        #expect(error(.values("nope")) == .invalidFacet(field: "nope", reason: "field \"nope\" is unknown"))
        #expect(
            error(FacetRequest(field: "price", .histogram(interval: 0)))
                == .invalidFacet(field: "price", reason: "the interval 0.0 is not a positive number"))
    }
}
