import GRDBSQLite
import Synchronization

/// Credentials that authenticated recently, so that a request with a known API key or session
/// token reads no row.
///
/// Revocation stays immediate, even when another process revokes: every entry belongs to the
/// database state it was read in, told by SQLite's `PRAGMA data_version` (`DataVersions`). That
/// number changes whenever any other connection commits — this process's writer or another
/// process's — so any commit at all empties the cache and a revoked, deleted or re-scoped key, a
/// signed-out session or a disabled user is read again on its next use, with no staleness
/// window. Between commits a hit costs the pragma (a look at the WAL header in shared memory)
/// and the secret's hash; a miss costs the reads the credential needs (for an API key two
/// statements prepared with GRDB's authorizer, a transaction and a record decoded from its row:
/// about a fifth of a search's CPU over HTTP before this cache; for a session four).
///
/// Only credentials that authenticated are kept, with the hash of their secret (never the
/// secret), and expiry is still checked against the clock on every use.
final class CredentialCache<Entry: Sendable>: Sendable {
    private struct State {
        /// The data version the entries were read at (nil before the first read).
        var version: Int64?
        /// Entries by the credential's prefix.
        var entries: [String: Entry] = [:]
    }

    private let versions: DataVersions
    private let state = Mutex(State())

    /// A cache whose entries last while `versions` reads the same number.
    init(versions: DataVersions) {
        self.versions = versions
    }

    /// The database's data version now; nil when it cannot be read, which bypasses the cache.
    func currentVersion() -> Int64? { versions.current() }

    /// The entry of `prefix`, if it authenticated in the current database state; the version read
    /// is returned too, for `remember` after a miss.
    func entry(prefix: String) -> (entry: Entry?, version: Int64?) {
        guard let version = versions.current() else { return (nil, nil) }
        let entry = state.withLock { state -> Entry? in
            if version > state.version ?? .min {
                state.entries.removeAll(keepingCapacity: true)
                state.version = version
            }
            // Entries of a newer state than this call's are as good: the commit came after it began.
            return state.entries[prefix]
        }
        return (entry, version)
    }

    /// Keeps `entry`, which authenticated in a read begun after the data version was `version`;
    /// dropped when a commit came since, since that commit may have revoked it.
    func remember(_ entry: Entry, prefix: String, readAfter version: Int64?) {
        guard let version else { return }
        state.withLock { state in
            if version > state.version ?? .min {
                state.entries.removeAll(keepingCapacity: true)
                state.version = version
            }
            guard version == state.version else { return }
            // Past this many, the cache starts again empty (a tenant with more live credentials
            // than this in use at once reads some of them each time, as without the cache).
            if state.entries.count >= credentialCacheCapacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[prefix] = entry
        }
    }
}

/// The most entries a `CredentialCache` keeps.
let credentialCacheCapacity = 4096

/// SQLite's data version of the store's file, read on a connection of its own: outside the pool,
/// so that it sees the pool's writer as another connection. Through SQLite's C API under a lock:
/// a GRDB queue cost a dispatch hop and GRDB's statement machinery per request, more than
/// SQLite's work.
final class DataVersions: Sendable {
    private let reader: Mutex<DataVersionReader>

    /// Opens the connection to the database at `path`.
    init(path: String) throws(DataVersionReader.OpenError) {
        reader = Mutex(try DataVersionReader(path: path))
    }

    /// The current data version; nil when it cannot be read.
    func current() -> Int64? {
        reader.withLock { $0.read() }
    }
}

/// A connection of its own that answers `PRAGMA data_version` and nothing else, through SQLite's
/// C API with the statement prepared once. Not thread-safe: `DataVersions` holds it under a lock.
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
