import Foundation
import GRDB
import Synchronization
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("inventory")
struct InventoryTests {
    static func shopWithProduct() throws -> (StoreFixture, TenantScope, ProductID) {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("shop")
        let product = try scope.createProduct(try sampleDraft(sku: "MUG-1"), by: .system)
        return (fixture, scope, product.id!)
    }

    @Test("adjust, reserve, release and commit move on-hand and reserved as a hand-checked ledger")
    func ledger() throws {
        let (_, scope, mug) = try Self.shopWithProduct()
        #expect(try scope.stock(of: mug, at: "main") == nil)
        #expect(try scope.adjustStock(of: mug, at: "main", by: 10, by: .system).onHand == 10)
        let first = try scope.reserve(4, of: mug, at: "main", by: .system)
        let second = try scope.reserve(3, of: mug, at: "main", by: .system)
        var stock = try #require(try scope.stock(of: mug, at: "main"))
        #expect((stock.onHand, stock.reserved, stock.available) == (10, 7, 3))
        #expect(try scope.reservations(of: mug).map(\.id) == [first.id, second.id])

        stock = try scope.releaseReservation(first.id!, by: .system)
        #expect((stock.onHand, stock.reserved) == (10, 3))
        stock = try scope.commitReservation(second.id!, by: .system)
        #expect((stock.onHand, stock.reserved) == (7, 0))
        #expect(try scope.reservations(of: mug).isEmpty)
        #expect(throws: StoreError.notFound(entity: "reservation", key: first.id!.description)) {
            try scope.releaseReservation(first.id!, by: .system)
        }
        #expect(throws: StoreError.notFound(entity: "reservation", key: second.id!.description)) {
            try scope.commitReservation(second.id!, by: .system)
        }
        try scope.adjustStock(of: mug, at: "store-2", by: 5, by: .system)
        #expect(try scope.stock(of: mug).map(\.location) == ["main", "store-2"])
        let actions = try scope.auditLog(limit: 100).filter { $0.action.hasPrefix("inventory.") }.map(\.action)
        #expect(
            actions == [
                "inventory.adjust", "inventory.reserve", "inventory.reserve", "inventory.release", "inventory.commit",
                "inventory.adjust",
            ])
    }

    @Test("taking more than is available is a typed error naming product, location, requested and available")
    func insufficientStock() throws {
        let (fixture, scope, mug) = try Self.shopWithProduct()
        try scope.adjustStock(of: mug, at: "main", by: 10, by: .system)
        _ = try scope.reserve(4, of: mug, at: "main", by: .system)
        #expect(
            throws: StoreError.insufficientStock(productID: mug.rawValue, location: "main", requested: 7, available: 6)
        ) { try scope.adjustStock(of: mug, at: "main", by: -7, by: .system) }
        #expect(
            throws: StoreError.insufficientStock(productID: mug.rawValue, location: "main", requested: 7, available: 6)
        ) { try scope.reserve(7, of: mug, at: "main", by: .system) }
        #expect(
            throws: StoreError.insufficientStock(
                productID: mug.rawValue, location: "nowhere", requested: 1, available: 0)
        ) { try scope.reserve(1, of: mug, at: "nowhere", by: .system) }
        #expect(
            throws: StoreError.insufficientStock(
                productID: mug.rawValue, location: "nowhere", requested: 2, available: 0)
        ) { try scope.adjustStock(of: mug, at: "nowhere", by: -2, by: .system) }
        let stock = try scope.adjustStock(of: mug, at: "main", by: -6, by: .system)
        #expect((stock.onHand, stock.reserved, stock.available) == (4, 4, 0))

        // The schema refuses an oversold row even from a statement that skips the checks.
        #expect {
            try fixture.store.write { db in
                try db.execute(sql: "UPDATE inventory SET reserved = on_hand + 1")
            }
        } throws: { error in
            guard case .constraintViolation = error as? StoreError else { return false }
            return true
        }
        #expect {
            try fixture.store.write { db in try db.execute(sql: "UPDATE inventory SET on_hand = -1, reserved = 0") }
        } throws: { error in
            guard case .constraintViolation = error as? StoreError else { return false }
            return true
        }
    }

    @Test("bad quantities and locations are typed errors naming the field")
    func badInput() throws {
        let (_, scope, mug) = try Self.shopWithProduct()
        #expect { try scope.adjustStock(of: mug, at: "main", by: 0, by: .system) } throws: {
            invalidField($0) == "delta"
        }
        #expect { try scope.adjustStock(of: mug, at: "main", by: Int64.max, by: .system) } throws: {
            invalidField($0) == "delta"
        }
        #expect { try scope.reserve(0, of: mug, at: "main", by: .system) } throws: { invalidField($0) == "quantity" }
        for location in ["", " main", String(repeating: "x", count: 65), "a\u{0}b"] {
            #expect { try scope.adjustStock(of: mug, at: location, by: 1, by: .system) } throws: {
                invalidField($0) == "location"
            }
        }
        #expect(throws: StoreError.notFound(entity: "product", key: "999")) {
            try scope.adjustStock(of: ProductID(999), at: "main", by: 1, by: .system)
        }
    }

    @Test("a product with reserved stock cannot be deleted; once shipped, its stock rows go with it")
    func deleteWithStock() throws {
        let (fixture, scope, mug) = try Self.shopWithProduct()
        try scope.adjustStock(of: mug, at: "main", by: 3, by: .system)
        let reservation = try scope.reserve(2, of: mug, at: "main", by: .system)
        #expect { try scope.deleteProduct(mug, expectedVersion: 1, by: .system) } throws: { error in
            guard case .constraintViolation = error as? StoreError else { return false }
            return true
        }
        try scope.commitReservation(reservation.id!, by: .system)
        try scope.deleteProduct(mug, expectedVersion: 1, by: .system)
        let rows = try fixture.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM inventory") }
        #expect(rows == 0)
    }

    @Test("unit reservations racing from 8 threads on a pool succeed exactly as many times as there is stock")
    func noOversellUnderContention() throws {
        let (_, scope, mug) = try Self.shopWithProduct()
        let stock: Int64 = 40
        try scope.adjustStock(of: mug, at: "main", by: stock, by: .system)
        let successes = Atomic<Int64>(0)
        let unexpected = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<12 {
                do throws(StoreError) {
                    _ = try scope.reserve(1, of: mug, at: "main", by: .system)
                    successes.add(1, ordering: .relaxed)
                } catch .insufficientStock(_, _, let requested, let available) where available < requested {
                    continue
                } catch {
                    unexpected.withLock { $0.append(error.description) }
                }
            }
        }
        #expect(unexpected.withLock { $0 }.isEmpty)
        #expect(successes.load(ordering: .relaxed) == stock)
        let final = try #require(try scope.stock(of: mug, at: "main"))
        #expect((final.onHand, final.reserved) == (stock, stock))
        #expect(try scope.reservations(of: mug).count == Int(stock))
    }

    /// What a thread did, replayed later through the sequential model.
    struct Model {
        var onHand: Int64 = 0
        var reserved: Int64 = 0
        var reservations: [String: Int64] = [:]

        /// Applies one audit entry; false if a sequential store would have refused it.
        mutating func apply(_ entry: AuditLogRecord) throws -> Bool {
            let details = try JSONDecoder().decode([String: String].self, from: Data(entry.details.utf8))
            switch entry.action {
            case "inventory.adjust":
                let delta = Int64(details["delta"]!)!
                guard onHand + delta >= reserved else { return false }
                onHand += delta
            case "inventory.reserve":
                let quantity = Int64(details["quantity"]!)!
                guard onHand - reserved >= quantity else { return false }
                reserved += quantity
                reservations[details["reservation"]!] = quantity
            case "inventory.release", "inventory.commit":
                guard let quantity = reservations.removeValue(forKey: details["reservation"]!) else { return false }
                reserved -= quantity
                if entry.action == "inventory.commit" { onHand -= quantity }
            default:
                return true
            }
            return onHand >= 0 && reserved >= 0 && reserved <= onHand
        }
    }

    @Test("mixed concurrent stock operations end where a sequential replay of the commit order ends")
    func concurrentEqualsSequentialModel() throws {
        let seed = SplitMix64.testSeed()
        print("concurrentEqualsSequentialModel seed \(seed)")
        let (_, scope, mug) = try Self.shopWithProduct()
        try scope.adjustStock(of: mug, at: "main", by: 20, by: .system)
        let unexpected = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { thread in
            var random = SplitMix64(seed: seed &+ UInt64(thread))
            var mine: [ReservationID] = []
            for _ in 0..<40 {
                do throws(StoreError) {
                    switch Int.random(in: 0..<10, using: &random) {
                    case 0..<5:
                        let quantity = Int64.random(in: 1...3, using: &random)
                        mine.append(try scope.reserve(quantity, of: mug, at: "main", by: .system).id!)
                    case 5, 6:
                        if let id = mine.popLast() { try scope.releaseReservation(id, by: .system) }
                    case 7:
                        if let id = mine.popLast() { try scope.commitReservation(id, by: .system) }
                    default:
                        let delta = Int64.random(in: -4...4, using: &random)
                        if delta != 0 { try scope.adjustStock(of: mug, at: "main", by: delta, by: .system) }
                    }
                } catch .insufficientStock(_, _, let requested, let available) where available < requested {
                    continue
                } catch {
                    unexpected.withLock { $0.append(error.description) }
                }
            }
        }
        #expect(unexpected.withLock { $0 }.isEmpty, "seed \(seed)")
        // The audit entries were written in the transactions they describe: their ids are the
        // commit order, so replaying them is the sequential history the store actually chose.
        var model = Model()
        for entry in try scope.auditLog(limit: 100_000) where entry.action.hasPrefix("inventory.") {
            #expect(try model.apply(entry), "entry \(entry.id!) infeasible in sequence, seed \(seed)")
        }
        let final = try #require(try scope.stock(of: mug, at: "main"))
        #expect((final.onHand, final.reserved) == (model.onHand, model.reserved), "seed \(seed)")
        let open = try scope.reservations(of: mug)
        #expect(
            Dictionary(uniqueKeysWithValues: open.map { ($0.id!.description, $0.quantity) }) == model.reservations,
            "seed \(seed)")
        #expect(final.reserved == open.reduce(0) { $0 + $1.quantity }, "seed \(seed)")
    }
}
