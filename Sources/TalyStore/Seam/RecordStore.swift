import Foundation

/// The record store as the rest of Taly sees it: every capability a caller needs at platform
/// level, with tenant-owned data reachable only through the `Tenant` scopes it hands out.
///
/// `Store` (SQLite through GRDB) is the one implementation today; a PostgreSQL one would be a
/// second conformer passing the same conformance suite (`docs/store/seam.md`). Callers hold
/// `any RecordStore` and never name the implementation, except where it is constructed (server
/// start, CLI). Every requirement throws only `StoreError`, so no caller knows the database.
public protocol RecordStore: TenantDirectory, CredentialDirectory, PlatformOutbox, StoreMaintenance {}

/// Finding and creating tenants: the only source of tenant scopes.
///
/// The guarantee callers rely on: a scope is handed out only for a tenant that exists, and every
/// tenant-owned read and write is a method of the scope, filtered on its tenant. Implementations
/// keep their scope's initializer internal so code above the store cannot make one.
public protocol TenantDirectory: Sendable {
    /// The implementation's tenant scope.
    associatedtype Tenant: TenantStore

    /// The scope of tenant `id`, after checking that it exists (`.notFound` otherwise).
    func tenant(_ id: TenantID) throws(StoreError) -> Tenant
    /// The scope of the tenant named `name` (`.notFound` if none).
    func tenant(named name: String) throws(StoreError) -> Tenant
    /// Every tenant, by id.
    func tenants() throws(StoreError) -> [TenantRecord]
    /// Creates a tenant with its built-in roles, an owner with a generated password and an admin
    /// API key, all in one transaction; a taken name is `.duplicate(entity: "tenant", field: "name")`.
    func createTenant(name: String, adminEmail: String) throws(StoreError) -> TenantBootstrap
}

/// Resolving credentials to the tenant they belong to, so the HTTP layer never takes the tenant
/// from a request field.
public protocol CredentialDirectory: TenantDirectory {
    /// The tenant of the session token or API key `token`, and the credential, checked as the
    /// scope's `authenticateSession` / `authenticateAPIKey` check it, the token parsed and hashed
    /// once. Anything unknown is `.authenticationFailed(.invalidCredentials)`.
    func authenticate(bearer token: String) throws(StoreError) -> (Tenant, AuthenticatedCredential)
    /// The tenant named `tenantName` and its active user with this email and password; an unknown
    /// tenant fails exactly like a wrong password, at the same cost.
    func signIn(tenantName: String, email: String, password: String) throws(StoreError) -> (Tenant, UserRecord)
}

/// The outbox seen from the platform: consumers of every tenant's events, the position, retention.
///
/// Guarantees (`docs/store/outbox.md`): an event is written in the transaction of the change it
/// announces and is visible only once that commits; each tenant's events come in commit order
/// (the order between tenants is not promised); a consumer's checkpoint is durable and only
/// acknowledgment moves it (at-least-once delivery); ids are never reused, and a consumer whose
/// position was pruned gets `.outboxConsumerBehind`.
public protocol PlatformOutbox: Sendable {
    /// A platform consumer reading every tenant's events, created at `start` if new.
    func outboxConsumer(named name: String, startingAt start: OutboxConsumer.Start) throws(StoreError)
        -> OutboxConsumer
    /// The id of the newest event ever written (0 if none), pruned or not.
    func outboxPosition() throws(StoreError) -> OutboxEventID
    /// Every consumer's checkpoint against the newest event it could read, for monitoring.
    func outboxConsumerLags() throws(StoreError) -> [OutboxConsumerLag]
    /// Deletes the events created more than `retention` seconds ago (the store's own retention
    /// when nil), at most `batchSize` per transaction, and returns how many went.
    @discardableResult
    func pruneOutbox(retention: TimeInterval?, batchSize: Int) throws(StoreError) -> Int
}

/// The platform's housekeeping: readiness and the timers the worker role runs.
public protocol StoreMaintenance: Sendable {
    /// Checks that the database answers and that every migration this binary knows is applied.
    func checkReadiness() throws(StoreError)
    /// Publishes every tenant's drafts whose `publishAt` has come, in transactions of at most
    /// `batchSize` items; returns how many were published.
    @discardableResult
    func publishDueContentItems(batchSize: Int) throws(StoreError) -> Int
}

// The defaults live here, once, so every implementation offers the same ones. Each forwards to
// the requirement of the same name: a conformer must implement every requirement itself (the
// conformance suite calls each), or this default would call itself.

extension PlatformOutbox {
    /// A platform consumer reading every tenant's events, created at `start` if new.
    public func outboxConsumer(named name: String, startingAt start: OutboxConsumer.Start = .beginning)
        throws(StoreError) -> OutboxConsumer
    {
        try outboxConsumer(named: name, startingAt: start)
    }

    /// Deletes the events older than the retention (the store's own by default) and returns how many went.
    @discardableResult
    public func pruneOutbox(retention: TimeInterval? = nil, batchSize: Int = 10_000) throws(StoreError) -> Int {
        try pruneOutbox(retention: retention, batchSize: batchSize)
    }
}

extension StoreMaintenance {
    /// Publishes every tenant's due drafts, 500 per transaction by default; returns how many.
    @discardableResult
    public func publishDueContentItems(batchSize: Int = 500) throws(StoreError) -> Int {
        try publishDueContentItems(batchSize: batchSize)
    }
}
