import Foundation
import TalyIndex
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

@Suite("Index sync of products")
struct ProductIndexSyncTests {
    @Test("Attribute kinds widen to the narrowest kind holding both")
    func attributeKinds() {
        typealias Kind = ProductIndexMapping.AttributeKind
        #expect(Kind.integer.widened(with: .integer) == .integer)
        #expect(Kind.integer.widened(with: .number) == .number)
        #expect(Kind.number.widened(with: .integer) == .number)
        #expect(Kind.integer.widened(with: .string) == .string)
        #expect(Kind.string.widened(with: .list) == .list)
        #expect(Kind(of: .bool(true)) == .string)
        #expect(Kind(of: .array([.integer(1)])) == .list)
    }

    @Test("A product's document: text, keyword and numeric fields; attributes typed by the catalog")
    func productDocument() throws {
        let fixture = try IndexSyncFixture()
        let shoe = try fixture.product(
            "SHOE-1", title: "Trail shoe", description: "Grippy sole", cents: 8999,
            attributes: [
                "size": .integer(42), "weight": .number(0.8), "waterproof": .bool(true),
                "colors": .array([.string("red")]),
                "brand": .string("Acme"), "bad name!": .string("dropped"),
            ])
        let boot = try fixture.product(
            "BOOT-1", title: "Boot", attributes: ["size": .number(42.5), "brand": .integer(7)])
        let mapping = ProductIndexMapping(products: [shoe, boot])
        #expect(
            mapping.attributes == [
                "size": .number, "weight": .number, "waterproof": .string, "colors": .list, "brand": .string,
            ])
        #expect(mapping.schema.field(named: "attributes.size")?.type == .double(stored: true))
        #expect(mapping.schema.field(named: "attributes.colors")?.type == .keyword(stored: true, multiValued: true))
        #expect(mapping.schema.fieldNumber("attributes.bad name!") == nil)
        // The schema an index was built with gives the mapping back.
        #expect(ProductIndexMapping(schema: mapping.schema) == mapping)
        #expect(mapping.including([shoe, boot]) == mapping)

        let document = mapping.document(of: shoe)
        #expect(document["id"] == .keyword([String(shoe.id!.rawValue)]))
        #expect(document["title"] == .text("Trail shoe"))
        #expect(document["description"] == .text("Grippy sole"))
        #expect(document["sku"] == .keyword(["SHOE-1"]))
        #expect(document["status"] == .keyword(["active"]))
        #expect(document["currency"] == .keyword(["EUR"]))
        #expect(document["price_amount"] == .int64(8999))
        #expect(document["version"] == .int64(shoe.version))
        #expect(document["attributes.size"] == .double(42))
        #expect(document["attributes.waterproof"] == .keyword(["true"]))
        #expect(document["attributes.colors"] == .keyword(["red"]))
        #expect(mapping.document(of: boot)["attributes.brand"] == .keyword(["7"]))
        // The document fits the schema it was derived with (validation throws otherwise).
        _ = try mapping.schema.validate(document)
        _ = try mapping.schema.validate(mapping.document(of: boot))
    }

    @Test("Product events are applied: create, update, delete; every status is indexed")
    func lifeCycle() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let shoe = try fixture.product("SHOE-1", title: "Trail shoe", description: "grippy sole")
        let draft = try fixture.product("HAT-1", title: "Sun hat", description: "wide brim", status: .draft)
        try await worker.drain()
        #expect(try fixture.search("grippy", collection: .products) == [String(shoe.id!.rawValue)])
        #expect(try fixture.search("status:draft", collection: .products) == [String(draft.id!.rawValue)])

        let updated = try fixture.acme.updateProduct(
            shoe.id!, expectedVersion: shoe.version,
            with: try ProductDraft(
                sku: "SHOE-1", title: "Road shoe", description: "smooth sole",
                price: Money(amount: 500, currency: "EUR"),
                status: .active),
            by: .system)
        try fixture.acme.deleteProduct(draft.id!, expectedVersion: draft.version, by: .system)
        try await worker.drain()
        #expect(try fixture.search("grippy", collection: .products).isEmpty)
        #expect(try fixture.search("smooth", collection: .products) == [String(shoe.id!.rawValue)])
        let contents = try fixture.indexContents(collection: .products)
        #expect(contents.versions == [String(shoe.id!.rawValue): updated.version])
        #expect(contents.documents == 1)
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
    }

    @Test("A new attribute rebuilds the products index with a wider schema; its values are filterable")
    func newAttributeRebuilds() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let plain = try fixture.product("P-1", title: "Plain mug")
        try await worker.drain()
        let location = worker.location(tenantID: fixture.acme.tenantID, collection: .products)
        let before = try location.currentGeneration()
        #expect(try location.openReader()?.schema.fieldNumber("attributes.color") == nil)

        let red = try fixture.product(
            "P-2", title: "Red mug", attributes: ["color": .string("red"), "ml": .integer(300)])
        try await worker.drain()
        let after = try location.currentGeneration()
        #expect(after != before)
        let reader = try #require(try location.openReader())
        #expect(reader.schema.field(named: "attributes.ml")?.type == .int64(stored: true))
        #expect(try IndexSyncFixture.search("attributes.color:red", in: reader) == [String(red.id!.rawValue)])
        #expect(
            Set(try IndexSyncFixture.search("mug", in: reader)) == [
                String(plain.id!.rawValue), String(red.id!.rawValue),
            ])
        // Same attributes again: no rebuild.
        try fixture.product("P-3", title: "Blue mug", attributes: ["color": .string("blue")])
        try await worker.drain()
        #expect(try location.currentGeneration() == after)
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
    }

    @Test("Verify lists product differences; rebuild of the products collection repairs them")
    func verifyAndRebuild() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let kept = try fixture.product("K-1", title: "Kept")
        try await worker.drain()
        // Not drained yet: the index lags the store.
        let late = try fixture.product("L-1", title: "Late")
        let updated = try fixture.acme.updateProduct(
            kept.id!, expectedVersion: kept.version,
            with: try ProductDraft(sku: "K-1", title: "Kept again", price: Money(amount: 1, currency: "EUR")),
            by: .system)
        let differences = try worker.verify(tenantID: fixture.acme.tenantID)
        #expect(
            Set(differences) == [
                .missingFromIndex(collection: "products", itemID: late.id!.rawValue, version: late.version),
                .versionMismatch(
                    collection: "products", itemID: kept.id!.rawValue, store: updated.version, index: kept.version),
            ])
        try await worker.rebuild(tenantID: fixture.acme.tenantID, collection: .products)
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
        try await worker.drain()
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
        #expect(try fixture.indexContents(collection: .products).documents == 2)
    }

    @Test("Collection names parse as the command line and URLs spell them")
    func collectionNames() {
        #expect(SearchCollection(name: "products") == .products)
        #expect(SearchCollection(name: "article") == .content(typeName: "article"))
        #expect(SearchCollection(name: "content/article") == .content(typeName: "article"))
        #expect(SearchCollection(name: "") == nil)
        #expect(SearchCollection(name: "a/b") == nil)
    }
}
