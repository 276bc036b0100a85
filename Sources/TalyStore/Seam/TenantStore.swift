import Foundation

/// One tenant's records as the rest of Taly sees them: every tenant-owned read and write, grouped
/// by capability, each filtered on `tenantID`.
///
/// Values come only from a `TenantDirectory` (`RecordStore.tenant(_:)`, `authenticate(bearer:)`,
/// `signIn`), which checks the tenant exists; implementations keep their initializer internal, so
/// code above the store cannot name a tenant-owned row without naming its tenant. A record id from
/// another tenant is simply not found. `TenantScope` is the SQLite implementation.
///
/// Guarantees every implementation keeps (the conformance suite checks them): each mutating call
/// is one transaction that also writes its audit entry and its outbox events, or nothing; a stale
/// `expectedVersion` is `.versionConflict`; a taken unique value is `.duplicate` naming the field.
public protocol TenantStore:
    TenantUsers, TenantRoles, TenantSessions, TenantAPIKeys, TenantContentTypes, TenantContentItems,
    TenantProducts, TenantInventory, TenantOutbox, TenantBulkWrites, TenantAudit
{}

/// What every tenant capability is scoped to.
public protocol TenantScoped: Sendable {
    /// The tenant every method works in.
    var tenantID: TenantID { get }
    /// The tenant's own record.
    func tenant() throws(StoreError) -> TenantRecord
}

/// Users, their passwords and their status.
public protocol TenantUsers: TenantScoped {
    /// Creates a user with a password and roles; the email must be unused in this tenant.
    func createUser(
        email: String, displayName: String, password: String, roles: [RoleID], by actor: Actor
    ) throws(StoreError) -> UserRecord
    /// The user with `id` in this tenant.
    func user(_ id: UserID) throws(StoreError) -> UserRecord
    /// The user with this email (compared case-insensitively), if any.
    func user(email: String) throws(StoreError) -> UserRecord?
    /// Users by id after `cursor` (exclusive), at most `limit`.
    func users(after cursor: UserID?, limit: Int) throws(StoreError) -> [UserRecord]
    /// Changes the display name and/or email of a user at `expectedVersion`.
    func updateProfile(
        _ id: UserID, expectedVersion: Int64, displayName: String?, email: String?, by actor: Actor
    ) throws(StoreError) -> UserRecord
    /// Sets a new password and revokes the user's sessions except `kept`.
    func changePassword(_ id: UserID, newPassword: String, keeping kept: SessionID?, by actor: Actor)
        throws(StoreError) -> UserRecord
    /// Disables a user and revokes their sessions.
    func disableUser(_ id: UserID, by actor: Actor) throws(StoreError) -> UserRecord
    /// Enables a disabled user.
    func enableUser(_ id: UserID, by actor: Actor) throws(StoreError) -> UserRecord
    /// The active user with this email and password; every failure is `.authenticationFailed`.
    func authenticate(email: String, password: String) throws(StoreError) -> UserRecord
}

/// Roles, their permissions and who holds them.
public protocol TenantRoles: TenantScoped {
    /// Creates a custom role; its name must be unused (built-in names are taken).
    func createRole(name: String, permissions: Set<Permission>, by actor: Actor) throws(StoreError) -> RoleRecord
    /// Replaces a role's permissions at `expectedVersion`.
    func updateRolePermissions(_ id: RoleID, expectedVersion: Int64, permissions: Set<Permission>, by actor: Actor)
        throws(StoreError) -> RoleRecord
    /// The role with `id`.
    func role(_ id: RoleID) throws(StoreError) -> RoleRecord
    /// The role named `name`, if any.
    func role(named name: String) throws(StoreError) -> RoleRecord?
    /// The tenant's record of a built-in role.
    func role(_ role: BuiltInRole) throws(StoreError) -> RoleRecord
    /// Every role, by id.
    func roles() throws(StoreError) -> [RoleRecord]
    /// The roles a user holds.
    func roles(of userID: UserID) throws(StoreError) -> [RoleRecord]
    /// The union of the permissions of a user's roles.
    func permissions(of userID: UserID) throws(StoreError) -> Set<Permission>
    /// Gives a user a role.
    func assignRole(_ roleID: RoleID, to userID: UserID, by actor: Actor) throws(StoreError)
    /// Takes a role from a user; the tenant's last owner keeps the owner role.
    func removeRole(_ roleID: RoleID, from userID: UserID, by actor: Actor) throws(StoreError)
}

