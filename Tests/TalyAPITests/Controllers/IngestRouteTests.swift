import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

/// One line's expected result, computed by the test's own model of the store.
struct ExpectedLine: Equatable, CustomStringConvertible {
    let line: Int
    let outcome: String
    /// The sku or slug the answer names (nil when the line did not decode).
    let key: String?
    /// For rejects: the field at fault.
    let field: String?

    var description: String { "line \(line) \(outcome) \(key ?? "-") \(field ?? "")" }
}

@Suite("bulk ingest route")
struct IngestRouteTests {
    static let ndjson: HTTPFields = [.contentType: "application/x-ndjson"]

    // MARK: - Products

    struct ProductValues: Equatable {
        let title: String
        let amount: Int
    }

    enum ProductLine {
        case valid(sku: String, ProductValues)
        case broken([UInt8], field: String)
        case blank

        var bytes: [UInt8] {
            switch self {
            case .valid(let sku, let values):
                Array(
                    #"{"sku":"\#(sku)","title":"\#(values.title)","price":{"amount":\#(values.amount),"currency":"EUR"}}"#
                        .utf8)
            case .broken(let bytes, _): bytes
            case .blank: Array("   ".utf8)
            }
        }
    }

    /// Bad lines and the field each must be rejected for: malformed JSON, wrong types, invalid
    /// UTF-8, not an object, an unknown member, a missing SKU.
    static let brokenProducts: [ProductLine] = [
        .broken(Array(#"{"sku": "P-1", "title": "#.utf8), field: "record"),
        .broken(
            Array(#"{"sku":"P-2","title":"T","price":{"amount":"12","currency":"EUR"}}"#.utf8), field: "price.amount"),
        .broken(
            Array(#"{"sku":"P-3","title":""#.utf8) + [0xC3, 0x28]
                + Array(#"","price":{"amount":1,"currency":"EUR"}}"#.utf8), field: "record"),
        .broken(Array("[1, 2]".utf8), field: "record"),
        .broken(
            Array(#"{"sku":"P-4","title":"T","price":{"amount":1,"currency":"EUR"},"colour":"red"}"#.utf8),
            field: "colour"),
        .broken(Array(#"{"title":"T","price":{"amount":1,"currency":"EUR"}}"#.utf8), field: "sku"),
    ]

    static func randomProductLines(_ count: Int, using random: inout SplitMix64) -> [ProductLine] {
        (0..<count).map { _ in
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                .valid(
                    sku: "P-\(Int.random(in: 0..<8, using: &random))",
                    ProductValues(
                        title: ["Mug", "Cup", "Bowl"][Int.random(in: 0..<3, using: &random)],
                        amount: [100, 250][Int.random(in: 0..<2, using: &random)]))
            case 6: .blank
            default: brokenProducts[Int.random(in: 0..<brokenProducts.count, using: &random)]
            }
        }
    }

    /// What the store must answer for `lines` in upsert or replace mode (no attributes, so
    /// both leave a product exactly as the line says), updating `stored`.
    static func expectedProducts(_ lines: [ProductLine], stored: inout [String: ProductValues]) -> [ExpectedLine] {
        var expected: [ExpectedLine] = []
        for (index, line) in lines.enumerated() {
            switch line {
            case .blank: continue
            case .broken(_, let field):
                expected.append(ExpectedLine(line: index + 1, outcome: "rejected", key: nil, field: field))
            case .valid(let sku, let values):
                let outcome = stored[sku] == nil ? "created" : stored[sku] == values ? "unchanged" : "updated"
                stored[sku] = values
                expected.append(ExpectedLine(line: index + 1, outcome: outcome, key: sku, field: nil))
            }
        }
        return expected
    }

    static func body(_ lines: [[UInt8]]) -> [UInt8] {
        lines.flatMap { $0 + [0x0A] }
    }

    /// Checks the answer line by line and its summary against `expected`; `id` finds the
    /// stored record's id by its key.
    static func check(
        _ response: TestResponse, _ expected: [ExpectedLine], keyName: String, allowRejects: Bool = false,
        id: (String) throws -> Int64?
    ) throws {
        try check(
            status: response.status, body: response.body, expected, keyName: keyName, allowRejects: allowRejects,
            id: id)
    }

    static func check(
        status: HTTPResponse.Status, body: ByteBuffer, _ expected: [ExpectedLine], keyName: String,
        allowRejects: Bool = false, id: (String) throws -> Int64?
    ) throws {
        let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        let rejected = expected.filter { $0.outcome == "rejected" }.count
        let wantStatus: HTTPResponse.Status = rejected > 0 && !allowRejects ? .multiStatus : .ok
        #expect(status == wantStatus, "\(String(buffer: body).prefix(500))")
        let results = object["results"] as? [[String: Any]] ?? []
        let got = results.map { result in
            ExpectedLine(
                line: result["line"] as? Int ?? -1, outcome: result["outcome"] as? String ?? "?",
                key: result[keyName] as? String, field: result["field"] as? String)
        }
        #expect(got == expected)
        for (result, want) in zip(results, expected) where want.outcome != "rejected" {
            let stored = try want.key.flatMap(id)
            #expect(stored != nil && (result["id"] as? Int).map(Int64.init) == stored, "\(want)")
        }
        for result in results where result["outcome"] as? String == "rejected" {
            #expect(!(result["reason"] as? String ?? "").isEmpty)
        }
        let summary = object["summary"] as? [String: Any] ?? [:]
        func count(_ outcome: String) -> Int { expected.filter { $0.outcome == outcome }.count }
        #expect(summary["records"] as? Int == expected.count)
        #expect(summary["created"] as? Int == count("created"))
        #expect(summary["updated"] as? Int == count("updated"))
        #expect(summary["unchanged"] as? Int == count("unchanged"))
        #expect(summary["rejected"] as? Int == rejected)
        #expect(summary["accepted"] as? Int == expected.count - rejected)
        #expect(summary["elapsed_ms"] is Double || summary["elapsed_ms"] is Int)
    }

    static func eventCounts(_ scope: any TenantStore, prefix: String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for event in try scope.outboxEvents(limit: 100_000) where event.eventType.hasPrefix(prefix) {
            counts[event.eventType, default: 0] += 1
        }
        return counts
    }

    @Test("products: mixed good and bad lines get exact per-line outcomes; a repeat is unchanged; events follow")
    func products() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let seed = SplitMix64.testSeed()
        print("IngestRouteTests.products seed: \(seed)")
        try await harness.application().test(.router) { client in
            var random = SplitMix64(seed: seed)
            var stored: [String: ProductValues] = [:]
            var created = 0
            var updated = 0
            var lines = Self.randomProductLines(120, using: &random)
            // At least one bad line and one good one whatever the seed.
            lines.insert(Self.brokenProducts[2], at: 0)
            lines.append(.valid(sku: "P-9", ProductValues(title: "Jar", amount: 5)))
            for (round, mode) in ["upsert", "upsert", "replace"].enumerated() {
                // Round 1 sends every stored product as it is: each line must come back unchanged.
                if round == 1 { lines = stored.sorted { $0.key < $1.key }.map { .valid(sku: $0.key, $0.value) } }
                if round == 2 { lines = Self.randomProductLines(60, using: &random) }
                let expected = Self.expectedProducts(lines, stored: &stored)
                created += expected.filter { $0.outcome == "created" }.count
                updated += expected.filter { $0.outcome == "updated" }.count
                let response = try await client.call(
                    .post, "/v1/ingest?collection=products&mode=\(mode)", token: acme.bootstrap.apiKey,
                    bytes: Self.body(lines.map(\.bytes)), headers: Self.ndjson)
                try Self.check(response, expected, keyName: "sku") { try acme.scope.product(sku: $0)?.id?.rawValue }
                if round == 1 { #expect(!expected.isEmpty && expected.allSatisfy { $0.outcome == "unchanged" }) }
            }
            for (sku, values) in stored {
                let product = try #require(try acme.scope.product(sku: sku))
                #expect(product.draft.title == values.title)
                #expect(product.draft.price.amount == Int64(values.amount))
            }
            #expect(try acme.scope.products(limit: 100).count == stored.count)
            let events = try Self.eventCounts(acme.scope, prefix: "product.")
            #expect(events["product.created", default: 0] == created)
            #expect(events["product.updated", default: 0] == updated)

            // allow_rejects answers 200 for the same kind of body; insert rejects a taken SKU.
            let again = try await client.call(
                .post, "/v1/ingest?collection=products&mode=insert&allow_rejects=true", token: acme.ownerToken,
                bytes: Self.body([ProductLine.valid(sku: "P-9", ProductValues(title: "Jar", amount: 5)).bytes]),
                headers: Self.ndjson)
            try Self.check(
                again, [ExpectedLine(line: 1, outcome: "rejected", key: "P-9", field: "sku")], keyName: "sku",
                allowRejects: true
            ) { try acme.scope.product(sku: $0)?.id?.rawValue }
        }
    }

    // MARK: - Content

    struct ArticleValues: Equatable {
        var title: String
        var body: String
        var rating: Int?
    }

    enum ArticleLine {
        case valid(slug: String, ArticleValues)
        case broken([UInt8], field: String)
        case blank

        var bytes: [UInt8] {
            switch self {
            case .valid(let slug, let values):
                Array(
                    (#"{"slug":"\#(slug)","title":"\#(values.title)","body":"\#(values.body)""#
                        + (values.rating.map { #","rating":\#($0)"# } ?? "") + "}").utf8)
            case .broken(let bytes, _): bytes
            case .blank: []
            }
        }
    }

    static let brokenArticles: [ArticleLine] = [
        .broken(Array(#"{"slug":"b-1","title":"T"}"#.utf8), field: "fields.body"),
        .broken(Array(#"{"slug":"b-2","title":"T","body":"x","rating":"high"}"#.utf8), field: "fields.rating"),
        .broken(Array(#"{"title":"T","body":"x"}"#.utf8), field: "slug"),
        .broken(Array(#"{"slug":"b-3","title":"T","body":"x","tags":"one"}"#.utf8), field: "fields.tags"),
        .broken(Array(#"{"slug":"b-4","title":"T","body":""#.utf8) + [0xFF] + Array(#""}"#.utf8), field: "record"),
        .broken(Array("nul".utf8), field: "record"),
    ]

    static func randomArticleLines(_ count: Int, using random: inout SplitMix64) -> [ArticleLine] {
        (0..<count).map { _ in
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                .valid(
                    slug: "a-\(Int.random(in: 0..<8, using: &random))",
                    ArticleValues(
                        title: ["One", "Two"][Int.random(in: 0..<2, using: &random)],
                        body: ["alpha", "beta"][Int.random(in: 0..<2, using: &random)],
                        rating: Bool.random(using: &random) ? nil : Int.random(in: 1...3, using: &random)))
            case 6: .blank
            default: brokenArticles[Int.random(in: 0..<brokenArticles.count, using: &random)]
            }
        }
    }

    /// The store's answer for `lines` in `mode`: upsert keeps a stored rating the line leaves
    /// out, replace drops it, insert rejects a taken slug.
    static func expectedArticles(_ lines: [ArticleLine], mode: String, stored: inout [String: ArticleValues])
        -> [ExpectedLine]
    {
        var expected: [ExpectedLine] = []
        for (index, line) in lines.enumerated() {
            switch line {
            case .blank: continue
            case .broken(_, let field):
                expected.append(ExpectedLine(line: index + 1, outcome: "rejected", key: nil, field: field))
            case .valid(let slug, var values):
                let outcome: String
                if let current = stored[slug] {
                    if mode == "insert" {
                        expected.append(ExpectedLine(line: index + 1, outcome: "rejected", key: slug, field: "slug"))
                        continue
                    }
                    if mode == "upsert" && values.rating == nil { values.rating = current.rating }
                    outcome = current == values ? "unchanged" : "updated"
                } else {
                    outcome = "created"
                }
                stored[slug] = values
                expected.append(ExpectedLine(line: index + 1, outcome: outcome, key: slug, field: nil))
            }
        }
        return expected
    }

    @Test("content: per-line outcomes in every mode match a model of the store; repeats are unchanged")
    func content() async throws {
        let harness = try APIHarness()
        let (acme, type) = try ContentRouteTests.withArticles(harness)
        let seed = SplitMix64.testSeed()
        print("IngestRouteTests.content seed: \(seed)")
        try await harness.application().test(.router) { client in
            var random = SplitMix64(seed: seed)
            var stored: [String: ArticleValues] = [:]
            var created = 0
            var updated = 0
            for (round, mode) in ["upsert", "upsert", "replace", "insert", "upsert"].enumerated() {
                // Round 1 sends every stored item as it is: each line must come back unchanged.
                let lines: [ArticleLine] =
                    round == 1
                    ? stored.sorted { $0.key < $1.key }.map { .valid(slug: $0.key, $0.value) }
                    : Self.randomArticleLines(80, using: &random)
                let expected = Self.expectedArticles(lines, mode: mode, stored: &stored)
                created += expected.filter { $0.outcome == "created" }.count
                updated += expected.filter { $0.outcome == "updated" }.count
                let response = try await client.call(
                    .post, "/v1/ingest?collection=article&mode=\(mode)", token: acme.ownerToken,
                    bytes: Self.body(lines.map(\.bytes)), headers: Self.ndjson)
                try Self.check(response, expected, keyName: "slug") {
                    try acme.scope.contentItem(of: type.id!, slug: $0)?.id?.rawValue
                }
                #expect(response.object["collection"] as? String == "article")
                #expect(response.object["mode"] as? String == mode)
                if round == 1 { #expect(!expected.isEmpty && expected.allSatisfy { $0.outcome == "unchanged" }) }
            }
            for (slug, values) in stored {
                let item = try #require(try acme.scope.contentItem(of: type.id!, slug: slug))
                #expect(item.title == values.title)
                #expect(item.fields["body"] == .string(values.body))
                #expect(item.fields["rating"] == values.rating.map { .number(Double($0)) }, "\(slug)")
                #expect(item.status == .draft)
            }
            let events = try Self.eventCounts(acme.scope, prefix: "content_item.")
            #expect(events["content_item.created", default: 0] == created)
            #expect(events["content_item.updated", default: 0] == updated)
        }
    }

    // MARK: - Permissions and tenants

    @Test("permissions: a read-only key gets 403 and writes nothing; authors cannot publish through ingest")
    func permissions() async throws {
        let harness = try APIHarness()
        let (acme, type) = try ContentRouteTests.withArticles(harness)
        let reader = try acme.scope.createAPIKey(
            name: "reader", scopes: [.contentRead, .catalogRead, .search], expiresAt: nil, by: .system
        ).key
        let (_, author) = try harness.user(in: acme, email: "author@acme.example", role: .author)
        let published = try acme.scope.createContentItem(
            of: type.id!, ContentItemDraft(title: "Live", slug: "live", fields: ["body": .string("b")]), by: .system)
        _ = try acme.scope.publishContentItem(published.id!, expectedVersion: published.version, by: .system)
        _ = try acme.scope.createContentItem(
            of: type.id!, ContentItemDraft(title: "Draft", slug: "draft", fields: ["body": .string("b")]),
            by: .system)
        let product = Array(#"{"sku":"R-1","title":"T","price":{"amount":1,"currency":"EUR"}}"#.utf8)
        let article = Array(#"{"slug":"new","title":"T","body":"x"}"#.utf8)
        try await harness.application().test(.router) { client in
            for (collection, line) in [("products", product), ("article", article)] {
                let refused = try await client.call(
                    .post, "/v1/ingest?collection=\(collection)", token: reader, bytes: line, headers: Self.ndjson)
                #expect(refused.status == .forbidden, "\(collection)")
                #expect(refused.problemKind == "forbidden")
                let anonymous = try await client.call(
                    .post, "/v1/ingest?collection=\(collection)", bytes: line, headers: Self.ndjson)
                #expect(anonymous.status == .unauthorized)
            }
            // Authors write content drafts but not the catalog.
            let catalog = try await client.call(
                .post, "/v1/ingest?collection=products", token: author, bytes: product, headers: Self.ndjson)
            #expect(catalog.status == .forbidden)
            #expect(try acme.scope.product(sku: "R-1") == nil)
            #expect(try acme.scope.contentItem(of: type.id!, slug: "new") == nil)

            let lines = [
                #"{"slug":"live","title":"Live","body":"changed"}"#,
                #"{"slug":"live","title":"Live","body":"b"}"#,
                #"{"slug":"draft","title":"Draft","body":"changed"}"#,
                #"{"slug":"later","title":"T","body":"x","publish_at":"2030-01-01T00:00:00Z"}"#,
                #"{"slug":"draft","title":"Draft","body":"changed","publish_at":"2030-01-01T00:00:00Z"}"#,
                #"{"slug":"new","title":"T","body":"x"}"#,
            ].map { Array($0.utf8) }
            let response = try await client.call(
                .post, "/v1/ingest?collection=article", token: author, bytes: Self.body(lines), headers: Self.ndjson)
            try Self.check(
                response,
                [
                    ExpectedLine(line: 1, outcome: "rejected", key: "live", field: "status"),
                    ExpectedLine(line: 2, outcome: "unchanged", key: "live", field: nil),
                    ExpectedLine(line: 3, outcome: "updated", key: "draft", field: nil),
                    ExpectedLine(line: 4, outcome: "rejected", key: "later", field: "publish_at"),
                    ExpectedLine(line: 5, outcome: "rejected", key: "draft", field: "publish_at"),
                    ExpectedLine(line: 6, outcome: "created", key: "new", field: nil),
                ], keyName: "slug"
            ) { try acme.scope.contentItem(of: type.id!, slug: $0)?.id?.rawValue }
            #expect(try acme.scope.contentItem(published.id!).fields["body"] == .string("b"))
            // The owner holds content.publish: the same change to the published item goes through.
            let owner = try await client.call(
                .post, "/v1/ingest?collection=article", token: acme.ownerToken, bytes: Self.body([lines[0], lines[3]]),
                headers: Self.ndjson)
            #expect(owner.status == .ok, "\(owner.text)")
            #expect(try acme.scope.contentItem(published.id!).fields["body"] == .string("changed"))
            #expect(try acme.scope.contentItem(of: type.id!, slug: "later")?.publishAt != nil)
        }
    }

    @Test("tenant B's key writes into B only: A's products and types are out of reach")
    func crossTenant() async throws {
        let harness = try APIHarness()
        let (acme, acmeType) = try ContentRouteTests.withArticles(harness, "acme")
        let globex = try harness.tenant("globex")
        let acmeProduct = try CatalogRouteTests.product(acme.scope, sku: "SHARED")
        try await harness.application().test(.router) { client in
            let line = Array(#"{"sku":"SHARED","title":"pwned","price":{"amount":1,"currency":"EUR"}}"#.utf8)
            for token in [globex.bootstrap.apiKey, globex.ownerToken] {
                let response = try await client.call(
                    .post, "/v1/ingest?collection=products", token: token, bytes: line, headers: Self.ndjson)
                #expect(response.status == .ok)
                let results = response.object["results"] as? [[String: Any]] ?? []
                let ownID = try globex.scope.product(sku: "SHARED")?.id?.rawValue
                #expect(results.first?["id"] as? Int == ownID.map(Int.init))
                #expect(ownID != acmeProduct.id!.rawValue)
                // Acme's type name is not globex's: 404, the same as for a name nobody has.
                let article = try await client.call(
                    .post, "/v1/ingest?collection=article", token: token,
                    bytes: Array(#"{"slug":"x","title":"pwned","body":"x"}"#.utf8), headers: Self.ndjson)
                #expect(article.status == .notFound)
            }
            let after = try acme.scope.product(acmeProduct.id!)
            #expect(after.version == 1)
            #expect(after.draft.title == acmeProduct.draft.title)
            #expect(try acme.scope.products(limit: 10).count == 1)
            #expect(try acme.scope.contentItems(of: acmeType.id!, limit: 10).isEmpty)
            #expect(try globex.scope.products(limit: 10).count == 1)
        }
    }

    // MARK: - Errors

    @Test("every error path: 401, 403, 404, 413, 415, 422 naming the parameter, 400 for no records")
    func errors() async throws {
        var settings = APIHarness.testGateway
        settings.maxBodyBytes = 256
        settings.maxIngestBodyBytes = 4096
        let harness = try APIHarness(gateway: settings)
        let limits = settings
        let acme = try harness.tenant("acme")
        let token = acme.bootstrap.apiKey
        let line = Array(#"{"sku":"E-1","title":"T","price":{"amount":1,"currency":"EUR"}}"#.utf8)
        try await harness.application().test(.router) { client in
            func post(
                _ query: String, _ body: [UInt8]?, headers: HTTPFields = Self.ndjson, anonymous: Bool = false
            ) async throws -> TestResponse {
                try await client.call(
                    .post, "/v1/ingest" + query, token: anonymous ? nil : token, bytes: body, headers: headers)
            }
            #expect(try await post("?collection=products", line, anonymous: true).status == .unauthorized)
            for (query, names) in [
                ("", ["collection"]), ("?collection=", ["collection"]), ("?collection=a/b", ["collection"]),
                ("?collection=products&mode=merge", ["mode"]),
                ("?collection=products&allow_rejects=maybe", ["allow_rejects"]),
                ("?mode=x", ["collection", "mode"]),
            ] {
                let response = try await post(query, line)
                #expect(response.status == .unprocessableContent, "\(query)")
                #expect(response.invalidParamNames == names, "\(query): \(response.text)")
            }
            let unknown = try await post("?collection=recipes", line)
            #expect(unknown.status == .notFound)
            #expect(unknown.problemKind == "not-found")
            let json = try await post("?collection=products", line, headers: [.contentType: "application/json"])
            #expect(json.status == .unsupportedMediaType)
            let gzip = try await post(
                "?collection=products", line,
                headers: [.contentType: "application/x-ndjson", .contentEncoding: "gzip"])
            #expect(gzip.status == .unsupportedMediaType)
            let noBody = try await post("?collection=products", nil)
            #expect(noBody.status == .badRequest)
            #expect(noBody.problemKind == "malformed-body")
            let empty = try await post("?collection=products", Array("\n  \n".utf8))
            #expect(empty.status == .badRequest)
            #expect(empty.problemKind == "malformed-body")

            // Over the JSON routes' limit but under the ingest limit: accepted.
            let lines = (0..<20).map { index in
                Array(#"{"sku":"E-\#(index)","title":"T","price":{"amount":1,"currency":"EUR"}}"#.utf8)
            }
            let large = Self.body(lines)
            #expect(large.count > limits.maxBodyBytes && large.count < limits.maxIngestBodyBytes)
            let accepted = try await post("?collection=products", large)
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect((accepted.object["summary"] as? [String: Any])?["created"] as? Int == 20)
            // Over the ingest limit: 413 naming it, and nothing written.
            let oversized = Self.body(
                (0..<100).map { index in
                    Array(#"{"sku":"O-\#(index)","title":"T","price":{"amount":1,"currency":"EUR"}}"#.utf8)
                })
            #expect(oversized.count > limits.maxIngestBodyBytes)
            let refused = try await post("?collection=products", oversized)
            #expect(refused.status == .contentTooLarge)
            #expect(refused.problemKind == "payload-too-large")
            #expect((refused.object["detail"] as? String)?.contains("4096") == true)
            #expect(try acme.scope.product(sku: "O-0") == nil)
            #expect(try acme.scope.products(limit: 100).count == 20)
        }
    }

    @Test("the body pipe hands every byte over in order under back-pressure, and stops when the reader does")
    func bodyPipe() async throws {
        let seed = SplitMix64.testSeed()
        print("IngestRouteTests.bodyPipe seed: \(seed)")
        var random = SplitMix64(seed: seed)
        let parts = (0..<300).map { _ in
            (0..<Int.random(in: 0...5000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        let sent = parts.flatMap { $0 }
        let pipe = RequestBodyPipe(capacity: 8192)
        let (body, source) = RequestBody.makeStream()
        let reader = Task {
            try await runOnOwnThread { () throws -> [UInt8] in
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 3000)
                var input = RequestBodySource(pipe: pipe)
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
                    if count == 0 { break }
                    received += buffer[..<count]
                    usleep(50)
                }
                #expect(input.rawBytesRead == received.count)
                return received
            }
        }
        let writer = Task {
            for part in parts { await source.yield(ByteBuffer(bytes: part)) }
            source.finish()
        }
        await pipe.fill(from: body, limit: Int.max)
        await writer.value
        #expect(try await reader.value == sent)

        // Over the limit: the reader gets exactly the limit's first bytes, then a normal end,
        // however the parts fall; the pipe records the cut.
        let limit = 2000
        let limitedParts = parts.prefix(20)
        let limited = RequestBodyPipe(capacity: 1024)
        let (body2, source2) = RequestBody.makeStream()
        let writer2 = Task {
            for part in limitedParts { await source2.yield(ByteBuffer(bytes: part)) }
            source2.finish()
        }
        let reader2 = Task {
            try await runOnOwnThread { () throws -> [UInt8] in
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 512)
                var input = RequestBodySource(pipe: limited)
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
                    if count == 0 { return received }
                    received += buffer[..<count]
                }
            }
        }
        await limited.fill(from: body2, limit: limit)
        writer2.cancel()
        let sentLimited = limitedParts.flatMap { $0 }
        #expect(try await reader2.value == Array(sentLimited.prefix(limit)))
        #expect(limited.failure == (sentLimited.count > limit ? .overLimit(limit) : nil))

        // A pipeline that stops while its reader thread waits for bytes releases that thread.
        let stalled = RequestBodyPipe(capacity: 16)
        let waiting = Task {
            try await runOnOwnThread { () throws -> Int in
                var buffer = [UInt8](repeating: 0, count: 16)
                var input = RequestBodySource(pipe: stalled)
                return try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        stalled.closeReader()
        #expect(try await waiting.value == 0)

        // A reader that stops early releases a writer blocked on a full pipe.
        let abandoned = RequestBodyPipe(capacity: 16)
        let (body3, source3) = RequestBody.makeStream()
        let writer3 = Task {
            for part in parts.prefix(50) { await source3.yield(ByteBuffer(bytes: part)) }
            source3.finish()
        }
        abandoned.closeReader()
        await abandoned.fill(from: body3, limit: Int.max)
        writer3.cancel()
    }

    @Test("live: a body larger than the pipe's buffer streams over loopback into the store")
    func live() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let description = String(repeating: "lorem ipsum ", count: 150)
        let count = 3000
        let lines = (0..<count).map { index in
            Array(
                #"{"sku":"L-\#(index)","title":"T\#(index)","description":"\#(description)","price":{"amount":\#(index),"currency":"EUR"}}"#
                    .utf8)
        }
        let body = Self.body(lines)
        #expect(body.count > 4 << 20, "larger than the pipe holds, so back-pressure is exercised")
        let token = acme.bootstrap.apiKey
        try await harness.application().test(.live) { client in
            let response = try await LiveConnections.with(1, to: client) { connection in
                try await connection.call(
                    .post, "/v1/ingest?collection=products", token: token, bytes: body, headers: Self.ndjson)
            }
            let expected = (0..<count).map {
                ExpectedLine(line: $0 + 1, outcome: "created", key: "L-\($0)", field: nil)
            }
            try Self.check(status: response.status, body: response.body, expected, keyName: "sku") {
                try acme.scope.product(sku: $0)?.id?.rawValue
            }
        }
        #expect(try acme.scope.product(sku: "L-2999")?.draft.price.amount == 2999)
    }
}
