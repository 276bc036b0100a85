import Foundation
import GRDB

/// Users, their passwords and their status.
extension TenantScope {
    /// Creates a user with a password and roles; the email must be unused in this tenant.
    public func createUser(
        email: String, displayName: String, password: String, roles: [RoleID], by actor: Actor
    ) throws(StoreError) -> UserRecord {
        let address = try EmailAddress(validating: email)
        let name = try Self.validDisplayName(displayName)
        try PasswordHasher.validate(password)
        // Hashing takes tens of milliseconds: never inside the write transaction.
        let passwordHash = try PasswordHasher.hash(password)
        let time = now
        return try store.write { db in
            let user = try insertUser(
                db, email: address, displayName: name, passwordHash: passwordHash, roles: roles, at: time)
            try audit(
                db, actor: actor, action: "user.create", targetType: "user", targetID: user.id?.rawValue,
                details: ["email": address.value, "roles": roles.map(\.description).joined(separator: ",")], at: time)
            return user
        }
    }

    /// The user with `id` in this tenant.
    public func user(_ id: UserID) throws(StoreError) -> UserRecord {
        try store.read { db in try fetchUser(db, id) }
    }

    /// The user with this email (in any case) in this tenant, or nil.
    public func user(email: String) throws(StoreError) -> UserRecord? {
        guard let address = try? EmailAddress(validating: email) else { return nil }
        let tenantID = tenantID
        return try store.read { db in
            try UserRecord
                .filter(
                    UserRecord.Columns.tenantID == tenantID && UserRecord.Columns.emailNormalized == address.normalized
                )
                .fetchOne(db)
        }
    }

    /// The tenant's users by id, after `cursor` (exclusive), at most `limit`.
    public func users(after cursor: UserID?, limit: Int) throws(StoreError) -> [UserRecord] {
        let tenantID = tenantID
        return try store.read { db in
            var request = UserRecord.filter(UserRecord.Columns.tenantID == tenantID)
            if let cursor { request = request.filter(UserRecord.Columns.id > cursor) }
            return try request.order(UserRecord.Columns.id).limit(max(0, limit)).fetchAll(db)
        }
    }

    /// Changes the display name and/or email, if the user is still at `expectedVersion`.
    public func updateProfile(
        _ id: UserID, expectedVersion: Int64, displayName: String?, email: String?, by actor: Actor
    ) throws(StoreError) -> UserRecord {
        let name = try displayName.map { name throws(StoreError) in try Self.validDisplayName(name) }
        let address = try email.map { email throws(StoreError) in try EmailAddress(validating: email) }
        let time = now
        return try store.write { db in
            var user = try fetchUser(db, id, expectedVersion: expectedVersion)
            var changed: [String: String] = [:]
            if let name, name != user.displayName {
                user.displayName = name
                changed["display_name"] = name
            }
            if let address, address.value != user.email {
                if address.normalized != user.emailNormalized, try emailTaken(db, address.normalized) {
                    throw StoreError.duplicate(entity: "user", field: "email")
                }
                user.email = address.value
                user.emailNormalized = address.normalized
                changed["email"] = address.value
            }
            guard !changed.isEmpty else { return user }
            try bump(&user, at: time)
            try user.update(db)
            try audit(
                db, actor: actor, action: "user.update", targetType: "user", targetID: id.rawValue,
                details: changed, at: time)
            return user
        }
    }

    /// Replaces the user's password and revokes their sessions, except `keeping` (the session
    /// the user changed it from, so they stay signed in there).
    public func changePassword(
        _ id: UserID, newPassword: String, keeping kept: SessionID?, by actor: Actor
    ) throws(StoreError) -> UserRecord {
        try PasswordHasher.validate(newPassword, field: "newPassword")
        let passwordHash = try PasswordHasher.hash(newPassword)
        let time = now
        return try store.write { db in
            var user = try fetchUser(db, id)
            let credential = CredentialRecord(
                tenantID: tenantID, userID: id, passwordHash: passwordHash, updatedAt: time)
            try credential.save(db)
            try bump(&user, at: time)
            try user.update(db)
            let revoked = try revokeSessions(db, of: id, except: kept, at: time)
            try audit(
                db, actor: actor, action: "user.password_change", targetType: "user", targetID: id.rawValue,
                details: ["sessions_revoked": String(revoked)], at: time)
            return user
        }
    }

    /// Disables the user: they can no longer sign in, and their sessions are revoked.
    public func disableUser(_ id: UserID, by actor: Actor) throws(StoreError) -> UserRecord {
        try setStatus(.disabled, of: id, by: actor)
    }