/// Sign-in sessions.
public protocol TenantSessions: TenantScoped {
    /// Opens a session for a user; the token is returned once and stored only as a hash.
    func createSession(for userID: UserID, idleTimeout: TimeInterval, absoluteTimeout: TimeInterval)
        throws(StoreError) -> IssuedSession
    /// The live session of `token`, its idle expiry pushed back; failures are `.authenticationFailed`.
    func validateSession(_ token: String) throws(StoreError) -> SessionRecord
    /// The live session of `token` with its user and permissions, as `validateSession` checks it;
    /// what a request authenticates with.
    func authenticateSession(_ token: String) throws(StoreError) -> AuthenticatedSession
    /// Revokes a session.
    func revokeSession(_ id: SessionID, by actor: Actor) throws(StoreError) -> SessionRecord
    /// A user's sessions, newest first, including ended ones.
    func sessions(of userID: UserID) throws(StoreError) -> [SessionRecord]
}

/// API keys.
public protocol TenantAPIKeys: TenantScoped {
    /// Issues a key with these scopes; the key is returned once and stored only as a hash.
    func createAPIKey(name: String, scopes: Set<Permission>, expiresAt: Date?, by actor: Actor)
        throws(StoreError) -> IssuedAPIKey
    /// The key presented as `key`, if it is this tenant's, unexpired and unrevoked; records its use.
    func authenticateAPIKey(_ key: String) throws(StoreError) -> APIKeyRecord
    /// Revokes a key.
    func revokeAPIKey(_ id: APIKeyID, by actor: Actor) throws(StoreError) -> APIKeyRecord
    /// The key with `id`.
    func apiKey(_ id: APIKeyID) throws(StoreError) -> APIKeyRecord
    /// Every key, by id.
    func apiKeys() throws(StoreError) -> [APIKeyRecord]
}

/// Tenant-defined content types.
public protocol TenantContentTypes: TenantScoped {
    /// Creates a content type; its name must be unused in this tenant.
    func createContentType(name: String, displayName: String, fields: [ContentFieldDefinition], by actor: Actor)
        throws(StoreError) -> ContentTypeRecord
    /// Replaces a type's display name and fields at `expectedVersion`.
    func updateContentType(
        _ id: ContentTypeID, expectedVersion: Int64, displayName: String, fields: [ContentFieldDefinition],
        by actor: Actor
    ) throws(StoreError) -> ContentTypeRecord
    /// Deletes a content type, if it is still at `expectedVersion`.
    func deleteContentType(_ id: ContentTypeID, expectedVersion: Int64, by actor: Actor) throws(StoreError)
    /// The type with `id`.
    func contentType(_ id: ContentTypeID) throws(StoreError) -> ContentTypeRecord
    /// The type named `name`, if any.
    func contentType(named name: String) throws(StoreError) -> ContentTypeRecord?
    /// Every type, by id.
    func contentTypes() throws(StoreError) -> [ContentTypeRecord]
}

