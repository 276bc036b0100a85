import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

extension TenantIsolationRouteTests {
    @Test("tenant A's owner token and admin key never read or change tenant B's content, products or stock")
    func crossTenantContentAndCatalog() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let (globex, globexType) = try ContentRouteTests.withArticles(harness, "globex")
        // B also has a type A lacks, and A has its own `article`: neither name nor id crosses over.
        _ = try globex.scope.createContentType(name: "secret", displayName: "Secret", fields: [], by: .system)
        _ = try acme.scope.createContentType(name: "article", displayName: "A", fields: [], by: .system)
        let item = try globex.scope.createContentItem(
            of: globexType.id!, ContentItemDraft(title: "B's", fields: ["body": .string("b")]), by: .system
        ).id!.rawValue
        let revision = try globex.scope.contentRevisions(of: ContentItemID(item))[0].id!.rawValue
        let product = try CatalogRouteTests.product(globex.scope, sku: "B-1").id!
        try globex.scope.adjustStock(of: product, at: "main", by: 5, by: .system)
        let reservation = try globex.scope.reserve(2, of: product, at: "main", by: .system).id!.rawValue
        let p = product.rawValue
        let productBody = CatalogRouteTests.mug
        try await harness.application().test(.router) { client in
            for token in [acme.ownerToken, acme.bootstrap.apiKey] {
                let attempts: [(HTTPRequest.Method, String, String?)] = [
                    (.get, "/v1/content-types/secret", nil),
                    (.put, "/v1/content-types/secret", #"{"display_name": "pwned"}"#),
                    (.delete, "/v1/content-types/secret", nil),
                    (.get, "/v1/content/secret", nil),
                    (.post, "/v1/content/secret", #"{"title": "x"}"#),
                    (.get, "/v1/content/article/\(item)", nil),
                    (.patch, "/v1/content/article/\(item)", #"{"title": "pwned"}"#),
                    (.delete, "/v1/content/article/\(item)", nil),
                    (.post, "/v1/content/article/\(item)/publish", nil),
                    (.post, "/v1/content/article/\(item)/unpublish", nil),
                    (.post, "/v1/content/article/\(item)/archive", nil),
                    (.get, "/v1/content/article/\(item)/revisions", nil),
                    (.post, "/v1/content/article/\(item)/revisions/\(revision)/restore", nil),
                    (.get, "/v1/catalog/products/\(p)", nil),
                    (.put, "/v1/catalog/products/\(p)", productBody),
                    (.delete, "/v1/catalog/products/\(p)", nil),
                    (.get, "/v1/catalog/products/\(p)/inventory", nil),
                    (.get, "/v1/catalog/products/\(p)/inventory/main", nil),
                    (.post, "/v1/catalog/products/\(p)/inventory/main/adjust", #"{"delta": -5}"#),
                    (.post, "/v1/catalog/products/\(p)/inventory/main/reservations", #"{"quantity": 1}"#),
                    (.get, "/v1/catalog/products/\(p)/reservations", nil),
                    (.post, "/v1/catalog/reservations/\(reservation)/release", nil),
                    (.post, "/v1/catalog/reservations/\(reservation)/commit", nil),
                    (.post, "/v1/ingest?collection=secret", #"{"slug": "x", "title": "pwned"}"#),
                ]
                for (method, uri, body) in attempts {
                    let response = try await client.call(
                        method, uri, token: token, json: body, headers: [.ifMatch: "*"])
                    #expect(response.status == .notFound, "\(method) \(uri): \(response.status) \(response.text)")
                }
                let types = try await client.call(.get, "/v1/content-types", token: token)
                #expect((types.object["data"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["article"])
                let items = try await client.call(.get, "/v1/content/article", token: token)
                #expect((items.object["data"] as? [[String: Any]])?.isEmpty == true)
                let products = try await client.call(.get, "/v1/catalog/products", token: token)
                #expect((products.object["data"] as? [[String: Any]])?.isEmpty == true)
                let bySKU = try await client.call(.get, "/v1/catalog/products?sku=B-1", token: token)
                #expect((bySKU.object["data"] as? [[String: Any]])?.isEmpty == true)
            }
            // Nothing of B's changed.
            #expect(try globex.scope.contentType(named: "secret")?.version == 1)
            let stored = try globex.scope.contentItem(ContentItemID(item))
            #expect(stored.version == 1)
            #expect(stored.status == .draft)
            #expect(try globex.scope.product(product).version == 1)
            let stock = try #require(try globex.scope.stock(of: product, at: "main"))
            #expect(stock.onHand == 5)
            #expect(stock.reserved == 2)
            #expect(try acme.scope.contentItems(limit: 10).isEmpty)
        }
    }
}
