import Foundation
import GRDB

/// Who did what to what, and when (table `audit_log`); written in the transaction of the change.
public struct AuditLogRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "audit_log"

    /// The entry's id; increasing with time.
    public internal(set) var id: AuditEntryID?
    /// The tenant the change happened in.
    public internal(set) var tenantID: TenantID
    /// `system`, `user` or `api_key`.
    public internal(set) var actorType: String
    /// The acting user's or key's id; nil for `system`.
    public internal(set) var actorID: Int64?
    /// What happened, such as `user.create`.
    public internal(set) var action: String
    /// The kind of record changed, such as `user`.
    public internal(set) var targetType: String
    /// The id of the record changed.
    public internal(set) var targetID: Int64?
    /// When it happened.
    public internal(set) var occurredAt: Date
    /// A JSON object of further facts (never secrets).
    public internal(set) var details: String

    /// Who acted.
    public var actor: Actor { Actor(type: actorType, id: actorID) }

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case actorType = "actor_type"
        case actorID = "actor_id"
        case action
        case targetType = "target_type"
        case targetID = "target_id"
        case occurredAt = "occurred_at"
        case details
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `action`.
        public static let action = Column(CodingKeys.action)
        /// `occurred_at`.
        public static let occurredAt = Column(CodingKeys.occurredAt)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = AuditEntryID(inserted.rowID) }

    /// Writes the columns by hand: every change writes an entry, and GRDB's `Encodable` path
    /// formats the date through a `DateFormatter` (see `StoredDate`).
    public func encode(to container: inout PersistenceContainer) throws {
        container[CodingKeys.id.rawValue] = id
        container[CodingKeys.tenantID.rawValue] = tenantID
        container[CodingKeys.actorType.rawValue] = actorType
        container[CodingKeys.actorID.rawValue] = actorID
        container[CodingKeys.action.rawValue] = action
        container[CodingKeys.targetType.rawValue] = targetType
        container[CodingKeys.targetID.rawValue] = targetID
        container[CodingKeys.occurredAt.rawValue] = StoredDate.databaseText(occurredAt)
        container[CodingKeys.details.rawValue] = details
    }
}

/// Who performs a change, for the audit log.
public enum Actor: Sendable, Equatable {
    /// The platform itself (bootstrap, maintenance).
    case system
    /// A signed-in user of the tenant.
    case user(UserID)
    /// An API key of the tenant.
    case apiKey(APIKeyID)
}

extension Actor {
    /// The actor from its `actor_type` and `actor_id` columns.
    init(type: String, id: Int64?) {
        switch (type, id) {
        case ("user", let id?): self = .user(UserID(id))
        case ("api_key", let id?): self = .apiKey(APIKeyID(id))
        default: self = .system
        }
    }

    /// The `actor_type` and `actor_id` columns.
    var columns: (type: String, id: Int64?) {
        switch self {
        case .system: ("system", nil)
        case .user(let id): ("user", id.rawValue)
        case .apiKey(let id): ("api_key", id.rawValue)
        }
    }
}
