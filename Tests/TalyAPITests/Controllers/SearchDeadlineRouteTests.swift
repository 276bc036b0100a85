import Foundation
import Hummingbird
import HummingbirdTesting
import TalyIndex
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("search routes stop at the request's deadline")
struct SearchDeadlineRouteTests {
    @Test("a slow search past a short route timeout is answered 504 near the deadline, and the server answers on")
    func slowSearchTimesOut() async throws {
        let seed = SplitMix64.testSeed()
        print("SearchDeadlineRouteTests.slowSearchTimesOut seed \(seed)")
        var random = SplitMix64(seed: seed)
        let timeout = Duration.milliseconds(100)
        var gateway = APIHarness.testGateway
        gateway.requestTimeout = timeout
        let api = try APIHarness(gateway: gateway)
        let acme = try api.tenant("acme")
        let worker = try IndexSyncWorker(store: api.store, root: api.resources.dataDirectory.path)
        // 900 words under the prefix `a`, 40 of them per description: `a*` is a union of 900
        // terms over every product, scored, counted and faceted.
        let vocabulary = (0..<900).map { "a\($0)" }
        for number in 0..<3000 {
            let description = (0..<40).map { _ in vocabulary.randomElement(using: &random)! }
                .joined(separator: " ")
            try acme.scope.createProduct(
                ProductDraft(
                    sku: "S\(number)", title: "Product \(number)", description: description,
                    price: Money(amount: 100, currency: "EUR"),
                    attributes: ["color": .string(["red", "blue", "green"][number % 3])], status: .active),
                by: .system)
        }
        try await worker.drain()

        // The engine's whole time for the search the route runs, taken before and after the
        // timed-out request (other tests share the cores: the slower of the two is kept).
        let snapshot = try #require(
            try api.resources.searchCollections.snapshot(tenantID: acme.scope.tenantID, collection: .products))
        @Sendable func wholeSearch() throws -> Duration {
            let started = ContinuousClock.now
            let full = try snapshot.searcher.search(
                SearchRequest(
                    query: .prefix(field: nil, prefix: "a"), limit: 10, countTotal: true,
                    facets: [.values("attributes.color")]))
            #expect(full.totalCount == 3000)
            return ContinuousClock.now - started
        }
        let wholeBefore = try wholeSearch()
        try #require(wholeBefore > timeout * 3, "the search takes \(wholeBefore): too quick to outlast \(timeout)")

        try await api.application().test(.router) { client in
            let slow = "/v1/search?collection=products&q=a*&facets=attributes.color&limit=10"
            let sent = ContinuousClock.now
            let timedOut = try await client.call(.get, slow, token: acme.ownerToken)
            let answeredAfter = ContinuousClock.now - sent
            #expect(timedOut.status == .gatewayTimeout, "\(timedOut.text)")
            #expect(timedOut.problemKind == "timeout")
            let whole = max(wholeBefore, try wholeSearch())
            let detail = timedOut.object["detail"] as? String ?? ""
            print(
                "SearchDeadlineRouteTests: whole search \(whole), timeout \(timeout), 504 after \(answeredAfter): \(detail)"
            )
            // The engine says how long it ran before stopping, timed on its thread like the whole
            // search above; the 504's own arrival also waits for the cooperative pool, which the
            // parallel suite can hold for seconds. Generous: stopped before half the whole time.
            let stoppedAfter = try #require(
                detail.firstMatch(of: /stopped after ([0-9]+\.[0-9]) ms/).flatMap { Double($0.1) }, "\(detail)")
            #expect(stoppedAfter < whole.milliseconds / 2, "\(detail); the whole search takes \(whole)")
            // The server answers on. Retried for as long as the 504 itself took to arrive, and at
            // least a minute: the parallel suite's blocking tests can hold the cooperative pool
            // for tens of seconds on two cores (the 504 once arrived 64 s late), and a quick
            // search waiting behind them misses its 100 ms too. A wedged server never answers.
            let patience = max(answeredAfter * 2, .seconds(60))
            let retriedUntil = ContinuousClock.now + patience
            var answered = false
            var last = ""
            while !answered, ContinuousClock.now < retriedUntil {
                let quick = try await client.call(
                    .get, "/v1/search?collection=products&q=a17&limit=10", token: acme.ownerToken)
                answered = quick.status == .ok && quick.object["total"] as? Int ?? 0 > 0
                last = "\(quick.status): \(quick.text.prefix(200))"
            }
            #expect(answered, "no quick search answered within \(patience); the last: \(last)")
        }
    }
}

extension Duration {
    fileprivate var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
