import Foundation
import GRDB

/// A signed-in user's session (table `session`): a visible prefix and the SHA-256 of its secret.
public struct SessionRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "session"

    /// The session's id; nil before insertion.
    public internal(set) var id: SessionID?
    /// The tenant of the user.
    public internal(set) var tenantID: TenantID
    /// The signed-in user.
    public internal(set) var userID: UserID
    /// The visible, unique part of the token (16 hex digits).
    public internal(set) var prefix: String
    /// SHA-256 of the token's 256-bit secret part; 32 bytes.
    var tokenHash: Data
    /// When the session was created.
    public internal(set) var createdAt: Date
    /// When the session was last seen, to about a minute.
    public internal(set) var lastSeenAt: Date
    /// How long the session may go unused, in seconds.
    public internal(set) var idleTimeoutSeconds: Int64
    /// After this the session is refused unless seen again before (sliding).
    public internal(set) var idleExpiresAt: Date
    /// After this the session is refused, however active.
    public internal(set) var absoluteExpiresAt: Date
    /// When the session was revoked (sign-out, password change, disabled user).
    public internal(set) var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case userID = "user_id"
        case prefix
        case tokenHash = "token_hash"
        case createdAt = "created_at"
        case lastSeenAt = "last_seen_at"
        case idleTimeoutSeconds = "idle_timeout_seconds"
        case idleExpiresAt = "idle_expires_at"
        case absoluteExpiresAt = "absolute_expires_at"
        case revokedAt = "revoked_at"
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `user_id`.
        public static let userID = Column(CodingKeys.userID)
        /// `prefix`.
        public static let prefix = Column(CodingKeys.prefix)
        /// `last_seen_at`.
        public static let lastSeenAt = Column(CodingKeys.lastSeenAt)
        /// `idle_expires_at`.
        public static let idleExpiresAt = Column(CodingKeys.idleExpiresAt)
        /// `absolute_expires_at`.
        public static let absoluteExpiresAt = Column(CodingKeys.absoluteExpiresAt)
        /// `revoked_at`.
        public static let revokedAt = Column(CodingKeys.revokedAt)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = SessionID(inserted.rowID) }
}
