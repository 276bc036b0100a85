import Foundation
import GRDB
import Testing

@testable import TalyStore

/// Every catalog and inventory operation, given tenant B's ids through tenant A's scope, must act
/// as if they did not exist, and leave B's rows unchanged.
@Suite("tenant isolation: catalog and inventory")
struct CatalogIsolationTests {
    @Test("A cannot read, list, change, stock, reserve or settle anything of B's")
    func everyFunction() throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("tenant-a")
        let (_, b) = try fixture.makeTenant("tenant-b", adminEmail: "b@example.com")
        let aShared = try a.createProduct(try sampleDraft(sku: "SHARED"), by: .system)
        let bShared = try b.createProduct(try sampleDraft(sku: "SHARED", title: "B's"), by: .system)
        let bOnly = try b.createProduct(try sampleDraft(sku: "B-ONLY"), by: .system)
        let bID = bOnly.id!
        try b.adjustStock(of: bID, at: "main", by: 5, by: .system)
        let bReservation = try b.reserve(2, of: bID, at: "main", by: .system)
        try a.adjustStock(of: aShared.id!, at: "main", by: 3, by: .system)

        let bProducts = try b.products()
        let bStock = try b.stock(of: bID)
        let bReservations = try b.reservations(of: bID)
        let bAudit = try b.auditLog(limit: 1000)
        let bEvents = try b.outboxEvents(limit: 1000)

        func isNotFound(_ entity: String) -> (any Error) -> Bool {
            { TenantIsolationTests.isNotFound($0, entity) }
        }
        // Reads.
        #expect(throws: StoreError.notFound(entity: "product", key: bID.description)) { try a.product(bID) }
        #expect(try a.product(sku: "B-ONLY") == nil)
        #expect(try a.product(sku: "SHARED") == aShared)
        #expect(try a.products(limit: 1000).map(\.id) == [aShared.id])
        #expect(try a.products(ids: [bID, aShared.id!, bShared.id!, ProductID(9999)]).map(\.id) == [aShared.id])
        #expect(try b.products(ids: [bID, aShared.id!, bShared.id!]).map(\.id) == [bShared.id, bID])
        #expect(try a.products(after: ProductID(0), limit: 1000, status: .active).map(\.id) == [aShared.id])
        #expect(performing: { try a.stock(of: bID) }, throws: isNotFound("product"))
        #expect(performing: { try a.stock(of: bID, at: "main") }, throws: isNotFound("product"))
        #expect(performing: { try a.reservations(of: bID) }, throws: isNotFound("product"))
        // Writes.
        #expect(
            performing: { try a.updateProduct(bID, expectedVersion: 1, with: try sampleDraft(sku: "X"), by: .system) },
            throws: isNotFound("product"))
        #expect(
            performing: { try a.deleteProduct(bID, expectedVersion: 1, by: .system) }, throws: isNotFound("product"))
        #expect(
            performing: { try a.adjustStock(of: bID, at: "main", by: 100, by: .system) }, throws: isNotFound("product"))
        #expect(
            performing: { try a.adjustStock(of: bID, at: "main", by: -1, by: .system) }, throws: isNotFound("product"))
        #expect(performing: { try a.reserve(1, of: bID, at: "main", by: .system) }, throws: isNotFound("product"))
        #expect(
            performing: { try a.releaseReservation(bReservation.id!, by: .system) }, throws: isNotFound("reservation"))
        #expect(
            performing: { try a.commitReservation(bReservation.id!, by: .system) }, throws: isNotFound("reservation"))
        // A's own SKUs may equal B's, in a batch too.
        _ = try a.createProducts([try sampleDraft(sku: "B-ONLY")], by: .system)

        // B is exactly as it was.
        #expect(try b.products() == bProducts)
        #expect(try b.product(bShared.id!) == bShared)
        #expect(try b.stock(of: bID) == bStock)
        #expect(try b.reservations(of: bID) == bReservations)
        #expect(try b.auditLog(limit: 1000) == bAudit)
        #expect(try b.outboxEvents(limit: 1000) == bEvents)
        #expect(try !a.outboxEvents(limit: 1000).isEmpty)
        #expect(try a.outboxEvents(limit: 1000).allSatisfy { $0.tenantID == a.tenantID })
    }

    @Test("the schema refuses stock or a reservation of one tenant pointing at another tenant's product")
    func schemaRefusesCrossTenantStock() throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("tenant-a")
        let (_, b) = try fixture.makeTenant("tenant-b", adminEmail: "b@example.com")
        let bProduct = try b.createProduct(try sampleDraft(sku: "B"), by: .system)
        try b.adjustStock(of: bProduct.id!, at: "main", by: 5, by: .system)
        let refused = StoreError.constraintViolation(reason: "a referenced record does not exist in this tenant")
        #expect(throws: refused) {
            try fixture.store.write { db in
                try InventoryRecord(
                    tenantID: a.tenantID, productID: bProduct.id!, location: "main", onHand: 1, reserved: 0,
                    updatedAt: Date(), version: 1
                ).insert(db)
            }
        }
        #expect(throws: refused) {
            try fixture.store.write { db in
                var reservation = ReservationRecord(
                    id: nil, tenantID: a.tenantID, productID: bProduct.id!, location: "main", quantity: 1,
                    createdAt: Date())
                try reservation.insert(db)
            }
        }
    }
}
