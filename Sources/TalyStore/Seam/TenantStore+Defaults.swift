import Foundation

// The defaults of the tenant capabilities live here, once, so every implementation offers the
// same ones. Each forwards to the requirement of the same name: a conformer must implement every
// requirement itself (the conformance suite calls each capability), or its default would call itself.

extension TenantUsers {
    /// Creates a user with a password and roles (none by default).
    public func createUser(
        email: String, displayName: String, password: String, roles: [RoleID] = [], by actor: Actor
    ) throws(StoreError) -> UserRecord {
        try createUser(email: email, displayName: displayName, password: password, roles: roles, by: actor)
    }

    /// Users by id after `cursor` (exclusive), 100 by default.
    public func users(after cursor: UserID? = nil, limit: Int = 100) throws(StoreError) -> [UserRecord] {
        try users(after: cursor, limit: limit)
    }

    /// Changes the display name and/or email (nil: unchanged) of a user at `expectedVersion`.
    public func updateProfile(
        _ id: UserID, expectedVersion: Int64, displayName: String? = nil, email: String? = nil, by actor: Actor
    ) throws(StoreError) -> UserRecord {
        try updateProfile(id, expectedVersion: expectedVersion, displayName: displayName, email: email, by: actor)
    }

    /// Sets a new password and revokes the user's sessions, except `kept` if given.
    public func changePassword(
        _ id: UserID, newPassword: String, keeping kept: SessionID? = nil, by actor: Actor
    ) throws(StoreError) -> UserRecord {
        try changePassword(id, newPassword: newPassword, keeping: kept, by: actor)
    }
}

extension TenantSessions {
    /// Opens a session, by default idle for at most 30 minutes and alive for at most 12 hours.
    public func createSession(
        for userID: UserID, idleTimeout: TimeInterval = 30 * 60, absoluteTimeout: TimeInterval = 12 * 60 * 60
    ) throws(StoreError) -> IssuedSession {
        try createSession(for: userID, idleTimeout: idleTimeout, absoluteTimeout: absoluteTimeout)
    }
}

extension TenantAPIKeys {
    /// Issues a key with these scopes, never expiring unless `expiresAt` is given.
    public func createAPIKey(
        name: String, scopes: Set<Permission>, expiresAt: Date? = nil, by actor: Actor
    ) throws(StoreError) -> IssuedAPIKey {
        try createAPIKey(name: name, scopes: scopes, expiresAt: expiresAt, by: actor)
    }
}

extension TenantContentItems {
    /// Items by id after `cursor`, unfiltered unless told, 100 by default.
    public func contentItems(
        of typeID: ContentTypeID? = nil, status: ContentStatus? = nil, updatedSince: Date? = nil,
        updatedBefore: Date? = nil, after cursor: ContentItemID? = nil, limit: Int = 100
    ) throws(StoreError) -> [ContentItemRecord] {
        try contentItems(
            of: typeID, status: status, updatedSince: updatedSince, updatedBefore: updatedBefore, after: cursor,
            limit: limit)
    }

    /// Publishes this tenant's due drafts, at most 500 by default, as the system by default.
    @discardableResult
    public func publishDueContentItems(limit: Int = 500, by actor: Actor = .system) throws(StoreError)
        -> [ContentItemRecord]
    {
        try publishDueContentItems(limit: limit, by: actor)
    }
}

extension TenantProducts {
    /// Products by id after `cursor`, of any status unless told, 100 by default.
    public func products(
        after cursor: ProductID? = nil, limit: Int = 100, status: ProductStatus? = nil
    ) throws(StoreError) -> [ProductRecord] {
        try products(after: cursor, limit: limit, status: status)
    }
}

extension TenantOutbox {
    /// A consumer of this tenant's events only, from the oldest event by default.
    public func outboxConsumer(named name: String, startingAt start: OutboxConsumer.Start = .beginning)
        throws(StoreError) -> OutboxConsumer
    {
        try outboxConsumer(named: name, startingAt: start)
    }

    /// This tenant's events after `cursor` (from the first by default), 100 by default.
    public func outboxEvents(after cursor: OutboxEventID = OutboxEventID(0), limit: Int = 100) throws(StoreError)
        -> [OutboxEvent]
    {
        try outboxEvents(after: cursor, limit: limit)
    }
}

extension TenantBulkWrites {
    /// Writes a batch of items by slug in one transaction, allowed to publish and storing no
    /// checkpoint unless told.
    public func bulkWriteContentItems(
        of typeID: ContentTypeID, _ drafts: [ContentItemDraft], mode: BulkWriteMode, by actor: Actor,
        mayPublish: Bool = true, checkpoint: ([BulkWriteOutcome]) throws -> IngestCheckpoint? = { _ in nil }
    ) throws(StoreError) -> [BulkWriteOutcome] {
        try bulkWriteContentItems(
            of: typeID, drafts, mode: mode, by: actor, mayPublish: mayPublish, checkpoint: checkpoint)
    }

    /// Writes a batch of products by SKU in one transaction, storing no checkpoint unless told.
    public func bulkWriteProducts(
        _ drafts: [ProductDraft], mode: BulkWriteMode, by actor: Actor,
        checkpoint: ([BulkWriteOutcome]) throws -> IngestCheckpoint? = { _ in nil }
    ) throws(StoreError) -> [BulkWriteOutcome] {
        try bulkWriteProducts(drafts, mode: mode, by: actor, checkpoint: checkpoint)
    }
}

extension TenantAudit {
    /// The audit log, oldest first, from the start by default, 100 entries by default.
    public func auditLog(after cursor: AuditEntryID? = nil, limit: Int = 100) throws(StoreError) -> [AuditLogRecord] {
        try auditLog(after: cursor, limit: limit)
    }
}
