import Foundation
import GRDB

/// A person who signs in to one tenant (table `user`); the email is unique within the tenant.
public struct UserRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "user"

    /// Whether the user may sign in.
    public enum Status: String, Codable, Sendable, DatabaseValueConvertible {
        /// The user may sign in.
        case active
        /// The user may not sign in; their sessions were revoked when disabled.
        case disabled
    }

    /// The user's id; nil before insertion.
    public internal(set) var id: UserID?
    /// The tenant that owns the user.
    public internal(set) var tenantID: TenantID
    /// The email as the user typed it (trimmed).
    public internal(set) var email: String
    /// The lowercased email, unique per tenant; sign-in looks this up.
    public internal(set) var emailNormalized: String
    /// The name shown to people.
    public internal(set) var displayName: String
    /// Active or disabled.
    public internal(set) var status: Status
    /// When the user was created.
    public internal(set) var createdAt: Date
    /// When the user last changed.
    public internal(set) var updatedAt: Date
    /// Optimistic-concurrency version, 1 on creation and incremented by every change.
    public internal(set) var version: Int64

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case email
        case emailNormalized = "email_normalized"
        case displayName = "display_name"
        case status
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
        /// `email`.
        public static let email = Column(CodingKeys.email)
        /// `email_normalized`.
        public static let emailNormalized = Column(CodingKeys.emailNormalized)
        /// `display_name`.
        public static let displayName = Column(CodingKeys.displayName)
        /// `status`.
        public static let status = Column(CodingKeys.status)
        /// `created_at`.
        public static let createdAt = Column(CodingKeys.createdAt)
        /// `updated_at`.
        public static let updatedAt = Column(CodingKeys.updatedAt)
        /// `version`.
        public static let version = Column(CodingKeys.version)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = UserID(inserted.rowID) }
}