    /// Lets a disabled user sign in again.
    public func enableUser(_ id: UserID, by actor: Actor) throws(StoreError) -> UserRecord {
        try setStatus(.active, of: id, by: actor)
    }

    /// The active user with this email and password.
    ///
    /// An unknown email and a wrong password fail alike and take about as long: an unknown email
    /// is verified against a dummy hash. A disabled account is reported only to someone who
    /// knows its password.
    public func authenticate(email: String, password: String) throws(StoreError) -> UserRecord {
        let tenantID = tenantID
        let normalized = (try? EmailAddress(validating: email))?.normalized
        let found: (UserRecord, String)? = try store.read { db in
            guard let normalized,
                let user =
                    try UserRecord
                    .filter(UserRecord.Columns.tenantID == tenantID && UserRecord.Columns.emailNormalized == normalized)
                    .fetchOne(db),
                let credential =
                    try CredentialRecord
                    .filter(CredentialRecord.Columns.tenantID == tenantID && CredentialRecord.Columns.userID == user.id)
                    .fetchOne(db)
            else { return nil }
            return (user, credential.passwordHash)
        }
        guard let (user, passwordHash) = found else {
            _ = PasswordHasher.verify(password, against: PasswordHasher.dummyHash)
            throw .authenticationFailed(.invalidCredentials)
        }
        guard PasswordHasher.verify(password, against: passwordHash) else {
            throw .authenticationFailed(.invalidCredentials)
        }
        guard user.status == .active else { throw .authenticationFailed(.disabled) }
        return user
    }

    // MARK: - Inside transactions

    /// Inserts a user, their credential and roles (which must be this tenant's).
    func insertUser(
        _ db: Database, email: EmailAddress, displayName: String, passwordHash: String, roles: [RoleID], at time: Date
    ) throws -> UserRecord {
        if try emailTaken(db, email.normalized) { throw StoreError.duplicate(entity: "user", field: "email") }
        var user = UserRecord(
            id: nil, tenantID: tenantID, email: email.value, emailNormalized: email.normalized,
            displayName: displayName, status: .active, createdAt: time, updatedAt: time, version: 1)
        try user.insert(db)
        guard let userID = user.id else { preconditionFailure("an inserted user has an id") }
        try CredentialRecord(tenantID: tenantID, userID: userID, passwordHash: passwordHash, updatedAt: time).insert(db)
        for roleID in Set(roles).sorted() {
            _ = try fetchRole(db, roleID)
            try UserRoleRecord(tenantID: tenantID, userID: userID, roleID: roleID, createdAt: time).insert(db)
        }
        return user
    }

    /// The user `id` of this tenant, checked against `expectedVersion` when given.
    func fetchUser(_ db: Database, _ id: UserID, expectedVersion: Int64? = nil) throws -> UserRecord {
        guard
            let user =
                try UserRecord
                .filter(UserRecord.Columns.tenantID == tenantID && UserRecord.Columns.id == id)
                .fetchOne(db)
        else { throw StoreError.notFound(entity: "user", key: id.description) }
        if let expectedVersion, user.version != expectedVersion {
            throw StoreError.versionConflict(
                entity: "user", id: id.rawValue, expected: expectedVersion, actual: user.version)
        }
        return user
    }

    private func emailTaken(_ db: Database, _ normalized: String) throws -> Bool {
        try UserRecord
            .filter(UserRecord.Columns.tenantID == tenantID && UserRecord.Columns.emailNormalized == normalized)
            .fetchCount(db) > 0
    }

    private func bump(_ user: inout UserRecord, at time: Date) throws {
        user.version += 1
        user.updatedAt = max(time, user.createdAt)
    }

    private func setStatus(_ status: UserRecord.Status, of id: UserID, by actor: Actor) throws(StoreError) -> UserRecord
    {
        let time = now
        return try store.write { db in
            var user = try fetchUser(db, id)
            guard user.status != status else { return user }
            user.status = status
            try bump(&user, at: time)
            try user.update(db)
            var details: [String: String] = [:]
            if status == .disabled { details["sessions_revoked"] = String(try revokeSessions(db, of: id, at: time)) }
            try audit(
                db, actor: actor, action: status == .disabled ? "user.disable" : "user.enable", targetType: "user",
                targetID: id.rawValue, details: details, at: time)
            return user
        }
    }

    static func validDisplayName(_ text: String) throws(StoreError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(trimmed.count) else {
            throw .invalid(field: "displayName", reason: "must be 1 to 200 characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field: "displayName", reason: "contains control characters")
        }
        return trimmed
    }
}
