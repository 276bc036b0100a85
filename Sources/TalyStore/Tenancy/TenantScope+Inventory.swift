import Foundation
import GRDB

/// Stock per product and location, and reservations against it.
///
/// Every change is one conditional UPDATE inside the write transaction (`… WHERE on_hand -
/// reserved >= ?`), so the check and the change cannot be separated by another writer; the
/// schema's CHECK constraints (`0 ≤ reserved ≤ on_hand`) are the second line of defence.
extension TenantScope {
    /// The largest change one call may make, far above any real stock movement, so that sums
    /// stay exact integers (SQLite turns an overflowing integer sum into a float).
    public static let maximumStockChange: Int64 = 1_000_000_000_000

    /// The stock of `product` at `location`, or nil if it was never stocked there.
    public func stock(of product: ProductID, at location: String) throws(StoreError) -> InventoryRecord? {
        let location = try Self.validLocation(location)
        return try store.read { db in
            _ = try fetchProduct(db, product)
            return try fetchStock(db, product, location)
        }
    }

    /// The stock of `product` at every location, by location.
    public func stock(of product: ProductID) throws(StoreError) -> [InventoryRecord] {
        let tenantID = tenantID
        return try store.read { db in
            _ = try fetchProduct(db, product)
            return
                try InventoryRecord
                .filter(InventoryRecord.Columns.tenantID == tenantID && InventoryRecord.Columns.productID == product)
                .order(InventoryRecord.Columns.location)
                .fetchAll(db)
        }
    }

    /// Adds (`delta > 0`, goods received) or removes (`delta < 0`, shrinkage, correction) units
    /// on hand. Removing more than is available (on hand minus reserved) is `.insufficientStock`.
    @discardableResult
    public func adjustStock(
        of product: ProductID, at location: String, by delta: Int64, by actor: Actor
    ) throws(StoreError) -> InventoryRecord {
        let location = try Self.validLocation(location)
        guard delta != 0, delta.magnitude <= Self.maximumStockChange else {
            throw .invalid(field: "delta", reason: "must be non-zero and at most \(Self.maximumStockChange) in size")
        }
        let time = now
        return try store.write { db in
            _ = try fetchProduct(db, product)
            if delta > 0 {
                try db.execute(
                    sql: """
                        INSERT INTO inventory (tenant_id, product_id, location, on_hand, reserved, updated_at, version)
                        VALUES (?, ?, ?, ?, 0, ?, 1)
                        ON CONFLICT (tenant_id, product_id, location) DO UPDATE
                        SET on_hand = on_hand + excluded.on_hand, updated_at = excluded.updated_at,
                            version = version + 1
                        """,
                    arguments: [tenantID, product, location, delta, time])
            } else {
                try db.execute(
                    sql: """
                        UPDATE inventory SET on_hand = on_hand + ?, updated_at = ?, version = version + 1
                        WHERE tenant_id = ? AND product_id = ? AND location = ? AND on_hand - reserved >= ?
                        """,
                    arguments: [delta, time, tenantID, product, location, -delta])
                if db.changesCount == 0 {
                    throw try insufficientStock(db, product, location, requested: -delta)
                }
            }
            try audit(
                db, actor: actor, action: "inventory.adjust", targetType: "product", targetID: product.rawValue,
                details: ["location": location, "delta": String(delta)], at: time)
            let stock = try writtenStock(db, product, location)
            try appendStockEvent(db, "inventory.adjusted", stock: stock, quantity: delta, reservation: nil, at: time)
            return stock
        }
    }

    /// Holds `quantity` units for an order; fails with `.insufficientStock` when fewer are available.
    public func reserve(
        _ quantity: Int64, of product: ProductID, at location: String, by actor: Actor
    ) throws(StoreError) -> ReservationRecord {
        let location = try Self.validLocation(location)
        guard (1...Self.maximumStockChange).contains(quantity) else {
            throw .invalid(field: "quantity", reason: "must be from 1 to \(Self.maximumStockChange)")
        }
        let time = now
        return try store.write { db in
            _ = try fetchProduct(db, product)
            try db.execute(
                sql: """
                    UPDATE inventory SET reserved = reserved + ?, updated_at = ?, version = version + 1
                    WHERE tenant_id = ? AND product_id = ? AND location = ? AND on_hand - reserved >= ?
                    """,
                arguments: [quantity, time, tenantID, product, location, quantity])
            if db.changesCount == 0 {
                throw try insufficientStock(db, product, location, requested: quantity)
            }
            var reservation = ReservationRecord(
                id: nil, tenantID: tenantID, productID: product, location: location, quantity: quantity,
                createdAt: time)
            try reservation.insert(db)
            try audit(
                db, actor: actor, action: "inventory.reserve", targetType: "product", targetID: product.rawValue,
                details: [
                    "location": location, "quantity": String(quantity),
                    "reservation": reservation.id?.description ?? "",
                ],
                at: time)
            try appendStockEvent(
                db, "inventory.reserved", stock: try writtenStock(db, product, location), quantity: quantity,
                reservation: reservation.id, at: time)
            return reservation
        }
    }

