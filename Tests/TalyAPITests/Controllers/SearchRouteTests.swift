import Foundation
import Hummingbird
import HummingbirdTesting
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

/// A harness whose tenant `acme` has products and published articles indexed by the real worker.
struct SearchHarness {
    let api: APIHarness
    let acme: TestTenant
    let worker: IndexSyncWorker
    /// A key holding only `search`: the public one.
    let publicKey: String

    static let articleFields: [ContentFieldDefinition] = [
        ContentFieldDefinition(name: "body", type: .richText, required: true, searchable: true),
        ContentFieldDefinition(name: "category", type: .keyword, filterable: true, facetable: true, sortable: true),
    ]

    init() throws {
        api = try APIHarness()
        acme = try api.tenant("acme")
        worker = try IndexSyncWorker(store: api.store, root: api.resources.dataDirectory.path)
        publicKey = try acme.scope.createAPIKey(name: "site", scopes: [.search], expiresAt: nil, by: .system).key
        _ = try acme.scope.createContentType(
            name: "article", displayName: "Article", fields: Self.articleFields, by: .system)
    }

    @discardableResult
    func product(
        _ sku: String, _ title: String, description: String = "", cents: Int64, color: String,
        status: ProductStatus = .active, in scope: (any TenantStore)? = nil
    ) throws -> ProductRecord {
        try (scope ?? acme.scope).createProduct(
            ProductDraft(
                sku: sku, title: title, description: description, price: Money(amount: cents, currency: "EUR"),
                attributes: ["color": .string(color)], status: status),
            by: .system)
    }

    @discardableResult
    func article(_ title: String, body: String, category: String, in scope: (any TenantStore)? = nil) throws
        -> ContentItemRecord
    {
        let scope = scope ?? acme.scope
        let type = try #require(try scope.contentType(named: "article"))
        let draft = try scope.createContentItem(
            of: type.id!,
            ContentItemDraft(title: title, fields: ["body": .string(body), "category": .string(category)]),
            by: .system)
        return try scope.publishContentItem(draft.id!, expectedVersion: draft.version, by: .system)
    }

    /// Six products (one a draft) and three articles, indexed.
    static func catalog() async throws -> SearchHarness {
        let harness = try SearchHarness()
        try harness.product("L1", "Wooden desk lamp", description: "A warm lamp of oak", cents: 4500, color: "brown")
        try harness.product("L2", "Blue lamp", description: "A lamp for reading", cents: 2500, color: "blue")
        try harness.product("L3", "Black floor lamp", cents: 9900, color: "black")
        try harness.product("C1", "Blue chair", description: "Sit well", cents: 7000, color: "blue")
        try harness.product("C2", "Garden chair", cents: 3000, color: "green")
        try harness.product("D1", "Secret lamp prototype", cents: 100, color: "blue", status: .draft)
        try harness.article("Reading lamps compared", body: "Which lamp to read by", category: "guides")
        try harness.article("Chairs of the year", body: "Comfort first", category: "news")
        try harness.article("Lamp safety", body: "Keep the lamp cool", category: "guides")
        try await harness.worker.drain()
        return harness
    }
}

extension TestResponse {
    var hits: [[String: Any]] { object["hits"] as? [[String: Any]] ?? [] }
    var skus: [String] { hits.compactMap { ($0["document"] as? [String: Any])?["sku"] as? String } }
    var titles: [String] { hits.compactMap { ($0["document"] as? [String: Any])?["title"] as? String } }
}

@Suite("Search routes")
struct SearchRouteTests {
    @Test("GET /v1/search finds products by text, counts exactly and says which outbox event it reflects")
    func basicSearch() async throws {
        let harness = try await SearchHarness.catalog()
        let position = try harness.api.store.outboxPosition()
        try await harness.api.application().test(.router) { client in
            let response = try await client.call(
                .get, "/v1/search?collection=products&q=lamp", token: harness.acme.ownerToken)
            #expect(response.status == .ok)
            // The owner manages the catalog: the draft is found too.
            #expect(Set(response.skus) == ["L1", "L2", "L3", "D1"])
            #expect(response.object["total"] as? Int == 4)
            #expect(response.object["total_is_exact"] as? Bool == true)
            #expect((response.object["applied_event_id"] as? Int).map(Int64.init) == position.rawValue)
            let scores = response.hits.compactMap { $0["score"] as? Double }
            #expect(scores == scores.sorted(by: >) && scores.count == 4)
            #expect(response.hits.allSatisfy { ($0["id"] as? String)?.isEmpty == false })
        }
    }