/// Content items, their lifecycle and their revisions.
public protocol TenantContentItems: TenantScoped {
    /// Creates a draft item of type `typeID`, with its first revision.
    func createContentItem(of typeID: ContentTypeID, _ draft: ContentItemDraft, by actor: Actor)
        throws(StoreError) -> ContentItemRecord
    /// Creates draft items in one transaction: all of them or none; errors name the draft (`items[3]…`).
    func createContentItems(of typeID: ContentTypeID, _ drafts: [ContentItemDraft], by actor: Actor)
        throws(StoreError) -> [ContentItemRecord]
    /// Replaces an item's title, slug, fields and schedule at `expectedVersion`, adding a revision.
    func updateContentItem(_ id: ContentItemID, expectedVersion: Int64, _ draft: ContentItemDraft, by actor: Actor)
        throws(StoreError) -> ContentItemRecord
    /// Publishes a draft or archived item now, if it is still at `expectedVersion`.
    func publishContentItem(_ id: ContentItemID, expectedVersion: Int64, by actor: Actor)
        throws(StoreError) -> ContentItemRecord
    /// Takes a published or archived item back to draft, if it is still at `expectedVersion`.
    func unpublishContentItem(_ id: ContentItemID, expectedVersion: Int64, by actor: Actor)
        throws(StoreError) -> ContentItemRecord
    /// Archives a draft or published item, if it is still at `expectedVersion`.
    func archiveContentItem(_ id: ContentItemID, expectedVersion: Int64, by actor: Actor)
        throws(StoreError) -> ContentItemRecord
    /// Deletes an item and its revisions; its audit entries and `content_item.deleted` event remain.
    func deleteContentItem(_ id: ContentItemID, expectedVersion: Int64, by actor: Actor) throws(StoreError)
    /// The item with `id`.
    func contentItem(_ id: ContentItemID) throws(StoreError) -> ContentItemRecord
    /// The item of a type with this slug, if any.
    func contentItem(of typeID: ContentTypeID, slug: String) throws(StoreError) -> ContentItemRecord?
    /// The items among `ids`, in id order, read in one transaction; unknown ids are left out.
    func contentItems(ids: [ContentItemID]) throws(StoreError) -> [ContentItemRecord]
    /// Items by id after `cursor`, filtered by type, status and update time, at most `limit`.
    func contentItems(
        of typeID: ContentTypeID?, status: ContentStatus?, updatedSince: Date?, updatedBefore: Date?,
        after cursor: ContentItemID?, limit: Int
    ) throws(StoreError) -> [ContentItemRecord]
    /// Publishes this tenant's due drafts, oldest schedule first, at most `limit`, in one transaction.
    @discardableResult
    func publishDueContentItems(limit: Int, by actor: Actor) throws(StoreError) -> [ContentItemRecord]
    /// An item's revisions, oldest first.
    func contentRevisions(of id: ContentItemID) throws(StoreError) -> [ContentRevisionRecord]
    /// The revision with `id`.
    func contentRevision(_ id: ContentRevisionID) throws(StoreError) -> ContentRevisionRecord
    /// Makes a revision's content the item's current content, as a new revision.
    func restoreContentRevision(_ revisionID: ContentRevisionID, expectedVersion: Int64, by actor: Actor)
        throws(StoreError) -> ContentItemRecord
    /// The largest id of the tenant's items (any type or status), nil when it has none: ids are
    /// assigned in increasing order, so an item created after this call has a larger one.
    func lastContentItemID() throws(StoreError) -> ContentItemID?
}

/// Products of the catalog.
public protocol TenantProducts: TenantScoped {
    /// Creates a product.
    func createProduct(_ draft: ProductDraft, by actor: Actor) throws(StoreError) -> ProductRecord
    /// Creates products in one transaction: all of them or none; a taken SKU names the first offender.
    func createProducts(_ drafts: [ProductDraft], by actor: Actor) throws(StoreError) -> [ProductRecord]
    /// The product with `id`.
    func product(_ id: ProductID) throws(StoreError) -> ProductRecord
    /// The product with this SKU, if any.
    func product(sku: String) throws(StoreError) -> ProductRecord?
    /// The products among `ids`, in id order, read in one transaction; unknown ids are left out.
    func products(ids: [ProductID]) throws(StoreError) -> [ProductRecord]
    /// Products by id after `cursor`, optionally of one status, at most `limit`.
    func products(after cursor: ProductID?, limit: Int, status: ProductStatus?) throws(StoreError) -> [ProductRecord]
    /// `products(ids:)` as a search index reads them: columns and attribute pairs, no draft.
    func productIndexSources(ids: [ProductID]) throws(StoreError) -> [ProductIndexSource]
    /// Every product by id after `cursor`, at most `limit`, as a search index reads them.
    func productIndexSources(after cursor: ProductID?, limit: Int) throws(StoreError) -> [ProductIndexSource]
    /// Replaces a product at `expectedVersion`.
    func updateProduct(_ id: ProductID, expectedVersion: Int64, with draft: ProductDraft, by actor: Actor)
        throws(StoreError) -> ProductRecord
    /// Deletes a product and its stock at `expectedVersion`, unless some of it is reserved.
    func deleteProduct(_ id: ProductID, expectedVersion: Int64, by actor: Actor) throws(StoreError)
    /// The largest id of the tenant's products, nil when it has none: ids are assigned in
    /// increasing order, so a product created after this call has a larger one.
    func lastProductID() throws(StoreError) -> ProductID?
}

