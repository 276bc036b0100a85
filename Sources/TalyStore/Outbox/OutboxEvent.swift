import Foundation
import GRDB
import GRDBSQLite

/// One thing that happened to a tenant's record, written in the transaction of the change
/// (table `outbox_event`).
///
/// Ids grow in commit order (SQLite has one writer, and the id is assigned under its lock), and
/// are never reused, so a consumer's checkpoint is just the last id it handled.
public struct OutboxEvent: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "outbox_event"
    /// How long events are kept before pruning unless told otherwise: seven days, long enough for
    /// a consumer to survive a weekend outage.
    public static let defaultRetention: TimeInterval = 7 * 24 * 3600

    /// The event's position in the log; nil before insertion.
    public internal(set) var id: OutboxEventID?
    /// The tenant whose record changed.
    public internal(set) var tenantID: TenantID
    /// The kind of record, such as `content_item`.
    public internal(set) var aggregateType: String
    /// The record's id.
    public internal(set) var aggregateID: Int64
    /// What happened, such as `content_item.published`.
    public internal(set) var eventType: String
    /// A JSON object describing the record after the change.
    public internal(set) var payload: String
    /// When the change committed (the store clock at the time of the write).
    public internal(set) var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case aggregateType = "aggregate_type"
        case aggregateID = "aggregate_id"
        case eventType = "event_type"
        case payload
        case createdAt = "created_at"
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `aggregate_type`.
        public static let aggregateType = Column(CodingKeys.aggregateType)
        /// `aggregate_id`.
        public static let aggregateID = Column(CodingKeys.aggregateID)
        /// `event_type`.
        public static let eventType = Column(CodingKeys.eventType)
        /// `created_at`.
        public static let createdAt = Column(CodingKeys.createdAt)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = OutboxEventID(inserted.rowID) }

    /// Writes the columns by hand, as `AuditLogRecord` does.
    public func encode(to container: inout PersistenceContainer) throws {
        container[CodingKeys.id.rawValue] = id
        container[CodingKeys.tenantID.rawValue] = tenantID
        container[CodingKeys.aggregateType.rawValue] = aggregateType
        container[CodingKeys.aggregateID.rawValue] = aggregateID
        container[CodingKeys.eventType.rawValue] = eventType
        container[CodingKeys.payload.rawValue] = payload
        container[CodingKeys.createdAt.rawValue] = StoredDate.databaseText(createdAt)
    }

    /// The payload decoded as `T`.
    public func decodePayload<T: Decodable>(_ type: T.Type) throws(StoreError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(payload.utf8))
        } catch {
            throw .invalid(field: "payload", reason: "event \(id?.description ?? "?"): \(error)")
        }
    }
}

// In an extension, so the memberwise initializer stays.
extension OutboxEvent {
    /// The columns `init(selected:)` reads, in its order.
    static let selectedColumns = "id, tenant_id, aggregate_type, aggregate_id, event_type, payload, created_at"
    /// `selectedColumns` with the payload read only for the aggregate types of the statement's
    /// first argument (a JSON array), '' for the others: a consumer reading some payloads only.
    static let selectedColumnsWithPayloadsOf = """
        id, tenant_id, aggregate_type, aggregate_id, event_type,
        CASE WHEN aggregate_type IN (SELECT value FROM json_each(?)) THEN payload ELSE '' END, created_at
        """

    /// Reads a row of `SELECT <selectedColumns>` by position: the `Decodable` path through GRDB's
    /// row decoder cost about 5 µs an event, and consumers read every event a bulk load writes.
    init(selected row: Row) throws {
        // As the Int64 SQLite holds: through `RecordID` GRDB looks its generic metadata up per row.
        id = OutboxEventID(row[0] as Int64)
        tenantID = TenantID(row[1] as Int64)
        aggregateType = row[2]
        aggregateID = row[3]
        eventType = row[4]
        payload = row[5]
        createdAt = try StoredDate.date(row[6] as DatabaseValue, column: CodingKeys.createdAt.rawValue)
    }

    /// The row `handle` (a `SELECT <selectedColumns>`) is on, read from SQLite's column buffers
    /// in place (`ColumnBytes`); nil when `init(selected:)` has to decide (a NULL, a text holding
    /// a NUL, a date the store did not write).
    init?(currentRowOf handle: SQLiteStatement) {
        guard !ColumnBytes.anyNull(handle, 0..<7), let aggregateType = ColumnBytes.text(handle, 2),
            let eventType = ColumnBytes.text(handle, 4), let payload = ColumnBytes.text(handle, 5),
            let createdAt = ColumnBytes.storedDate(handle, 6)
        else { return nil }
        id = OutboxEventID(sqlite3_column_int64(handle, 0))
        tenantID = TenantID(sqlite3_column_int64(handle, 1))
        self.aggregateType = aggregateType
        aggregateID = sqlite3_column_int64(handle, 3)
        self.eventType = eventType
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// A named reader of the outbox and how far it has got (table `outbox_consumer`).
struct OutboxConsumerRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "outbox_consumer"

    var id: Int64?
    /// nil: a platform consumer reading every tenant.
    var tenantID: TenantID?
    var name: String
    /// The last event the consumer acknowledged; 0 before the first.
    var lastEventID: Int64
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case name
        case lastEventID = "last_event_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let name = Column(CodingKeys.name)
        static let lastEventID = Column(CodingKeys.lastEventID)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