    /// Gives the reserved units back to the available stock (an order was cancelled).
    @discardableResult
    public func releaseReservation(_ id: ReservationID, by actor: Actor) throws(StoreError) -> InventoryRecord {
        try settle(id, shipped: false, by: actor)
    }

    /// Ships the reserved units: they leave both the reserved and the on-hand counts.
    @discardableResult
    public func commitReservation(_ id: ReservationID, by actor: Actor) throws(StoreError) -> InventoryRecord {
        try settle(id, shipped: true, by: actor)
    }

    /// The open reservations of `product`, oldest first.
    public func reservations(of product: ProductID) throws(StoreError) -> [ReservationRecord] {
        let tenantID = tenantID
        return try store.read { db in
            _ = try fetchProduct(db, product)
            return
                try ReservationRecord
                .filter(
                    ReservationRecord.Columns.tenantID == tenantID && ReservationRecord.Columns.productID == product
                )
                .order(ReservationRecord.Columns.id)
                .fetchAll(db)
        }
    }

    // MARK: - Inside transactions

    private func settle(_ id: ReservationID, shipped: Bool, by actor: Actor) throws(StoreError) -> InventoryRecord {
        let time = now
        return try store.write { db in
            guard
                let reservation =
                    try ReservationRecord
                    .filter(ReservationRecord.Columns.tenantID == tenantID && ReservationRecord.Columns.id == id)
                    .fetchOne(db)
            else { throw StoreError.notFound(entity: "reservation", key: id.description) }
            _ = try reservation.delete(db)
            try db.execute(
                sql: """
                    UPDATE inventory SET reserved = reserved - ?1, on_hand = on_hand - ?2, updated_at = ?3,
                        version = version + 1
                    WHERE tenant_id = ?4 AND product_id = ?5 AND location = ?6
                    """,
                arguments: [
                    reservation.quantity, shipped ? reservation.quantity : 0, time, tenantID, reservation.productID,
                    reservation.location,
                ])
            try audit(
                db, actor: actor, action: shipped ? "inventory.commit" : "inventory.release", targetType: "product",
                targetID: reservation.productID.rawValue,
                details: [
                    "location": reservation.location, "quantity": String(reservation.quantity),
                    "reservation": id.description,
                ],
                at: time)
            let stock = try writtenStock(db, reservation.productID, reservation.location)
            try appendStockEvent(
                db, shipped ? "inventory.committed" : "inventory.released", stock: stock,
                quantity: reservation.quantity, reservation: id, at: time)
            return stock
        }
    }

    /// Announces a stock change with the row as it now stands, keyed by the product.
    private func appendStockEvent(
        _ db: Database, _ type: String, stock: InventoryRecord, quantity: Int64, reservation: ReservationID?,
        at time: Date
    ) throws {
        try appendEvent(
            db, aggregateType: "inventory", aggregateID: stock.productID.rawValue, eventType: type,
            payload: StockChange(stock: stock, quantity: quantity, reservationID: reservation), at: time)
    }

    /// The stock row this transaction has just written.
    private func writtenStock(_ db: Database, _ product: ProductID, _ location: String) throws -> InventoryRecord {
        guard let stock = try fetchStock(db, product, location) else {
            preconditionFailure("the stock row written in this transaction exists")
        }
        return stock
    }

    func fetchStock(_ db: Database, _ product: ProductID, _ location: String) throws -> InventoryRecord? {
        try InventoryRecord
            .filter(
                InventoryRecord.Columns.tenantID == tenantID && InventoryRecord.Columns.productID == product
                    && InventoryRecord.Columns.location == location
            )
            .fetchOne(db)
    }

    /// The error for a refused take, with what the refusing transaction saw as available.
    private func insufficientStock(
        _ db: Database, _ product: ProductID, _ location: String, requested: Int64
    ) throws -> StoreError {
        let available = try fetchStock(db, product, location)?.available ?? 0
        return .insufficientStock(
            productID: product.rawValue, location: location, requested: requested, available: available)
    }

    static func validLocation(_ text: String) throws(StoreError) -> String {
        guard (1...64).contains(text.count), text.trimmingCharacters(in: .whitespaces) == text,
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw .invalid(
                field: "location", reason: "must be 1 to 64 characters without control characters or outer spaces")
        }
        return text
    }
}

/// The payload of `inventory.*` events: the stock row after the change, and the change.
struct StockChange: Encodable {
    let stock: InventoryRecord
    /// The delta of an adjustment, or the quantity reserved, released or shipped.
    let quantity: Int64
    let reservationID: ReservationID?

    enum CodingKeys: String, CodingKey {
        case stock, quantity
        case reservationID = "reservation_id"
    }
}
