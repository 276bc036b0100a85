import Foundation
import GRDB

/// What `createTenant` hands back once: the plaintext password and API key are never stored.
public struct TenantBootstrap: Sendable {
    /// The new tenant.
    public let tenant: TenantRecord
    /// The owner account.
    public let owner: UserRecord
    /// The owner's generated password.
    public let password: String
    /// The admin API key's record.
    public let apiKeyRecord: APIKeyRecord
    /// The admin API key, `taly_<prefix>_<secret>`.
    public let apiKey: String
}

/// Tenants: creation and the scope through which all tenant-owned data is reached.
extension Store {
    /// The scope of tenant `id`, after checking that it exists.
    public func tenant(_ id: TenantID) throws(StoreError) -> TenantScope {
        let exists = try read { db in try TenantRecord.exists(db, key: id) }
        guard exists else { throw .notFound(entity: "tenant", key: id.description) }
        return TenantScope(tenantID: id, store: self)
    }

    /// The scope of the tenant named `name`.
    public func tenant(named name: String) throws(StoreError) -> TenantScope {
        let found = try read { db in try TenantRecord.filter(TenantRecord.Columns.name == name).fetchOne(db) }
        guard let id = found?.id else { throw .notFound(entity: "tenant", key: name) }
        return TenantScope(tenantID: id, store: self)
    }

    /// Every tenant, by id.
    public func tenants() throws(StoreError) -> [TenantRecord] {
        try read { db in try TenantRecord.order(TenantRecord.Columns.id).fetchAll(db) }
    }

    /// Creates a tenant with its built-in roles, an owner with a generated password and an admin
    /// API key, all in one transaction; a taken name is `.duplicate(entity: "tenant", field: "name")`.
    public func createTenant(name: String, adminEmail: String) throws(StoreError) -> TenantBootstrap {
        let name = try Self.validTenantName(name)
        let email = try EmailAddress(validating: adminEmail, field: "adminEmail")
        let password = UserRecord.generatePassword()
        let passwordHash = try PasswordHasher.hash(password)
        let time = clock.now()
        return try write { db in
            if try TenantRecord.filter(TenantRecord.Columns.name == name).fetchCount(db) > 0 {
                throw StoreError.duplicate(entity: "tenant", field: "name")
            }
            var tenant = TenantRecord(id: nil, name: name, createdAt: time)
            try tenant.insert(db)
            guard let tenantID = tenant.id else { preconditionFailure("an inserted tenant has an id") }
            let scope = TenantScope(tenantID: tenantID, store: self)
            let roles = try scope.insertBuiltInRoles(db, at: time)
            try scope.audit(
                db, actor: .system, action: "tenant.create", targetType: "tenant", targetID: tenantID.rawValue,
                details: ["name": name], at: time)
            let owner = try scope.insertUser(
                db, email: email, displayName: String(email.value.prefix { $0 != "@" }), passwordHash: passwordHash,
                roles: roles[.owner].map { [$0] } ?? [], at: time)
            try scope.audit(
                db, actor: .system, action: "user.create", targetType: "user", targetID: owner.id?.rawValue,
                details: ["email": email.value, "roles": BuiltInRole.owner.rawValue], at: time)
            let key = try scope.insertAPIKey(
                db, name: "bootstrap admin key", scopes: BuiltInRole.admin.permissions, expiresAt: nil, by: .system,
                at: time)
            return TenantBootstrap(
                tenant: tenant, owner: owner, password: password, apiKeyRecord: key.record, apiKey: key.key)
        }
    }

    static func validTenantName(_ text: String) throws(StoreError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(trimmed.count) else {
            throw .invalid(field: "name", reason: "must be 1 to 100 characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field: "name", reason: "contains control characters")
        }
        return trimmed
    }
}
