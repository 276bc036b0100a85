import Foundation
import GRDB

/// A named set of permissions in one tenant (table `role`): a built-in role or a custom one.
///
/// Built-in roles store no permissions: theirs come from `BuiltInRole`, so a binary that adds a
/// permission grants it to every tenant's owner without a data migration.
public struct RoleRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "role"

    /// The role's id; nil before insertion.
    public internal(set) var id: RoleID?
    /// The tenant that owns the role.
    public internal(set) var tenantID: TenantID
    /// The role's name, unique per tenant.
    public internal(set) var name: String
    /// Whether this is one of the `BuiltInRole`s.
    public internal(set) var isBuiltIn: Bool
    /// The permissions of a custom role, sorted; empty for built-in roles (see `permissions`).
    var storedPermissions: [Permission]
    /// When the role was created.
    public internal(set) var createdAt: Date
    /// When the role last changed.
    public internal(set) var updatedAt: Date
    /// Optimistic-concurrency version.
    public internal(set) var version: Int64

    /// What the role allows.
    public var permissions: Set<Permission> {
        if isBuiltIn, let role = BuiltInRole(rawValue: name) { return role.permissions }
        return Set(storedPermissions)
    }

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case name
        case isBuiltIn = "built_in"
        case storedPermissions = "permissions"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case version
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `name`.
        public static let name = Column(CodingKeys.name)
        /// `built_in`.
        public static let isBuiltIn = Column(CodingKeys.isBuiltIn)
        /// `permissions` (JSON array of raw values).
        public static let permissions = Column(CodingKeys.storedPermissions)
        /// `version`.
        public static let version = Column(CodingKeys.version)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = RoleID(inserted.rowID) }
}
