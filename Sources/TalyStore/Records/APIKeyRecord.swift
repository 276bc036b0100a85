import Foundation
import GRDB

/// A tenant's API key (table `api_key`): a visible prefix and the SHA-256 of its secret.
///
/// The secret is 256 random bits, so a fast hash is enough: a slow password hash (Argon2) only
/// helps against guessing low-entropy secrets, and would cost ~50 ms on every API request.
public struct APIKeyRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "api_key"

    /// The key's id; nil before insertion.
    public internal(set) var id: APIKeyID?
    /// The tenant that owns the key.
    public internal(set) var tenantID: TenantID
    /// A label people give the key.
    public internal(set) var name: String
    /// The visible, unique part of the key (16 hex digits), shown in listings and logs.
    public internal(set) var prefix: String
    /// SHA-256 of the secret part; 32 bytes.
    var secretHash: Data
    /// What the key may do, sorted.
    public internal(set) var scopes: [Permission]
    /// The user who created the key, if any.
    public internal(set) var createdByUserID: UserID?
    /// When the key was created.
    public internal(set) var createdAt: Date
    /// After this the key is refused; nil for no expiry.
    public internal(set) var expiresAt: Date?
    /// When the key was last accepted, to about a minute.
    public internal(set) var lastUsedAt: Date?
    /// Whether the key was revoked.
    public internal(set) var isRevoked: Bool
    /// When the key was revoked.
    public internal(set) var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case name
        case prefix
        case secretHash = "secret_hash"
        case scopes
        case createdByUserID = "created_by_user_id"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
        case isRevoked = "revoked"
        case revokedAt = "revoked_at"
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `prefix`.
        public static let prefix = Column(CodingKeys.prefix)
        /// `expires_at`.
        public static let expiresAt = Column(CodingKeys.expiresAt)
        /// `last_used_at`.
        public static let lastUsedAt = Column(CodingKeys.lastUsedAt)
        /// `revoked`.
        public static let isRevoked = Column(CodingKeys.isRevoked)
        /// `revoked_at`.
        public static let revokedAt = Column(CodingKeys.revokedAt)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = APIKeyID(inserted.rowID) }
}