/// Stock per product and location, and reservations against it: never oversold.
public protocol TenantInventory: TenantScoped {
    /// The stock of a product at one location, if any was ever recorded.
    func stock(of product: ProductID, at location: String) throws(StoreError) -> InventoryRecord?
    /// The stock of a product at every location.
    func stock(of product: ProductID) throws(StoreError) -> [InventoryRecord]
    /// Adds (or removes, if negative) units on hand; `.insufficientStock` if that would oversell.
    @discardableResult
    func adjustStock(of product: ProductID, at location: String, by delta: Int64, by actor: Actor)
        throws(StoreError) -> InventoryRecord
    /// Reserves units; `.insufficientStock` if fewer are available.
    func reserve(_ quantity: Int64, of product: ProductID, at location: String, by actor: Actor)
        throws(StoreError) -> ReservationRecord
    /// Gives a reservation's units back to the available stock.
    @discardableResult
    func releaseReservation(_ id: ReservationID, by actor: Actor) throws(StoreError) -> InventoryRecord
    /// Ships a reservation: its units leave both the reserved and the on-hand counts.
    @discardableResult
    func commitReservation(_ id: ReservationID, by actor: Actor) throws(StoreError) -> InventoryRecord
    /// A product's open reservations, oldest first.
    func reservations(of product: ProductID) throws(StoreError) -> [ReservationRecord]
}

/// The outbox seen from one tenant: only its own events.
public protocol TenantOutbox: TenantScoped {
    /// A consumer of this tenant's events only, created at `start` if new.
    func outboxConsumer(named name: String, startingAt start: OutboxConsumer.Start) throws(StoreError)
        -> OutboxConsumer
    /// This tenant's events after `cursor`, oldest (lowest id, commit order) first, at most `limit`.
    func outboxEvents(after cursor: OutboxEventID, limit: Int) throws(StoreError) -> [OutboxEvent]
}

/// Bulk writes by external id (content slug, product SKU) and the checkpoints of bulk ingest.
///
/// Coarse-grained on purpose: one call, one transaction per batch, so the seam costs one dynamic
/// call per batch, not per record.
public protocol TenantBulkWrites: TenantScoped {
    /// Writes a batch of items of one type by slug in one transaction, with the same revisions,
    /// audit and events as the single-item calls; `checkpoint`'s result is stored in that transaction.
    /// Without `mayPublish`, a record that would take effect in public is a conflict.
    func bulkWriteContentItems(
        of typeID: ContentTypeID, _ drafts: [ContentItemDraft], mode: BulkWriteMode, by actor: Actor,
        mayPublish: Bool, checkpoint: ([BulkWriteOutcome]) throws -> IngestCheckpoint?
    ) throws(StoreError) -> [BulkWriteOutcome]
    /// Writes a batch of products by SKU in one transaction, like `bulkWriteContentItems`.
    func bulkWriteProducts(
        _ drafts: [ProductDraft], mode: BulkWriteMode, by actor: Actor,
        checkpoint: ([BulkWriteOutcome]) throws -> IngestCheckpoint?
    ) throws(StoreError) -> [BulkWriteOutcome]
    /// The checkpoint of the bulk ingest of `inputKey`, if one is in progress.
    func ingestCheckpoint(inputKey: String) throws(StoreError) -> IngestCheckpoint?
    /// Forgets the checkpoint of `inputKey`.
    func clearIngestCheckpoint(inputKey: String) throws(StoreError)
}

/// The audit log every mutating call appends to in its own transaction.
public protocol TenantAudit: TenantScoped {
    /// The audit log, oldest first, after `cursor` (exclusive), at most `limit` entries.
    func auditLog(after cursor: AuditEntryID?, limit: Int) throws(StoreError) -> [AuditLogRecord]
}
