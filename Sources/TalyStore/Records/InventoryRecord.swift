import Foundation
import GRDB

/// The id of a stock reservation.
public typealias ReservationID = RecordID<ReservationRecord>

/// The stock of one product at one location (table `inventory`).
///
/// `onHand` counts the units physically there; `reserved` those promised to orders not yet
/// shipped. The schema keeps `0 ≤ reserved ≤ onHand`, so `available` is never negative.
public struct InventoryRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "inventory"

    /// The tenant that owns the stock.
    public internal(set) var tenantID: TenantID
    /// The product stocked.
    public internal(set) var productID: ProductID
    /// Where the stock is, such as a warehouse code.
    public internal(set) var location: String
    /// Units physically at the location.
    public internal(set) var onHand: Int64
    /// Units promised to reservations, at most `onHand`.
    public internal(set) var reserved: Int64
    /// When the stock last changed.
    public internal(set) var updatedAt: Date
    /// Incremented by every change, 1 on creation.
    public internal(set) var version: Int64

    /// Units that can still be reserved.
    public var available: Int64 { onHand - reserved }

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case productID = "product_id"
        case location
        case onHand = "on_hand"
        case reserved
        case updatedAt = "updated_at"
        case version
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `product_id`.
        public static let productID = Column(CodingKeys.productID)
        /// `location`.
        public static let location = Column(CodingKeys.location)
        /// `on_hand`.
        public static let onHand = Column(CodingKeys.onHand)
        /// `reserved`.
        public static let reserved = Column(CodingKeys.reserved)
    }
}

/// Units of one product at one location held for an order until released or shipped
/// (table `inventory_reservation`).
public struct ReservationRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "inventory_reservation"

    /// The reservation's id; nil before insertion.
    public internal(set) var id: ReservationID?
    /// The tenant that owns the stock.
    public internal(set) var tenantID: TenantID
    /// The product reserved.
    public internal(set) var productID: ProductID
    /// Where the units are held.
    public internal(set) var location: String
    /// How many units, at least 1.
    public internal(set) var quantity: Int64
    /// When the units were reserved.
    public internal(set) var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case productID = "product_id"
        case location
        case quantity
        case createdAt = "created_at"
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `product_id`.
        public static let productID = Column(CodingKeys.productID)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = ReservationID(inserted.rowID) }
}