    @Test("a public search-only key sees active products only and its broken queries still answer")
    func publicKey() async throws {
        let harness = try await SearchHarness.catalog()
        try await harness.api.application().test(.router) { client in
            let response = try await client.call(
                .get, "/v1/search?collection=products&q=lamp", token: harness.publicKey)
            #expect(Set(response.skus) == ["L1", "L2", "L3"])
            let broken = try await client.call(
                .get, "/v1/search?collection=products&q=%22blue%20lamp%20(", token: harness.publicKey)
            #expect(broken.status == .ok)
            #expect(broken.skus.contains("L2"))
            // Its filter cannot widen the restriction to drafts.
            let drafts = try await client.call(
                .get, "/v1/search?collection=products&filter=status%20%3D%20draft", token: harness.publicKey)
            #expect(drafts.skus.isEmpty)
            let strict = try await client.call(
                .get, "/v1/search?collection=products&q=%22blue%20lamp", token: harness.acme.ownerToken)
            #expect(strict.status == .badRequest)
            #expect(strict.invalidParamNames == ["q"])
            #expect((strict.object["detail"] as? String)?.contains("at 0") == true)
        }
    }

    @Test("a hit's document holds every stored field in the schema's order, its dates to the millisecond")
    func documentFieldOrder() async throws {
        let harness = try SearchHarness()
        let product = try harness.product(
            "Q1", #"The "quoted" lamp </script>"#, description: "ünïcode\n\u{1}", cents: 4500, color: "brown")
        try await harness.worker.drain()
        try await harness.api.application().test(.router) { client in
            let response = try await client.call(
                .get, "/v1/search?collection=products&q=lamp", token: harness.acme.ownerToken)
            #expect(response.status == .ok)
            let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
            // The product schema's own fields, then its attribute columns (ProductIndexMapping).
            let order = [
                "id", "title", "description", "sku", "status", "currency", "price_amount", "version", "created_at",
                "updated_at", "attributes.color",
            ]
            let positions = order.map { text.range(of: #""\#($0)":"#)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil }, "\(text)")
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(text)")
            let document = try #require(response.hits.first?["document"] as? [String: Any])
            #expect(Set(document.keys) == Set(order))
            #expect(document["title"] as? String == #"The "quoted" lamp </script>"#)
            #expect(document["description"] as? String == "ünïcode\n\u{1}")
            #expect(document["price_amount"] as? Int == 4500)
            // The index holds the millisecond of the date as read back from the store.
            let stored = try harness.acme.scope.product(product.id!)
            let milliseconds = Int64((stored.createdAt.timeIntervalSince1970 * 1000).rounded(.down))
            #expect(document["created_at"] as? String == CanonicalJSONWriter.iso8601Text(milliseconds: milliseconds))
            // Two answers to one query are the same text.
            let again = try await client.call(
                .get, "/v1/search?collection=products&q=lamp", token: harness.acme.ownerToken)
            let first = text.replacingOccurrences(
                of: #""processing_time_ms":[^,]*"#, with: "", options: .regularExpression)
            let second = String(decoding: again.body.readableBytesView, as: UTF8.self).replacingOccurrences(
                of: #""processing_time_ms":[^,]*"#, with: "", options: .regularExpression)
            #expect(first == second)
        }
    }

    @Test("filter, sort, offset paging and cursor paging agree with each other")
    func filterSortAndPaging() async throws {
        let harness = try await SearchHarness.catalog()
        let token = harness.acme.ownerToken
        try await harness.api.application().test(.router) { client in
            let all = try await client.call(
                .post, "/v1/search", token: token,
                json:
                    #"{"collection": "products", "filter": "price_amount >= 2500 AND status = active", "sort": "price_amount:desc", "limit": 10}"#
            )
            #expect(all.skus == ["L3", "C1", "L1", "C2", "L2"])
            #expect(all.object["next_cursor"] is NSNull)
            var cursor: String?
            var paged: [String] = []
            repeat {
                let body =
                    #"{"collection": "products", "filter": "price_amount >= 2500 AND status = active", "sort": ["price_amount:desc"], "limit": 2"#
                    + (cursor.map { #", "cursor": ""# + $0 + #"""# } ?? "") + "}"
                let page = try await client.call(.post, "/v1/search", token: token, json: body)
                #expect(page.status == .ok)
                paged += page.skus
                cursor = page.object["next_cursor"] as? String
            } while cursor != nil && paged.count < 10
            #expect(paged == all.skus)
            let offset = try await client.call(
                .get,
                "/v1/search?collection=products&filter=price_amount%20%3E%3D%202500%20AND%20status%20%3D%20active&sort=price_amount:desc&limit=2&offset=2",
                token: token)
            #expect(offset.skus == ["L1", "C2"])
            #expect(offset.object["total"] as? Int == 5)
            #expect(offset.object["offset"] as? Int == 2)
        }
    }

    @Test("facets: keyword counts, ranges, histograms, statistics and disjunctive selections")
    func facets() async throws {
        let harness = try await SearchHarness.catalog()
        try await harness.api.application().test(.router) { client in
            let response = try await client.call(
                .post, "/v1/search", token: harness.publicKey,
                json: #"""
                    {"collection": "products", "limit": 0,
                     "facet_filters": {"attributes.color": "attributes.color = blue"},
                     "facets": ["attributes.color",
                                {"field": "price_amount", "type": "ranges", "ranges": [{"label": "cheap", "to": 3000}, {"label": "dear", "from": 3000}]},
                                {"field": "price_amount", "type": "histogram", "interval": 5000},
                                "price_amount"]}
                    """#)
            #expect(response.status == .ok)
            #expect(response.object["total"] as? Int == 2)
            let facets = try #require(response.object["facets"] as? [[String: Any]])
            #expect(facets.count == 4)
            // Disjunctive: the color facet ignores its own selection (active products only).
            let colors = (facets[0]["values"] as? [[String: Any]] ?? []).map {
                "\($0["value"] as? String ?? "")=\($0["count"] as? Int ?? -1)"
            }
            #expect(colors == ["blue=2", "black=1", "brown=1", "green=1"])
            let ranges = (facets[1]["ranges"] as? [[String: Any]] ?? []).compactMap { $0["count"] as? Int }
            #expect(ranges == [1, 1])
            let buckets = (facets[2]["buckets"] as? [[String: Any]] ?? []).map {
                "\($0["key"] as? Double ?? -1)=\($0["count"] as? Int ?? -1)"
            }
            #expect(buckets == ["0.0=1", "5000.0=1"])
            let stats = try #require(facets[3]["stats"] as? [String: Any])
            #expect(stats["min"] as? Double == 2500)
            #expect(stats["max"] as? Double == 7000)
        }
    }

    @Test("highlights mark the matches; explanations add up to the score")
    func highlightAndExplain() async throws {
        let harness = try await SearchHarness.catalog()
        try await harness.api.application().test(.router) { client in
            let response = try await client.call(
                .get,
                "/v1/search?collection=products&q=oak&highlight=title,description&highlight_pre_tag=%5B&highlight_post_tag=%5D&explain=true",
                token: harness.acme.ownerToken)
            #expect(response.skus == ["L1"])
            let hit = try #require(response.hits.first)
            let highlight = try #require(hit["highlight"] as? [String: [String]])
            #expect(highlight["description"] == ["A warm lamp of [oak]"])
            let explanation = try #require(hit["explanation"] as? [String: Any])
            let value = try #require(explanation["value"] as? Double)
            let score = try #require(hit["score"] as? Double)
            #expect(abs(value - score) < 1e-5)
            #expect(!(explanation["details"] as? [Any] ?? []).isEmpty)
        }
    }

    @Test("typo tolerance finds a word one edit away, and can be turned off")
    func typoTolerance() async throws {
        let harness = try await SearchHarness.catalog()
        try await harness.api.application().test(.router) { client in
            let tolerant = try await client.call(
                .get, "/v1/search?collection=products&q=wodden", token: harness.acme.ownerToken)
            #expect(tolerant.skus == ["L1"])
            let exact = try await client.call(
                .get, "/v1/search?collection=products&q=wodden&typo_tolerance=false", token: harness.acme.ownerToken)
            #expect(exact.skus.isEmpty)
            #expect(exact.object["total"] as? Int == 0)
        }
    }

    @Test("each bad parameter is refused with a problem naming it")
    func errors() async throws {
        let harness = try await SearchHarness.catalog()
        let token = harness.acme.ownerToken
        let contentReader = try harness.acme.scope.createAPIKey(
            name: "reader", scopes: [.contentRead], expiresAt: nil, by: .system
        ).key
        let cases: [(String, HTTPResponse.Status, String?)] = [
            ("/v1/search?q=lamp", .unprocessableContent, "collection"),
            ("/v1/search?collection=a/b/c", .unprocessableContent, "collection"),
            ("/v1/search?collection=podcast", .notFound, nil),
            ("/v1/search?collection=products&filter=price_amount%20%3E", .badRequest, "filter"),
            ("/v1/search?collection=products&filter=nothing%20%3D%201", .badRequest, "filter"),
            ("/v1/search?collection=products&sort=title", .badRequest, "sort"),
            ("/v1/search?collection=products&sort=price_amount:up", .badRequest, "sort"),
            ("/v1/search?collection=products&sort=nothing", .badRequest, "sort"),
            ("/v1/search?collection=products&limit=5000", .unprocessableContent, "limit"),
            ("/v1/search?collection=products&limit=ten", .unprocessableContent, "limit"),
            ("/v1/search?collection=products&offset=-1", .unprocessableContent, "offset"),
            ("/v1/search?collection=products&offset=990&limit=20", .unprocessableContent, "offset"),
            ("/v1/search?collection=products&cursor=abc", .badRequest, "cursor"),
            ("/v1/search?collection=products&sort=price_amount&cursor=abc", .badRequest, "cursor"),
            ("/v1/search?collection=products&facets=nothing", .badRequest, "facets[0]"),
            ("/v1/search?collection=products&facets=title", .badRequest, "facets"),
            ("/v1/search?collection=products&highlight=sku", .badRequest, "highlight"),
            ("/v1/search?collection=products&snippet_length=0", .unprocessableContent, "snippet_length"),
            ("/v1/search?collection=products&typo_tolerance=maybe", .unprocessableContent, "typo_tolerance"),
            ("/v1/search?collection=products&q=nothing:lamp", .badRequest, "q"),
            ("/v1/search?collection=products&q=price_amount:5", .badRequest, "q"),
            ("/v1/search?collection=products&facet_filters%5Bsku%5D=sku%20%3D", .badRequest, "facet_filters[sku]"),
        ]
        try await harness.api.application().test(.router) { client in
            for (uri, status, parameter) in cases {
                let response = try await client.call(.get, uri, token: token)
                #expect(response.status == status, "\(uri): \(response.text)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(uri)")
                if let parameter { #expect(response.invalidParamNames == [parameter], "\(uri): \(response.text)") }
            }
            let facetType = try await client.call(
                .post, "/v1/search", token: token,
                json: #"{"collection": "products", "facets": [{"field": "price_amount", "type": "pie"}]}"#)
            #expect(facetType.invalidParamNames == ["facets[0].type"])
            let wrongType = try await client.call(
                .post, "/v1/search", token: token, json: #"{"collection": "products", "limit": "ten"}"#)
            #expect(wrongType.status == .unprocessableContent)
            #expect(wrongType.invalidParamNames == ["limit"])
            #expect(try await client.call(.get, "/v1/search?collection=products").status == .unauthorized)
            #expect(
                try await client.call(.get, "/v1/search?collection=products", token: contentReader).status
                    == .forbidden)
        }
    }

    @Test("a tenant searches its own indexes only")
    func tenantIsolation() async throws {
        let harness = try await SearchHarness.catalog()
        let globex = try harness.api.tenant("globex")
        try harness.product("G1", "Globex lamp", cents: 100, color: "red", in: globex.scope)
        try await harness.worker.drain()
        try await harness.api.application().test(.router) { client in
            let own = try await client.call(.get, "/v1/search?collection=products&q=lamp", token: globex.ownerToken)
            #expect(own.skus == ["G1"])
            // acme's content type does not exist for globex: not found, not forbidden.
            let article = try await client.call(.get, "/v1/search?collection=article", token: globex.ownerToken)
            #expect(article.status == .notFound)
            let facets = try await client.call(
                .get, "/v1/facet-search?collection=products&facet=attributes.color", token: globex.ownerToken)
            #expect((facets.object["values"] as? [[String: Any]])?.compactMap { $0["value"] as? String } == ["red"])
            let acme = try await client.call(
                .get, "/v1/search?collection=products&q=lamp", token: harness.acme.ownerToken)
            #expect(!acme.skus.contains("G1"))
        }
    }

    @Test("the worker makes a newly published article searchable through the route")
    func newlyPublished() async throws {
        let harness = try await SearchHarness.catalog()
        try await harness.api.application().test(.router) { client in
            let before = try await client.call(
                .get, "/v1/search?collection=article&q=zeppelin", token: harness.publicKey)
            #expect(before.status == .ok)
            #expect(before.hits.isEmpty)
            let firstEvent = before.object["applied_event_id"] as? Int
            let item = try harness.article("Zeppelin lamps", body: "Lamps shaped like a zeppelin", category: "news")
            // Written but not yet applied by the worker: not found, and the freshness says so.
            let pending = try await client.call(
                .get, "/v1/search?collection=article&q=zeppelin", token: harness.publicKey)
            #expect(pending.hits.isEmpty)
            #expect(pending.object["applied_event_id"] as? Int == firstEvent)
            try await harness.worker.drain()
            let after = try await client.call(
                .get, "/v1/search?collection=article&q=zeppelin&highlight=title", token: harness.publicKey)
            #expect(after.hits.compactMap { $0["id"] as? String } == [String(item.id!.rawValue)])
            #expect((after.object["applied_event_id"] as? Int ?? 0) > (firstEvent ?? 0))
            #expect(
                (after.hits.first?["highlight"] as? [String: [String]])?["title"] == ["<mark>Zeppelin</mark> lamps"])
        }
    }

    @Test("multi-search answers each query, or merges them with normalized, weighted scores")
    func multiSearch() async throws {
        let harness = try await SearchHarness.catalog()
        try await harness.api.application().test(.router) { client in
            let separate = try await client.call(
                .post, "/v1/multi-search", token: harness.publicKey,
                json:
                    #"{"queries": [{"collection": "products", "q": "chair"}, {"collection": "article", "q": "lamp"}]}"#
            )
            #expect(separate.status == .ok)
            let results = try #require(separate.object["results"] as? [[String: Any]])
            #expect(results.map { $0["total"] as? Int } == [2, 2])
            let merged = try await client.call(
                .post, "/v1/multi-search", token: harness.publicKey,
                json: #"""
                    {"queries": [{"collection": "products", "q": "chair", "weight": 0.5},
                                 {"collection": "article", "q": "lamp"}],
                     "federation": {"limit": 3}}
                    """#)
            #expect(merged.status == .ok)
            let hits = merged.hits
            #expect(hits.count == 3)
            #expect(merged.object["total"] as? Int == 4)
            let scores = hits.compactMap { $0["merged_score"] as? Double }
            #expect(scores == scores.sorted(by: >))
            // Each query's best hit normalizes to 1, times its weight.
            #expect(scores.first == 1)
            #expect(hits.first?["collection"] as? String == "article")
            let bad = try await client.call(
                .post, "/v1/multi-search", token: harness.publicKey,
                json: #"{"queries": [{"collection": "products"}, {"collection": "products", "filter": "x ="}]}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.invalidParamNames == ["queries[1].filter"])
            let weight = try await client.call(
                .post, "/v1/multi-search", token: harness.publicKey,
                json: #"{"queries": [{"collection": "products", "weight": -1}], "federation": {}}"#)
            #expect(weight.invalidParamNames == ["queries[0].weight"])
            let none = try await client.call(
                .post, "/v1/multi-search", token: harness.publicKey, json: #"{"queries": []}"#)
            #expect(none.invalidParamNames == ["queries"])
        }
    }

    @Test("facet search: values starting with a prefix, counted under the query and filter")
    func facetSearch() async throws {
        let harness = try await SearchHarness.catalog()
        try await harness.api.application().test(.router) { client in
            let all = try await client.call(
                .get, "/v1/facet-search?collection=products&facet=attributes.color&prefix=bl",
                token: harness.acme.ownerToken)
            #expect(all.status == .ok)
            let values = (all.object["values"] as? [[String: Any]] ?? []).map {
                "\($0["value"] as? String ?? "")=\($0["count"] as? Int ?? -1)"
            }
            #expect(values == ["blue=3", "black=1"])
            let publicLamps = try await client.call(
                .post, "/v1/facet-search", token: harness.publicKey,
                json: #"{"collection": "products", "facet": "attributes.color", "prefix": "b", "q": "lamp"}"#)
            let lampValues = (publicLamps.object["values"] as? [[String: Any]] ?? []).map {
                "\($0["value"] as? String ?? "")=\($0["count"] as? Int ?? -1)"
            }
            #expect(lampValues == ["black=1", "blue=1", "brown=1"])
            #expect(publicLamps.object["matching_values"] as? Int == 3)
            let missing = try await client.call(
                .get, "/v1/facet-search?collection=products", token: harness.acme.ownerToken)
            #expect(missing.invalidParamNames == ["facet"])
            let text = try await client.call(
                .get, "/v1/facet-search?collection=products&facet=title", token: harness.acme.ownerToken)
            #expect(text.status == .badRequest)
            #expect(text.invalidParamNames == ["facet"])
            let limit = try await client.call(
                .get, "/v1/facet-search?collection=products&facet=sku&limit=0", token: harness.acme.ownerToken)
            #expect(limit.invalidParamNames == ["limit"])
        }
    }

    @Test("a collection without an index yet answers an empty page")
    func emptyCollection() async throws {
        let harness = try SearchHarness()
        try await harness.api.application().test(.router) { client in
            let response = try await client.call(
                .get, "/v1/search?collection=article&q=anything", token: harness.acme.ownerToken)
            #expect(response.status == .ok)
            #expect(response.hits.isEmpty)
            #expect(response.object["applied_event_id"] is NSNull)
        }
    }

    @Test("random parameter values never answer 5xx")
    func randomParameters() async throws {
        let harness = try await SearchHarness.catalog()
        let seed = SplitMix64.testSeed()
        print("SearchRouteTests.randomParameters seed: \(seed)")
        var random = SplitMix64(seed: seed)
        let names = [
            "q", "filter", "facets", "sort", "limit", "offset", "cursor", "highlight", "snippet_length",
            "snippet_count", "typo_tolerance", "explain", "facet_filters%5Bsku%5D", "prefix", "facet",
        ]
        let values = [
            "", "lamp", "%22", "(", "*", "a~9", "price_amount", "price_amount:desc", "_score", "-1", "0", "1",
            "999999999999999999999", "1e300", "title", "sku", "status%20%3D%20active", "price_amount%20%3E%3D%20x",
            "attributes.color", "NOT%20NOT", "%FF", "true", "lamp%20OR%20chair^3", "*,title", "created_at",
        ]
        var requests: [(uri: String, token: String)] = []
        for _ in 0..<200 {
            let route = ["/v1/search", "/v1/facet-search"].randomElement(using: &random)!
            var query = "collection=" + (["products", "article", "nope"].randomElement(using: &random)!)
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                query += "&" + names.randomElement(using: &random)! + "=" + values.randomElement(using: &random)!
            }
            let token = Bool.random(using: &random) ? harness.publicKey : harness.acme.ownerToken
            requests.append((route + "?" + query, token))
        }
        let planned = requests
        try await harness.api.application().test(.router) { client in
            for (round, request) in planned.enumerated() {
                let response = try await client.call(.get, request.uri, token: request.token)
                #expect(response.status.code < 500, "seed \(seed) round \(round) \(request.uri): \(response.text)")
            }
        }
    }

    @Test("live: a search over a real socket")
    func live() async throws {
        let harness = try await SearchHarness.catalog()
        try await harness.api.application().test(.live) { client in
            let response = try await client.call(
                .get, "/v1/search?collection=products&q=chair&sort=price_amount", token: harness.publicKey)
            #expect(response.status == .ok)
            #expect(response.skus == ["C2", "C1"])
            #expect(response.headers[.init("X-Request-ID")!] != nil)
        }
    }
}
