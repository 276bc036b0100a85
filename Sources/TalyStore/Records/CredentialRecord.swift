import Foundation
import GRDB

/// A user's password, as an Argon2id PHC string (table `credential`); never leaves the module.
struct CredentialRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "credential"

    var tenantID: TenantID
    var userID: UserID
    /// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
    var passwordHash: String
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case userID = "user_id"
        case passwordHash = "password_hash"
        case updatedAt = "updated_at"
    }

    enum Columns {
        static let tenantID = Column(CodingKeys.tenantID)
        static let userID = Column(CodingKeys.userID)
        static let passwordHash = Column(CodingKeys.passwordHash)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }
}
