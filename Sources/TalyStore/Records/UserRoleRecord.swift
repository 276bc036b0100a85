import Foundation
import GRDB

/// That a user holds a role (table `user_role`); both belong to the same tenant, which the
/// composite foreign keys enforce.
public struct UserRoleRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "user_role"

    /// The tenant of both the user and the role.
    public internal(set) var tenantID: TenantID
    /// The user.
    public internal(set) var userID: UserID
    /// The role.
    public internal(set) var roleID: RoleID
    /// When the role was assigned.
    public internal(set) var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case userID = "user_id"
        case roleID = "role_id"
        case createdAt = "created_at"
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `user_id`.
        public static let userID = Column(CodingKeys.userID)
        /// `role_id`.
        public static let roleID = Column(CodingKeys.roleID)
        /// `created_at`.
        public static let createdAt = Column(CodingKeys.createdAt)
    }
}
