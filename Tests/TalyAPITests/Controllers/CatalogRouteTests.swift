import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("catalog routes")
struct CatalogRouteTests {
    static let mug = #"""
        {"sku": "MUG-1", "title": "Blue mug", "description": "Holds tea.",
         "price": {"amount": 1299, "currency": "EUR"},
         "attributes": {"color": "blue", "capacity_ml": 350, "sizes": ["S", "M"]}, "status": "active"}
        """#

    static func product(_ scope: any TenantStore, sku: String, status: ProductStatus = .active) throws -> ProductRecord
    {
        let json =
            #"{"sku": "\#(sku)", "title": "T \#(sku)", "price": {"amount": 100, "currency": "EUR"}, "status": "\#(status.rawValue)"}"#
        return try scope.createProduct(try ProductDraft.decode(json: Data(json.utf8)), by: .system)
    }

    @Test("products: create in the ingest shape, 409 on a taken SKU, 422 naming the field, read, replace, delete")
    func products() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let (_, author) = try harness.user(in: acme, email: "author@acme.example", role: .author)
        try await harness.application().test(.router) { client in
            let created = try await client.call(.post, "/v1/catalog/products", token: acme.ownerToken, json: Self.mug)
            #expect(created.status == .created)
            #expect(created.headers[.eTag] == "\"1\"")
            let price = created.object["price"] as? [String: Any] ?? [:]
            #expect(price["amount"] as? Int == 1299)
            #expect(price["currency"] as? String == "EUR")
            #expect((created.object["attributes"] as? [String: Any])?["capacity_ml"] as? Int == 350)
            let id = try #require(created.object["id"] as? Int)

            let taken = try await client.call(.post, "/v1/catalog/products", token: acme.ownerToken, json: Self.mug)
            #expect(taken.status == .conflict)
            #expect(taken.invalidParamNames == ["sku"])
            for (body, field) in [
                (#"{"sku": "X", "title": "T", "price": {"amount": 12.5, "currency": "EUR"}}"#, "price.amount"),
                (#"{"sku": "X", "title": "T", "price": {"amount": 1, "currency": "EURO"}}"#, "price.currency"),
                (#"{"sku": "X", "title": "T"}"#, "price"),
                (#"{"sku": "X", "title": "T", "price": {"amount": 1, "currency": "EUR"}, "colour": 1}"#, "colour"),
                (#"{"sku": "X", "title": "T", "price": {"amount": 1, "currency": "EUR"}, "status": "gone"}"#, "status"),
            ] {
                let refused = try await client.call(.post, "/v1/catalog/products", token: acme.ownerToken, json: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.invalidParamNames == [field], "\(body): \(refused.text)")
            }
            #expect(
                try await client.call(.post, "/v1/catalog/products", token: author, json: Self.mug).status == .forbidden
            )

            let uri = "/v1/catalog/products/\(id)"
            let read = try await client.call(.get, uri, token: author)
            #expect(read.status == .ok)
            #expect(read.object["sku"] as? String == "MUG-1")
            let replacement = Self.mug.replacingOccurrences(of: "1299", with: "1499")
            #expect(
                try await client.call(.put, uri, token: acme.ownerToken, json: replacement).status
                    == .preconditionRequired)
            let stale = try await client.call(
                .put, uri, token: acme.ownerToken, json: replacement, headers: [.ifMatch: "\"2\""])
            #expect(stale.status == .preconditionFailed)
            let replaced = try await client.call(
                .put, uri, token: acme.ownerToken, json: replacement, headers: [.ifMatch: "\"1\""])
            #expect(replaced.status == .ok)
            #expect((replaced.object["price"] as? [String: Any])?["amount"] as? Int == 1499)
            #expect(replaced.headers[.eTag] == "\"2\"")

            #expect(try await client.call(.delete, uri, token: acme.ownerToken).status == .preconditionRequired)
            let deleted = try await client.call(.delete, uri, token: acme.ownerToken, headers: [.ifMatch: "\"2\""])
            #expect(deleted.status == .noContent)
            #expect(try await client.call(.get, uri, token: acme.ownerToken).status == .notFound)
        }
    }

    @Test("products: every bad field of a create or a replace is reported in one 422")
    func everyProblemAtOnce() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let bad = #"""
            {"sku": "has space", "title": " ", "description": 7, "price": {"amount": -1, "currency": "XXQ", "tax": 1},
             "attributes": {"ok": 1, "nested": {"a": 1}, "empty": null}, "status": "gone", "colour": "red"}
            """#
        let expected: Set = [
            "colour", "sku", "title", "description", "price.amount", "price.currency", "price.tax",
            "attributes.nested", "attributes.empty", "status",
        ]
        try await harness.application().test(.router) { client in
            let refused = try await client.call(.post, "/v1/catalog/products", token: acme.ownerToken, json: bad)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.problemKind == "validation")
            #expect(Set(refused.invalidParamNames) == expected, "\(refused.text)")
            #expect(refused.invalidParamNames.count == expected.count, "\(refused.text)")

            let created = try await client.call(.post, "/v1/catalog/products", token: acme.ownerToken, json: Self.mug)
            let uri = "/v1/catalog/products/\(try #require(created.object["id"] as? Int))"
            let replaced = try await client.call(
                .put, uri, token: acme.ownerToken, json: bad, headers: [.ifMatch: "\"1\""])
            #expect(replaced.status == .unprocessableContent)
            #expect(Set(replaced.invalidParamNames) == expected, "\(replaced.text)")
            // Only the price object is wrong: both of its members are named, nothing else.
            let price = try await client.call(
                .post, "/v1/catalog/products", token: acme.ownerToken,
                json: #"{"sku": "P-2", "title": "T", "price": {"amount": "12", "currency": 5}}"#)
            #expect(Set(price.invalidParamNames) == ["price.amount", "price.currency"], "\(price.text)")
            #expect(try await client.call(.get, uri, token: acme.ownerToken).object["version"] as? Int == 1)
        }
    }

    @Test("products: PATCH is a JSON merge patch with If-Match (428, 412), null clears, 422 lists every problem")
    func patchProduct() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let globex = try harness.tenant("globex")
        let (_, author) = try harness.user(in: acme, email: "author@acme.example", role: .author)
        try await harness.application().test(.router) { client in
            let created = try await client.call(.post, "/v1/catalog/products", token: acme.ownerToken, json: Self.mug)
            let uri = "/v1/catalog/products/\(try #require(created.object["id"] as? Int))"
            let change = #"""
                {"price": {"amount": 999}, "description": null,
                 "attributes": {"color": null, "material": "clay", "weight_kg": 0.25}}
                """#
            #expect(
                try await client.call(.patch, uri, token: acme.ownerToken, json: change).status == .preconditionRequired
            )
            let stale = try await client.call(
                .patch, uri, token: acme.ownerToken, json: change, headers: [.ifMatch: "\"7\""])
            #expect(stale.status == .preconditionFailed)
            #expect(
                try await client.call(.patch, uri, token: author, json: change, headers: [.ifMatch: "\"1\""]).status
                    == .forbidden)
            #expect(
                try await client.call(.patch, uri, token: globex.ownerToken, json: change, headers: [.ifMatch: "\"1\""])
                    .status == .notFound)

            let patched = try await client.call(
                .patch, uri, token: acme.ownerToken, json: change,
                headers: [.ifMatch: "\"1\"", .contentType: "application/merge-patch+json"])
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.headers[.eTag] == "\"2\"")
            let price = patched.object["price"] as? [String: Any] ?? [:]
            #expect(price["amount"] as? Int == 999)
            #expect(price["currency"] as? String == "EUR")
            #expect(patched.object["description"] as? String == "")
            #expect(patched.object["title"] as? String == "Blue mug")
            #expect(patched.object["status"] as? String == "active")
            let attributes = patched.object["attributes"] as? [String: Any] ?? [:]
            #expect(Set(attributes.keys) == ["capacity_ml", "sizes", "material", "weight_kg"])
            #expect(attributes["capacity_ml"] as? Int == 350)
            #expect(attributes["sizes"] as? [String] == ["S", "M"])
            #expect(attributes["weight_kg"] as? Double == 0.25)

            let refused = try await client.call(
                .patch, uri, token: acme.ownerToken,
                json: #"{"title": null, "sku": "", "price": {"currency": "NOPE", "amount": null}, "shape": 1}"#,
                headers: [.ifMatch: "\"2\""])
            #expect(refused.status == .unprocessableContent)
            #expect(
                Set(refused.invalidParamNames) == ["title", "sku", "price.currency", "price.amount", "shape"],
                "\(refused.text)")
            #expect(refused.invalidParamNames.count == 5, "\(refused.text)")
            let notObject = try await client.call(
                .patch, uri, token: acme.ownerToken, json: "[1, 2]", headers: [.ifMatch: "\"2\""])
            #expect(notObject.status == .unprocessableContent)
            #expect(notObject.invalidParamNames == ["body"])
            let broken = try await client.call(
                .patch, uri, token: acme.ownerToken, json: "{\"title\": ", headers: [.ifMatch: "\"2\""])
            #expect(broken.status == .badRequest)
            let unchanged = try await client.call(.get, uri, token: acme.ownerToken)
            #expect(unchanged.object["version"] as? Int == 2)
            #expect(unchanged.object["title"] as? String == "Blue mug")
        }
    }

    @Test("the product list pages with a cursor and filters on status and SKU")
    func list() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        var active: [Int] = []
        for index in 0..<5 {
            let product = try Self.product(acme.scope, sku: "P\(index)", status: index == 2 ? .draft : .active)
            if index != 2 { active.append(Int(product.id!.rawValue)) }
        }
        let expected = active
        try await harness.application().test(.router) { client in
            var seen: [Int] = []
            var cursor: String?
            repeat {
                let page = try await client.call(
                    .get, "/v1/catalog/products?status=active&limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""),
                    token: acme.ownerToken)
                seen += (page.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                cursor = page.object["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == expected)
            let bySKU = try await client.call(.get, "/v1/catalog/products?sku=P3", token: acme.ownerToken)
            #expect((bySKU.object["data"] as? [[String: Any]])?.compactMap { $0["sku"] as? String } == ["P3"])
            let bad = try await client.call(.get, "/v1/catalog/products?status=sold&limit=500", token: acme.ownerToken)
            #expect(Set(bad.invalidParamNames) == ["status", "limit"])
        }
    }

    @Test("inventory: adjust, reserve, release, commit; never below zero; customers reserve but do not adjust")
    func inventory() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let (_, customer) = try harness.user(in: acme, email: "c@acme.example", role: .customer)
        let product = try Self.product(acme.scope, sku: "MUG").id!.rawValue
        let stock = "/v1/catalog/products/\(product)/inventory"
        try await harness.application().test(.router) { client in
            let adjusted = try await client.call(
                .post, "\(stock)/berlin/adjust", token: acme.ownerToken, json: #"{"delta": 10}"#)
            #expect(adjusted.status == .ok)
            #expect(adjusted.object["on_hand"] as? Int == 10)
            #expect(adjusted.object["available"] as? Int == 10)
            let tooMuch = try await client.call(
                .post, "\(stock)/berlin/adjust", token: acme.ownerToken, json: #"{"delta": -11}"#)
            #expect(tooMuch.status == .conflict)
            let zero = try await client.call(
                .post, "\(stock)/berlin/adjust", token: acme.ownerToken, json: #"{"delta": 0}"#)
            #expect(zero.invalidParamNames == ["delta"])
            #expect(
                try await client.call(.post, "\(stock)/berlin/adjust", token: customer, json: #"{"delta": 5}"#).status
                    == .forbidden)

            let reserved = try await client.call(
                .post, "\(stock)/berlin/reservations", token: customer, json: #"{"quantity": 4}"#)
            #expect(reserved.status == .created)
            let reservation = try #require(reserved.object["id"] as? Int)
            let over = try await client.call(
                .post, "\(stock)/berlin/reservations", token: customer, json: #"{"quantity": 7}"#)
            #expect(over.status == .conflict)
            let nowhere = try await client.call(
                .post, "\(stock)/paris/reservations", token: customer, json: #"{"quantity": 1}"#)
            #expect(nowhere.status == .conflict)

            let row = try await client.call(.get, "\(stock)/berlin", token: acme.ownerToken)
            #expect(row.object["reserved"] as? Int == 4)
            #expect(row.object["available"] as? Int == 6)
            #expect(try await client.call(.get, "\(stock)/paris", token: acme.ownerToken).status == .notFound)
            let rows = try await client.call(.get, stock, token: acme.ownerToken)
            #expect((rows.object["data"] as? [[String: Any]])?.compactMap { $0["location"] as? String } == ["berlin"])
            let open = try await client.call(
                .get, "/v1/catalog/products/\(product)/reservations", token: acme.ownerToken)
            #expect((open.object["data"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [reservation])

            #expect(
                try await client.call(.post, "/v1/catalog/reservations/\(reservation)/release", token: customer).status
                    == .forbidden)
            let released = try await client.call(
                .post, "/v1/catalog/reservations/\(reservation)/release", token: acme.ownerToken)
            #expect(released.object["available"] as? Int == 10)
            let twice = try await client.call(
                .post, "/v1/catalog/reservations/\(reservation)/release", token: acme.ownerToken)
            #expect(twice.status == .notFound)

            let second = try await client.call(
                .post, "\(stock)/berlin/reservations", token: acme.ownerToken, json: #"{"quantity": 3}"#)
            let shipped = try await client.call(
                .post, "/v1/catalog/reservations/\(try #require(second.object["id"] as? Int))/commit",
                token: acme.ownerToken)
            #expect(shipped.object["on_hand"] as? Int == 7)
            #expect(shipped.object["reserved"] as? Int == 0)

            let reservedStock = try await client.call(
                .post, "\(stock)/berlin/reservations", token: acme.ownerToken, json: #"{"quantity": 1}"#)
            #expect(reservedStock.status == .created)
            let blocked = try await client.call(
                .delete, "/v1/catalog/products/\(product)", token: acme.ownerToken, headers: [.ifMatch: "*"])
            #expect(blocked.status == .conflict, "a product with reserved stock stays")
        }
    }

    @Test("live: parallel reservations against limited stock reserve exactly the stock, never below zero")
    func parallelReservations() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let product = try Self.product(acme.scope, sku: "RARE").id!
        let stockUnits: Int64 = 37
        try acme.scope.adjustStock(of: product, at: "main", by: stockUnits, by: .system)
        let seed = SplitMix64.testSeed()
        print("parallelReservations seed: \(seed)")
        var random = SplitMix64(seed: seed)
        let quantities = (0..<80).map { _ in Int.random(in: 1...3, using: &random) }
        let uri = "/v1/catalog/products/\(product.rawValue)/inventory/main/reservations"
        let token = acme.ownerToken
        try await harness.application().test(.live) { client in
            // Eight connections, so requests really run at once rather than queue on one.
            let outcomes = try await LiveConnections.with(8, to: client) { connections in
                try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                    for (index, quantity) in quantities.enumerated() {
                        group.addTask {
                            let response = try await connections.call(
                                .post, uri, on: index, token: token, json: #"{"quantity": \#(quantity)}"#)
                            return (quantity, response.status)
                        }
                    }
                    var outcomes: [(Int, HTTPResponse.Status)] = []
                    for try await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
            }
            #expect(outcomes.allSatisfy { $0.1 == .created || $0.1 == .conflict }, "\(outcomes.map(\.1))")
            let granted = outcomes.filter { $0.1 == .created }.map(\.0).reduce(0, +)
            let row = try #require(try acme.scope.stock(of: product, at: "main"))
            #expect(Int64(granted) == row.reserved)
            #expect(row.onHand == stockUnits)
            #expect(row.reserved <= stockUnits)
            #expect(try acme.scope.reservations(of: product).map(\.quantity).reduce(0, +) == row.reserved)
            // Every refusal was right when made: stock only shrinks, so a refused quantity is
            // larger than what is left at the end.
            for (quantity, status) in outcomes where status == .conflict {
                #expect(Int64(quantity) > row.available, "refused \(quantity) with \(row.available) left")
            }
            #expect(row.available < 3, "80 requests of at least 1 unit exhaust 37 units down to under 3")
        }
    }
}
