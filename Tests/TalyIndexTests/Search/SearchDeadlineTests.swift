import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("a search stops at its deadline", .serialized)
struct SearchDeadlineTests {
    /// Requests of every kind the engine runs: terms, booleans, phrases, prefix and fuzzy
    /// expansions, filters, facets, sorts, counts.
    static func requests(_ random: inout SplitMix64) -> [SearchRequest] {
        var requests: [SearchRequest] = [
            SearchRequest(query: .term(field: "body", text: "w0"), limit: 10, countTotal: true),
            SearchRequest(query: .phrase(field: "body", text: "w0 w1", slop: 1), limit: 10),
            SearchRequest(query: .prefix(field: "body", prefix: "w1"), limit: 10, countTotal: true),
            SearchRequest(query: .fuzzy(field: "body", text: "w12", maximumEdits: 1), limit: 10),
            SearchRequest(query: .matchAll, filter: FilterFixtures.filter(&random), limit: 10, countTotal: true),
            SearchRequest(
                query: .term(field: "body", text: "w2"), limit: 10, facets: [.values("tag"), .values("tags")]),
            SearchRequest(
                query: .term(field: "body", text: "w3"), limit: 10, sort: [SortKey(.field("price"), order: .ascending)]),
        ]
        for _ in 0..<12 {
            var request = SearchRequest(query: PrunedTopKTests.query(&random), limit: 10, countTotal: true)
            if Bool.random(using: &random) { request.filter = FilterFixtures.filter(&random) }
            if Int.random(in: 0..<3, using: &random) == 0 { request.facets = [.values("tag")] }
            if Int.random(in: 0..<3, using: &random) == 0 {
                request.sort = [SortKey(.field("rating"), order: .descending)]
            }
            if Int.random(in: 0..<4, using: &random) == 0 { request.strategy = .exhaustive }
            requests.append(request)
        }
        return requests
    }

    static func isDeadlineExceeded(_ error: SearchError) -> Bool {
        if case .deadlineExceeded = error { return true }
        return false
    }

    @Test("a deadline already past stops every kind of search; a far one changes no result")
    func pastAndFarDeadlines() throws {
        let seed = SplitMix64.testSeed()
        print("SearchDeadlineTests.pastAndFarDeadlines seed \(seed)")
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        let batches = PrunedTopKTests.corpus(&random, segments: 3, perSegment: 200...600)
        let reader = try SearchFixtures.index(in: directory, batches: batches, deletes: ["doc3", "doc250"])
        let searcher = IndexSearcher(reader: reader)
        for request in Self.requests(&random) {
            let unbounded = try searcher.search(request)
            var far = request
            far.deadline = .now + .seconds(3600)
            #expect(try searcher.search(far) == unbounded, "seed \(seed) \(request.query)")
            // Prepared (compiled once, with its cost), the same search.
            var prepared = try searcher.prepare(request)
            prepared.deadline = .now + .seconds(3600)
            #expect(try searcher.search(prepared) == unbounded, "prepared, seed \(seed) \(request.query)")
            #expect((prepared.estimatedCost == .max) == request.query.expandsTerms)
            var past = request
            past.deadline = .now - .milliseconds(1)
            do {
                let response = try searcher.search(past)
                Issue.record("seed \(seed) \(request.query): a past deadline answered \(response.hits.count) hits")
            } catch {
                #expect(Self.isDeadlineExceeded(error), "seed \(seed) \(request.query): \(error)")
                #expect(error.description.contains("deadline"))
            }
        }
        // The facet value search, the other entry point.
        var facetSearch = FacetValueSearchRequest(field: "tag", prefix: "", query: .prefix(field: "body", prefix: "w"))
        let unbounded = try searcher.searchFacetValues(facetSearch)
        facetSearch.deadline = .now + .seconds(3600)
        #expect(try searcher.searchFacetValues(facetSearch) == unbounded)
        facetSearch.deadline = .now - .milliseconds(1)
        #expect(throws: SearchError.self) { try searcher.searchFacetValues(facetSearch) }
        // A searcher used after a stopped search has no deadline left on its thread.
        #expect(try searcher.search(Self.requests(&random)[0]).hits.count > 0)
    }

    @Test("a slow search (a broad prefix union over a large index) stops at a short deadline")
    func slowSearchStops() throws {
        let seed = SplitMix64.testSeed()
        print("SearchDeadlineTests.slowSearchStops seed \(seed)")
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        // 1,000 words under the prefix `a`, every document holding 12 of them: the prefix's union
        // walks every posting of the index.
        let vocabulary = (0..<1000).map { "a\($0)" }
        let batches = (0..<2).map { batch in
            (0..<6_000).map { number in
                let body = (0..<12).map { _ in vocabulary.randomElement(using: &random)! }.joined(separator: " ")
                return SearchFixtures.document("d\(batch)-\(number)", body: body, tag: "t\(number % 50)")
            }
        }
        let reader = try SearchFixtures.index(in: directory, batches: batches)
        let searcher = IndexSearcher(reader: reader)
        let request = SearchRequest(
            query: .prefix(field: "body", prefix: "a"), limit: 10, countTotal: true, strategy: .exhaustive,
            facets: [.values("tag")])
        let started = ContinuousClock.now
        let full = try searcher.search(request)
        let fullTime = ContinuousClock.now - started
        #expect(full.totalCount == 12_000)
        var bounded = request
        bounded.deadline = .now + fullTime / 20
        let boundedStart = ContinuousClock.now
        do {
            _ = try searcher.search(bounded)
            Issue.record("seed \(seed): a search taking \(fullTime) finished within \(fullTime / 20)")
        } catch {
            let stoppedAfter = ContinuousClock.now - boundedStart
            #expect(Self.isDeadlineExceeded(error), "\(error)")
            // Generous: stopping anywhere before the end shows the check inside the walk; the
            // full search took 20 times the deadline.
            #expect(stoppedAfter < fullTime, "stopped after \(stoppedAfter), the whole search takes \(fullTime)")
            print("SearchDeadlineTests.slowSearchStops: full \(fullTime), stopped after \(stoppedAfter): \(error)")
        }
    }
}
