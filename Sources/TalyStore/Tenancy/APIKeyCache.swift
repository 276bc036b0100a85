import GRDB
import Synchronization

/// API keys that authenticated recently, so that a request with a known key reads no row.
///
/// Revocation stays immediate, even when another process revokes: every entry belongs to the
/// database state it was read in, told by SQLite's `PRAGMA data_version` on a connection of the
/// cache's own. That number changes whenever any other connection commits — this process's
/// writer or another process's — so any commit at all empties the cache and a revoked, deleted
/// or re-scoped key is read again on its next use. Between commits a hit costs the pragma (a
/// look at the WAL header in shared memory) and the secret's hash; a read of the key costs two
/// statements prepared with GRDB's authorizer, a transaction and a record decoded from its row,
/// about a fifth of a search's CPU over HTTP before this cache.
///
/// Only keys that authenticated are kept, with the hash of their secret (never the secret), and
/// expiry is still checked against the clock on every use.
final class APIKeyCache: Sendable {
    /// The most keys kept; past it the cache starts again empty (a tenant with more live keys
    /// than this in use at once reads some of them each time, as without the cache).
    static let capacity = 4096

    private struct State {
        /// The data version the entries were read at (nil before the first read).
        var version: Int64?
        /// Key records by prefix.
        var entries: [String: APIKeyRecord] = [:]
    }

    /// Reads the data version only, never data: outside the pool so that it sees the pool's
    /// writer as another connection.
    private let versionConnection: DatabaseQueue
    private let state = Mutex(State())

    /// A cache for the database at `path`.
    init(path: String) throws {
        versionConnection = try DatabaseQueue(path: path)
    }

    /// The database's data version as the cache's connection sees it; nil when it cannot be read,
    /// which bypasses the cache.
    func currentVersion() -> Int64? {
        try? versionConnection.inDatabase { db in
            try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version"))
        }
    }

    /// The key with `prefix`, if it authenticated in the current database state; the version read
    /// is returned too, for `remember` after a miss.
    func record(prefix: String) -> (record: APIKeyRecord?, version: Int64?) {
        guard let version = currentVersion() else { return (nil, nil) }
        let record = state.withLock { state -> APIKeyRecord? in
            if version > state.version ?? .min {
                state.entries.removeAll(keepingCapacity: true)
                state.version = version
            }
            // Entries of a newer state than this call's are as good: the commit came after it began.
            return state.entries[prefix]
        }
        return (record, version)
    }

    /// The tenant of the key with `prefix` if it is cached, whatever the database state: the
    /// tenant of a prefix never changes, and the key itself is checked afterwards by `record`.
    func tenantID(prefix: String) -> TenantID? {
        state.withLock { $0.entries[prefix]?.tenantID }
    }

    /// Keeps `record`, which authenticated in a read begun after the data version was `version`;
    /// dropped when a commit came since, since that commit may have revoked it.
    func remember(_ record: APIKeyRecord, readAfter version: Int64?) {
        guard let version else { return }
        state.withLock { state in
            if version > state.version ?? .min {
                state.entries.removeAll(keepingCapacity: true)
                state.version = version
            }
            guard version == state.version else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[record.prefix] = record
        }
    }
}
