import Foundation
import GRDB
import TalyTestSupport
import Testing

@testable import TalyStore

/// A valid draft with a given SKU, for tests that care about other things.
func sampleDraft(
    sku: String, title: String = "Blue mug", amount: Int64 = 1299, currency: String = "EUR",
    attributes: [String: AttributeValue] = [:], status: ProductStatus = .active
) throws -> ProductDraft {
    try ProductDraft(
        sku: sku, title: title, description: "A mug.", price: try Money(amount: amount, currency: currency),
        attributes: attributes, status: status)
}

func invalidField(_ error: any Error) -> String? {
    guard case .invalid(let field, _) = error as? StoreError else { return nil }
    return field
}

@Suite("products")
struct ProductTests {
    @Test("ISO 4217: exponents of hand-checked codes, and malformed or inactive codes refused by name")
    func currencies() throws {
        #expect(try CurrencyCode(validating: "EUR").minorUnitExponent == 2)
        #expect(try CurrencyCode(validating: "JPY").minorUnitExponent == 0)
        #expect(try CurrencyCode(validating: "KWD").minorUnitExponent == 3)
        #expect(try CurrencyCode(validating: "CLF").minorUnitExponent == 4)
        for bad in ["eur", "EU", "EURO", "XAU", "XXX", "HRK", "ZZZ", "", "€UR"] {
            #expect { try CurrencyCode(validating: bad, field: "price.currency") } throws: {
                invalidField($0) == "price.currency"
            }
        }
        #expect { try Money(amount: -1, currency: "EUR") } throws: { invalidField($0) == "price.amount" }
        #expect { try Money(amount: Money.maximumAmount + 1, currency: "EUR") } throws: {
            invalidField($0) == "price.amount"
        }
    }

    @Test("the API JSON shape decodes, encodes back to the same object, and the record adds id and version")
    func jsonShape() throws {
        let json = """
            {"sku":"MUG-1","title":"Blue mug","description":"Holds tea.",
             "price":{"amount":1299,"currency":"EUR"},
             "attributes":{"color":"blue","capacity_ml":350,"weight_kg":0.4,"dishwasher":true,"sizes":["S","M",3]},
             "status":"active"}
            """
        let draft = try ProductDraft.decode(json: Data(json.utf8))
        #expect(draft.sku == "MUG-1")
        #expect(draft.price == (try Money(amount: 1299, currency: "EUR")))
        #expect(draft.attributes["capacity_ml"] == .integer(350))
        #expect(draft.attributes["weight_kg"] == .number(0.4))
        #expect(draft.attributes["dishwasher"] == .bool(true))
        #expect(draft.attributes["sizes"] == .array([.string("S"), .string("M"), .integer(3)]))
        #expect(draft.status == .active)

        let reencoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(draft)) as? NSDictionary
        let original = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary
        #expect(reencoded == original)

        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("shop")
        let record = try scope.createProduct(draft, by: .system)
        let encoded = try #require(
            try JSONSerialization.jsonObject(with: try JSONEncoder().encode(record)) as? [String: Any])
        #expect((encoded["id"] as? NSNumber)?.int64Value == record.id?.rawValue)
        #expect((encoded["version"] as? NSNumber)?.int64Value == 1)
        #expect(encoded["sku"] as? String == "MUG-1")
        #expect((encoded["price"] as? [String: Any])?["currency"] as? String == "EUR")
        #expect(encoded["created_at"] != nil && encoded["updated_at"] != nil)
    }

    @Test(
        "bad JSON is a typed error naming the field",
        arguments: [
            (#"{"title":"t","price":{"amount":1,"currency":"EUR"}}"#, "sku"),
            (#"{"sku":"a b","title":"t","price":{"amount":1,"currency":"EUR"}}"#, "sku"),
            (#"{"sku":"A","title":"  ","price":{"amount":1,"currency":"EUR"}}"#, "title"),
            (#"{"sku":"A","title":"t"}"#, "price"),
            (#"{"sku":"A","title":"t","price":{"amount":1,"currency":"eur"}}"#, "price.currency"),
            (#"{"sku":"A","title":"t","price":{"amount":1,"currency":"XYZ"}}"#, "price.currency"),
            (#"{"sku":"A","title":"t","price":{"amount":1}}"#, "price.currency"),
            (#"{"sku":"A","title":"t","price":{"amount":-5,"currency":"EUR"}}"#, "price.amount"),
            (#"{"sku":"A","title":"t","price":{"amount":1.5,"currency":"EUR"}}"#, "price.amount"),
            (#"{"sku":"A","title":"t","price":{"amount":"12","currency":"EUR"}}"#, "price.amount"),
            (#"{"sku":"A","title":"t","price":{"amount":1,"currency":"EUR","tax":2}}"#, "price.tax"),
            (#"{"sku":"A","title":"t","price":{"amount":1,"currency":"EUR"},"colour":"red"}"#, "colour"),
            (#"{"sku":"A","title":"t","price":{"amount":1,"currency":"EUR"},"status":"live"}"#, "status"),
            (
                #"{"sku":"A","title":"t","price":{"amount":1,"currency":"EUR"},"attributes":{"x":{"y":1}}}"#,
                "attributes.x"
            ),
            (#"{"sku":"A","title":"t","price":{"amount":1,"currency":"EUR"},"attributes":{"x":null}}"#, "attributes.x"),
            (
                #"{"sku":"A","title":"t","price":{"amount":1,"currency":"EUR"},"attributes":{"x":[1,[2]]}}"#,
                "attributes.x[1]"
            ),
            (#"{"sku":"A","title":"t","price":{"amount":1,"currency":"EUR"},"attributes":[]}"#, "attributes"),
            (#"[1,2]"#, "body"),
            (#"{"sku":"#, "body"),
        ])
    func badJSON(json: String, field: String) {
        #expect { try ProductDraft.decode(json: Data(json.utf8)) } throws: {
            guard case .invalid(let reported, let reason) = $0 as? StoreError else { return false }
            #expect(reported == field, "\(reason)")
            return reported == field
        }
    }

    @Test("CRUD with versions: stale updates and deletes are typed conflicts, and every change is audited")
    func crud() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("shop")
        let created = try scope.createProduct(try sampleDraft(sku: "MUG-1"), by: .system)
        let id = try #require(created.id)
        #expect(created.version == 1)
        #expect(try scope.product(id) == created)
        #expect(try scope.product(sku: "MUG-1") == created)
        #expect(try scope.product(sku: "mug-1") == nil)

        fixture.clock.advance(by: 60)
        let renamed = try sampleDraft(sku: "MUG-2", title: "Red mug", amount: 1500, currency: "JPY")
        let updated = try scope.updateProduct(id, expectedVersion: 1, with: renamed, by: .system)
        #expect(updated.version == 2)
        #expect(updated.updatedAt == created.createdAt.addingTimeInterval(60))
        #expect(try scope.product(id) == updated)
        #expect(try scope.product(sku: "MUG-1") == nil)

        #expect(throws: StoreError.versionConflict(entity: "product", id: id.rawValue, expected: 1, actual: 2)) {
            try scope.updateProduct(id, expectedVersion: 1, with: try sampleDraft(sku: "MUG-3"), by: .system)
        }
        #expect(throws: StoreError.versionConflict(entity: "product", id: id.rawValue, expected: 1, actual: 2)) {
            try scope.deleteProduct(id, expectedVersion: 1, by: .system)
        }
        #expect(try scope.product(id) == updated)
        try scope.deleteProduct(id, expectedVersion: 2, by: .system)
        #expect(throws: StoreError.notFound(entity: "product", key: id.description)) { try scope.product(id) }

        let actions = try scope.auditLog(limit: 1000).filter { $0.targetType == "product" }.map(\.action)
        #expect(actions == ["product.create", "product.update", "product.delete"])
    }

    @Test("a SKU is unique per tenant; a batch with a taken SKU writes nothing and names its position")
    func skuUniqueness() throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        let (_, b) = try fixture.makeTenant("b", adminEmail: "b@example.com")
        let first = try a.createProduct(try sampleDraft(sku: "SKU-1"), by: .system)
        #expect(throws: StoreError.duplicate(entity: "product", field: "sku")) {
            try a.createProduct(try sampleDraft(sku: "SKU-1"), by: .system)
        }
        _ = try b.createProduct(try sampleDraft(sku: "SKU-1"), by: .system)

        let second = try a.createProduct(try sampleDraft(sku: "SKU-2"), by: .system)
        #expect(throws: StoreError.duplicate(entity: "product", field: "sku")) {
            try a.updateProduct(second.id!, expectedVersion: 1, with: try sampleDraft(sku: "SKU-1"), by: .system)
        }
        #expect(throws: StoreError.duplicate(entity: "product", field: "products[2].sku")) {
            try a.createProducts(
                [try sampleDraft(sku: "NEW-1"), try sampleDraft(sku: "NEW-2"), try sampleDraft(sku: "NEW-1")],
                by: .system)
        }
        #expect(try a.products().map(\.id) == [first.id, second.id])
        // The schema backs the check: a raw insert of a taken SKU is the same typed error.
        #expect(throws: StoreError.duplicate(entity: "product", field: "sku")) {
            try fixture.store.write { db in
                var copy = first
                copy.id = nil
                try copy.insert(db)
            }
        }
    }

    @Test("keyset paging by id returns every product exactly once while products are inserted and deleted")
    func keysetPaging() throws {
        let seed = SplitMix64.testSeed()
        print("keysetPaging seed \(seed)")
        var random = SplitMix64(seed: seed)
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("shop")
        let drafts = try (0..<120).map { try sampleDraft(sku: "P-\($0)") }
        var live = Set(try scope.createProducts(drafts, by: .system).map { $0.id! })
        let stable = live
        var seen: [ProductID] = []
        var cursor: ProductID?
        var inserted = 0
        while true {
            let page = try scope.products(after: cursor, limit: Int.random(in: 1...17, using: &random))
            guard let last = page.last else { break }
            seen += page.map { $0.id! }
            cursor = last.id
            // Between pages: delete a product not yet reached, and insert a new one.
            if let victim = live.filter({ $0 > last.id! }).randomElement(using: &random) {
                try scope.deleteProduct(victim, expectedVersion: 1, by: .system)
                live.remove(victim)
            }
            if inserted < 30 {
                let added = try scope.createProduct(try sampleDraft(sku: "NEW-\(inserted)"), by: .system)
                inserted += 1
                live.insert(added.id!)
            }
        }
        #expect(seen == seen.sorted(), "seed \(seed)")
        #expect(Set(seen).count == seen.count, "seed \(seed)")
        // Everything that existed throughout was seen; nothing deleted before being reached was.
        #expect(stable.intersection(live).isSubset(of: Set(seen)), "seed \(seed)")
        #expect(Set(seen).isSubset(of: stable.union(live)), "seed \(seed)")
        #expect(try scope.products(limit: 1000, status: .draft).isEmpty)
    }
}
