/// The roles every tenant starts with; their names are reserved and their permissions fixed.
public enum BuiltInRole: String, Sendable, CaseIterable {
    /// Everything, including the tenant itself.
    case owner
    /// Everything except the tenant's own settings.
    case admin
    /// Edits and publishes all content and the catalog.
    case editor
    /// Writes content that an editor publishes.
    case author
    /// A shopper or reader of the tenant's site.
    case customer

    /// The permissions the role grants.
    public var permissions: Set<Permission> {
        switch self {
        case .owner: Set(Permission.allCases)
        case .admin: Set(Permission.allCases).subtracting([.tenantManage])
        case .editor:
            [.contentRead, .contentWrite, .contentPublish, .catalogRead, .catalogWrite, .search, .usersRead]
        case .author: [.contentRead, .contentWrite, .catalogRead, .search]
        case .customer: [.ordersPlace, .search]
        }
    }
}
