import Foundation
import GRDB

/// One customer's isolated slice of the store (table `tenant`).
public struct TenantRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "tenant"

    /// The tenant's id; nil before insertion.
    public internal(set) var id: TenantID?
    /// The tenant's unique name.
    public internal(set) var name: String
    /// When the tenant was created.
    public internal(set) var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case name
        case createdAt = "created_at"
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `name`.
        public static let name = Column(CodingKeys.name)
        /// `created_at`.
        public static let createdAt = Column(CodingKeys.createdAt)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = TenantID(inserted.rowID) }
}
