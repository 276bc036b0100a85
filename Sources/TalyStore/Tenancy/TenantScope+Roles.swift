import Foundation
import GRDB

/// Roles, custom permission sets and their assignment to users.
extension TenantScope {
    /// Creates a custom role; its name must be unused in the tenant (built-in names are taken).
    public func createRole(name: String, permissions: Set<Permission>, by actor: Actor) throws(StoreError) -> RoleRecord
    {
        let name = try Self.validRoleName(name)
        let time = now
        return try store.write { db in
            if try fetchRole(db, named: name) != nil { throw StoreError.duplicate(entity: "role", field: "name") }
            var role = RoleRecord(
                id: nil, tenantID: tenantID, name: name, isBuiltIn: false, storedPermissions: permissions.sorted(),
                createdAt: time, updatedAt: time, version: 1)
            try role.insert(db)
            try audit(
                db, actor: actor, action: "role.create", targetType: "role", targetID: role.id?.rawValue,
                details: ["name": name, "permissions": Self.list(permissions)], at: time)
            return role
        }
    }

    /// Replaces a custom role's permissions, if it is still at `expectedVersion`.
    public func updateRolePermissions(
        _ id: RoleID, expectedVersion: Int64, permissions: Set<Permission>, by actor: Actor
    ) throws(StoreError) -> RoleRecord {
        let time = now
        return try store.write { db in
            var role = try fetchRole(db, id)
            guard !role.isBuiltIn else {
                throw StoreError.invalid(field: "role", reason: "built-in role \(role.name) cannot be changed")
            }
            guard role.version == expectedVersion else {
                throw StoreError.versionConflict(
                    entity: "role", id: id.rawValue, expected: expectedVersion, actual: role.version)
            }
            role.storedPermissions = permissions.sorted()
            role.version += 1
            role.updatedAt = max(time, role.createdAt)
            try role.update(db)
            try audit(
                db, actor: actor, action: "role.update", targetType: "role", targetID: id.rawValue,
                details: ["permissions": Self.list(permissions)], at: time)
            return role
        }
    }

    /// The role with `id` in this tenant.
    public func role(_ id: RoleID) throws(StoreError) -> RoleRecord {
        try store.read { db in try fetchRole(db, id) }
    }

    /// The role named `name` in this tenant, or nil.
    public func role(named name: String) throws(StoreError) -> RoleRecord? {
        try store.read { db in try fetchRole(db, named: name) }
    }

    /// The built-in role `role` of this tenant.
    public func role(_ role: BuiltInRole) throws(StoreError) -> RoleRecord {
        guard let found = try self.role(named: role.rawValue) else {
            throw .notFound(entity: "role", key: role.rawValue)
        }
        return found
    }

    /// Every role of the tenant, by id.
    public func roles() throws(StoreError) -> [RoleRecord] {
        let tenantID = tenantID
        return try store.read { db in
            try RoleRecord.filter(RoleRecord.Columns.tenantID == tenantID).order(RoleRecord.Columns.id).fetchAll(db)
        }
    }

    /// The roles `userID` holds.
    public func roles(of userID: UserID) throws(StoreError) -> [RoleRecord] {
        try store.read { db in
            _ = try fetchUser(db, userID)
            return try fetchRoles(db, of: userID)
        }
    }

    /// Everything `userID` may do through their roles.
    public func permissions(of userID: UserID) throws(StoreError) -> Set<Permission> {
        try roles(of: userID).reduce(into: Set<Permission>()) { $0.formUnion($1.permissions) }
    }

    /// Gives `userID` the role `roleID`; assigning a held role changes nothing.
    public func assignRole(_ roleID: RoleID, to userID: UserID, by actor: Actor) throws(StoreError) {
        let time = now
        try store.write { db in
            _ = try fetchUser(db, userID)
            _ = try fetchRole(db, roleID)
            let link = UserRoleRecord(tenantID: tenantID, userID: userID, roleID: roleID, createdAt: time)
            guard !(try link.exists(db)) else { return }
            try link.insert(db)
            try audit(
                db, actor: actor, action: "user.role_assign", targetType: "user", targetID: userID.rawValue,
                details: ["role_id": roleID.description], at: time)
        }
    }

    /// Takes the role `roleID` from `userID`; the tenant's last owner keeps the owner role.
    public func removeRole(_ roleID: RoleID, from userID: UserID, by actor: Actor) throws(StoreError) {
        let time = now
        let tenantID = tenantID
        try store.write { db in
            _ = try fetchUser(db, userID)
            let role = try fetchRole(db, roleID)
            let link = UserRoleRecord.filter(
                UserRoleRecord.Columns.tenantID == tenantID && UserRoleRecord.Columns.userID == userID
                    && UserRoleRecord.Columns.roleID == roleID)
            guard try link.fetchCount(db) > 0 else { return }
            if role.isBuiltIn, role.name == BuiltInRole.owner.rawValue {
                let owners = try UserRoleRecord.filter(
                    UserRoleRecord.Columns.tenantID == tenantID && UserRoleRecord.Columns.roleID == roleID
                ).fetchCount(db)
                guard owners > 1 else {
                    throw StoreError.constraintViolation(reason: "a tenant keeps at least one owner")
                }
            }
            try link.deleteAll(db)
            try audit(
                db, actor: actor, action: "user.role_remove", targetType: "user", targetID: userID.rawValue,
                details: ["role_id": roleID.description], at: time)
        }
    }

    // MARK: - Inside transactions

    /// The role `id` of this tenant.
    func fetchRole(_ db: Database, _ id: RoleID) throws -> RoleRecord {
        guard
            let role = try RoleRecord.filter(RoleRecord.Columns.tenantID == tenantID && RoleRecord.Columns.id == id)
                .fetchOne(db)
        else { throw StoreError.notFound(entity: "role", key: id.description) }
        return role
    }

    func fetchRole(_ db: Database, named name: String) throws -> RoleRecord? {
        try RoleRecord.filter(RoleRecord.Columns.tenantID == tenantID && RoleRecord.Columns.name == name).fetchOne(db)
    }

    func fetchRoles(_ db: Database, of userID: UserID) throws -> [RoleRecord] {
        let roleIDs =
            try UserRoleRecord
            .filter(UserRoleRecord.Columns.tenantID == tenantID && UserRoleRecord.Columns.userID == userID)
            .select(UserRoleRecord.Columns.roleID, as: RoleID.self)
            .fetchAll(db)
        return
            try RoleRecord
            .filter(RoleRecord.Columns.tenantID == tenantID && roleIDs.contains(RoleRecord.Columns.id))
            .order(RoleRecord.Columns.id)
            .fetchAll(db)
    }

    /// Inserts the built-in roles of a new tenant.
    func insertBuiltInRoles(_ db: Database, at time: Date) throws -> [BuiltInRole: RoleID] {
        var ids: [BuiltInRole: RoleID] = [:]
        for builtIn in BuiltInRole.allCases {
            var role = RoleRecord(
                id: nil, tenantID: tenantID, name: builtIn.rawValue, isBuiltIn: true, storedPermissions: [],
                createdAt: time, updatedAt: time, version: 1)
            try role.insert(db)
            ids[builtIn] = role.id
        }
        return ids
    }

    static func validRoleName(_ text: String) throws(StoreError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...64).contains(trimmed.count) else {
            throw .invalid(field: "name", reason: "must be 1 to 64 characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field: "name", reason: "contains control characters")
        }
        return trimmed
    }

    static func list(_ permissions: Set<Permission>) -> String {
        permissions.sorted().map(\.rawValue).joined(separator: ",")
    }
}
