import GRDBSQLite
import Synchronization

/// API keys that authenticated recently, so that a request with a known key reads no row.
///
/// Revocation stays immediate, even when another process revokes: every entry belongs to the
/// database state it was read in, told by SQLite's `PRAGMA data_version` on a connection of the
/// cache's own. That number changes whenever any other connection commits — this process's
/// writer or another process's — so any commit at all empties the cache and a revoked, deleted
/// or re-scoped key is read again on its next use, with no staleness window. Between commits a
/// hit costs the pragma (a look at the WAL header in shared memory, through SQLite's C API on a
/// connection of the cache's own under a lock: going through a GRDB queue cost a dispatch hop
/// and GRDB's statement machinery per request, more than SQLite's work) and the secret's hash;
/// a read of the key costs two
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
    private let versionReader: Mutex<DataVersionReader>
    private let state = Mutex(State())

    /// A cache for the database at `path`.
    init(path: String) throws(DataVersionReader.OpenError) {
        versionReader = Mutex(try DataVersionReader(path: path))
    }

    /// The database's data version as the cache's connection sees it; nil when it cannot be read,
    /// which bypasses the cache.
    func currentVersion() -> Int64? {
        versionReader.withLock { $0.read() }
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

/// A connection of its own that answers `PRAGMA data_version` and nothing else, through SQLite's
/// C API with the statement prepared once. Not thread-safe: `APIKeyCache` holds it under a lock.
struct DataVersionReader: ~Copyable {
    /// SQLite's message when the connection cannot be opened or the pragma prepared.
    struct OpenError: Error, CustomStringConvertible {
        let description: String
    }

    private let connection: OpaquePointer
    private let statement: OpaquePointer

    init(path: String) throws(OpenError) {
        var connection: OpaquePointer?
        // No SQLite mutex: the caller's lock serializes every use.
        let opened = sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        guard opened == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(connection)
            throw OpenError(description: message)
        }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, "PRAGMA data_version", -1, &statement, nil) == SQLITE_OK, let statement
        else {
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_close_v2(connection)
            throw OpenError(description: message)
        }
        self.connection = connection
        self.statement = statement
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close_v2(connection)
    }

    /// The current data version; nil when SQLite could not read it (busy, I/O error).
    func read() -> Int64? {
        defer { sqlite3_reset(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { return nil }
        return sqlite3_column_int64(statement, 0)
    }
}
