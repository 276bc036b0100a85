import CTalySQLite
import Foundation
import GRDB

/// The canonical record store: one SQLite database in WAL mode, opened through a GRDB pool.
///
/// SQLite is the truth; every search index is derived from it. The pool gives one writer and
/// concurrent readers, so request handlers never wait on each other for reads.
public final class Store: Sendable {
    /// The file the store lives in.
    public let path: String
    /// Where the store reads the time for timestamps and expiry.
    public let clock: any StoreClock
    /// How long outbox events are kept before `pruneOutbox()` deletes them, in seconds.
    public let outboxRetention: TimeInterval
    let pool: DatabasePool
    /// Wakes in-process outbox subscriptions after a commit that wrote events.
    let outboxNotifier = OutboxNotifier()
    /// API keys that authenticated since the last commit.
    let apiKeyCache: CredentialCache<APIKeyRecord>
    /// Sessions that authenticated since the last commit, with their user and permissions.
    let sessionCache: CredentialCache<AuthenticatedSession>
    /// Counts commits by any connection of any process: the credential caches' validity, and
    /// what wakes outbox subscriptions for other processes' events.
    let dataVersions: DataVersions

    /// Opens (creating if needed) the database at `path` and applies every pending migration.
    public init(
        path: String, clock: any StoreClock = SystemStoreClock(),
        outboxRetention: TimeInterval = OutboxEvent.defaultRetention
    ) throws(StoreError) {
        guard outboxRetention > 0, outboxRetention.isFinite else {
            throw .invalid(field: "outboxRetention", reason: "must be a positive number of seconds")
        }
        self.path = path
        self.clock = clock
        self.outboxRetention = outboxRetention
        _ = Self.sqliteConfigured
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Writers queue behind one another instead of failing with SQLITE_BUSY at once.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            guard !db.configuration.readonly else { return }
            // Only a database without pages takes it (an existing store keeps its page size):
            // 16 KiB pages cut SQLite's CPU per bulk-written product (fewer page splits, cell
            // moves and WAL frames, a quarter of the `pwrite` calls).
            try db.execute(sql: "PRAGMA page_size = \(Self.newPageSize)")
            // Statement journals in memory: a multi-row INSERT (bulk writes insert 64 rows per
            // statement) keeps the pages it changes so that a failing row can undo the statement
            // alone, and past 64 KiB SQLite spilled them to a temporary file: a third of a bulk
            // load's bytes written and three quarters of its `pwrite` calls went there. They
            // only ever serve a rollback inside the open transaction, never crash recovery.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // NORMAL is durable in WAL mode across process crashes; only an OS crash or power
            // loss can drop the last transactions. FULL closes that gap at a write-latency cost.
            // Set on the writer once the pool is open: the pool switches its writer to WAL after
            // `prepareDatabase`, and that switch sets NORMAL, which a FULL set there did not survive.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
        do {
            try StoreMigrations.migrator.migrate(pool)
        } catch {
            throw .migrationFailed(reason: Self.describe(error))
        }
        do {
            let versions = try DataVersions(path: path)
            dataVersions = versions
            apiKeyCache = CredentialCache(versions: versions)
            sessionCache = CredentialCache(versions: versions)
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
    }

    /// The page size of a database the store creates (SQLite's default is 4 KiB).
    static let newPageSize = 16_384

    /// Whether SQLite runs without its per-connection mutexes and memory statistics, set once
    /// before the process's first connection (`taly_sqlite_configure_process`): together they
    /// were ~6% of a bulk load's writer thread. False when something else opened SQLite first;
    /// the store works the same, only slower.
    static let sqliteConfigured = taly_sqlite_configure_process() == 1

    /// The names of the migrations the database has applied, in order.
    public func appliedMigrations() throws(StoreError) -> [String] {
        do {
            return try pool.read { db in try StoreMigrations.migrator.appliedMigrations(db) }
        } catch {
            throw .databaseUnavailable(reason: Self.describe(error))
        }
    }

    /// Checks that the database answers and that every known migration is applied.
    public func checkReadiness() throws(StoreError) {
        let applied: Bool
        do {
            applied = try pool.read { db in try StoreMigrations.migrator.hasCompletedMigrations(db) }
        } catch {
            throw .databaseUnavailable(reason: Self.describe(error))
        }
        guard applied else {
            throw .migrationFailed(reason: "the database is missing migrations this binary knows")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? error.description
        }
        return String(describing: error)
    }
}
