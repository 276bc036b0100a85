/// One thing a role or an API key allows; stored by its raw value in JSON arrays.
public enum Permission: String, Codable, Sendable, CaseIterable, Comparable {
    /// Rename or configure the tenant itself.
    case tenantManage = "tenant.manage"
    /// List and read users.
    case usersRead = "users.read"
    /// Create, change and disable users, and assign roles.
    case usersManage = "users.manage"
    /// Create and change custom roles.
    case rolesManage = "roles.manage"
    /// Create and revoke API keys.
    case apiKeysManage = "api_keys.manage"
    /// Read content, including drafts.
    case contentRead = "content.read"
    /// Create and edit content.
    case contentWrite = "content.write"
    /// Publish, schedule and archive content.
    case contentPublish = "content.publish"
    /// Read the catalog and inventory.
    case catalogRead = "catalog.read"
    /// Change the catalog and inventory.
    case catalogWrite = "catalog.write"
    /// Place orders and bookings as a customer.
    case ordersPlace = "orders.place"
    /// Read the audit log.
    case auditRead = "audit.read"
    /// Run searches.
    case search = "search"

    /// Orders permissions by raw value so stored sets are canonical.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
