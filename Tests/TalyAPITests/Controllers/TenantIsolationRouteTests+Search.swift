import Foundation
import Hummingbird
import HummingbirdTesting
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

extension TenantIsolationRouteTests {
    @Test("tenant B's credentials never find tenant A's documents through search, multi-search or facet search")
    func crossTenantSearch() async throws {
        // A (acme) has six products and three articles indexed by the real worker; B (globex)
        // has a collection of each name too, with one document each.
        let harness = try await SearchHarness.catalog()
        let globex = try harness.api.tenant("globex")
        _ = try globex.scope.createContentType(
            name: "article", displayName: "Article", fields: SearchHarness.articleFields, by: .system)
        try harness.product("B1", "Globex lamp", cents: 100, color: "red", in: globex.scope)
        try harness.article("Globex lamp notes", body: "A lamp of Globex", category: "memos", in: globex.scope)
        try await harness.worker.drain()
        let globexPublic = try globex.scope.createAPIKey(name: "site", scopes: [.search], by: .system).key
        let acmeSKUs: Set = ["L1", "L2", "L3", "C1", "C2", "D1"]
        let acmeTitles: Set = ["Reading lamps compared", "Chairs of the year", "Lamp safety"]

        try await harness.api.application().test(.router) { client in
            for token in [globex.ownerToken, globex.bootstrap.apiKey, globexPublic] {
                // Match-all, a word both tenants use, and filters naming A's values.
                for uri in [
                    "/v1/search?collection=products", "/v1/search?collection=products&q=lamp",
                    "/v1/search?collection=products&filter=sku%20%3D%20L1",
                    "/v1/search?collection=products&filter=attributes.color%20%3D%20blue",
                ] {
                    let response = try await client.call(.get, uri, token: token)
                    #expect(response.status == .ok, "\(uri): \(response.text)")
                    #expect(Set(response.skus).isDisjoint(with: acmeSKUs), "\(uri)")
                    #expect(Set(response.skus).isSubset(of: ["B1"]), "\(uri)")
                    #expect((response.object["total"] as? Int ?? 99) <= 1, "\(uri)")
                }
                let articles = try await client.call(
                    .post, "/v1/search", token: token, json: #"{"collection": "article", "q": "lamp"}"#)
                #expect(articles.titles == ["Globex lamp notes"], "\(articles.text)")

                let multi = try await client.call(
                    .post, "/v1/multi-search", token: token,
                    json: #"{"queries": [{"collection": "products"}, {"collection": "article"}]}"#)
                #expect(multi.status == .ok)
                let results = multi.object["results"] as? [[String: Any]] ?? []
                #expect(results.map { $0["total"] as? Int } == [1, 1], "\(multi.text)")
                let federated = try await client.call(
                    .post, "/v1/multi-search", token: token,
                    json:
                        #"{"queries": [{"collection": "products", "q": "lamp"}, {"collection": "article", "q": "lamp"}], "federation": {}}"#
                )
                #expect(Set(federated.skus).isDisjoint(with: acmeSKUs))
                #expect(Set(federated.titles).isDisjoint(with: acmeTitles))
                #expect(federated.hits.count == 2, "\(federated.text)")

                let colors = try await client.call(
                    .get, "/v1/facet-search?collection=products&facet=attributes.color", token: token)
                #expect(
                    (colors.object["values"] as? [[String: Any]])?.compactMap { $0["value"] as? String } == ["red"])
                let categories = try await client.call(
                    .post, "/v1/facet-search", token: token, json: #"{"collection": "article", "facet": "category"}"#)
                #expect(
                    (categories.object["values"] as? [[String: Any]])?.compactMap { $0["value"] as? String }
                        == ["memos"], "\(categories.text)")
            }

            // A still finds its own documents, and none of B's.
            let own = try await client.call(.get, "/v1/search?collection=products", token: harness.acme.ownerToken)
            #expect(Set(own.skus) == acmeSKUs)
            let ownArticles = try await client.call(.get, "/v1/search?collection=article", token: harness.publicKey)
            #expect(Set(ownArticles.titles) == acmeTitles)
            let ownColors = try await client.call(
                .get, "/v1/facet-search?collection=products&facet=attributes.color", token: harness.publicKey)
            let ownColorValues = (ownColors.object["values"] as? [[String: Any]] ?? []).compactMap {
                $0["value"] as? String
            }
            #expect(Set(ownColorValues) == ["blue", "black", "brown", "green"])
        }
    }
}
