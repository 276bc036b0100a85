import Foundation
import GRDB
import Testing

@testable import TalyStore

@Suite("catalog outbox events")
struct CatalogEventTests {
    @Test("product and stock changes append their events in their transactions, and refused ones append none")
    func events() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("shop")
        let start = try fixture.store.outboxPosition()
        let mug = try scope.createProduct(try sampleDraft(sku: "MUG-1"), by: .system)
        let id = mug.id!
        let updated = try scope.updateProduct(
            id, expectedVersion: 1, with: try sampleDraft(sku: "MUG-1", title: "Red mug"), by: .system)
        try scope.adjustStock(of: id, at: "main", by: 5, by: .system)
        let reservation = try scope.reserve(2, of: id, at: "main", by: .system)
        try scope.commitReservation(reservation.id!, by: .system)
        let second = try scope.reserve(1, of: id, at: "main", by: .system)
        try scope.releaseReservation(second.id!, by: .system)
        // Refused changes: their transactions roll back with their events.
        #expect(throws: StoreError.self) { try scope.reserve(10, of: id, at: "main", by: .system) }
        #expect(throws: StoreError.self) {
            try scope.createProducts([try sampleDraft(sku: "NEW"), try sampleDraft(sku: "MUG-1")], by: .system)
        }
        #expect(throws: StoreError.self) {
            try scope.updateProduct(id, expectedVersion: 1, with: try sampleDraft(sku: "X"), by: .system)
        }
        try scope.deleteProduct(id, expectedVersion: 2, by: .system)

        let events = try scope.outboxEvents(after: start, limit: 100)
        #expect(
            events.map(\.eventType) == [
                "product.created", "product.updated", "inventory.adjusted", "inventory.reserved",
                "inventory.committed", "inventory.reserved", "inventory.released", "product.deleted",
            ])
        #expect(events.allSatisfy { $0.aggregateID == id.rawValue && $0.tenantID == scope.tenantID })
        struct ProductPayload: Decodable {
            let id: Int64
            let sku: String
            let title: String?
            let version: Int64?
        }
        let created = try events[0].decodePayload(ProductPayload.self)
        #expect((created.id, created.sku, created.title, created.version) == (id.rawValue, "MUG-1", "Blue mug", 1))
        let changed = try events[1].decodePayload(ProductPayload.self)
        #expect((changed.title, changed.version) == ("Red mug", updated.version))
        struct StockPayload: Decodable {
            struct Stock: Decodable {
                let on_hand: Int64
                let reserved: Int64
                let location: String
            }
            let stock: Stock
            let quantity: Int64
            let reservation_id: Int64?
        }
        let shipped = try events[4].decodePayload(StockPayload.self)
        #expect((shipped.stock.on_hand, shipped.stock.reserved, shipped.quantity) == (3, 0, 2))
        #expect(shipped.reservation_id == reservation.id!.rawValue)
        #expect(shipped.stock.location == "main")
        let deleted = try events[7].decodePayload(ProductPayload.self)
        #expect((deleted.id, deleted.sku, deleted.title) == (id.rawValue, "MUG-1", nil))
    }
}
