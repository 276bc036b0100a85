import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Backups through SQLite's online backup API, and offline restores.
///
/// A backup is one self-contained SQLite file (rollback-journal mode, no `-wal` beside it) holding
/// the store as of one committed transaction, taken while writers keep running. A restore is
/// offline: it replaces the database file of a store that no process has open.
extension Store {
    /// Writes a consistent copy of the store to `url`, replacing any file there atomically.
    ///
    /// The pages are copied in one step inside a read transaction, so the copy is exactly the
    /// state of the last commit before the backup began; writers are not blocked meanwhile (WAL).
    /// The copy is written to a temporary file beside `url`, fsynced and renamed, so `url` never
    /// holds a partial backup.
    public func backup(to url: URL) throws(StoreError) {
        let destination = url.standardizedFileURL.path
        guard destination != URL(fileURLWithPath: path).standardizedFileURL.path else {
            throw .backupFailed(path: destination, reason: "this is the live database; choose another file")
        }
        let temporary = Self.temporaryPath(beside: destination)
        do {
            let copy = try DatabaseQueue(path: temporary)
            try pool.backup(to: copy)
            try copy.close()
            try Self.leaveWALMode(temporary)
            try Self.syncFile(temporary)
            try Self.rename(temporary, to: destination)
        } catch {
            Self.removeDatabaseFiles(temporary)
            throw .backupFailed(path: destination, reason: Self.describe(error))
        }
    }

    /// Replaces the database at `path` with the backup at `url`, after checking that the backup is
    /// a sound SQLite database with migrations this binary knows; returns its applied migrations.
    ///
    /// Offline: no `Store` (in this or another process) may have `path` open, because an open
    /// pool would keep reading the replaced file's pages through its old descriptors and its
    /// `-wal`. Stop the server first. The backup is copied beside `path`, checked there (so what
    /// is checked is what is installed), then renamed over `path`; the old database's `-wal` and
    /// `-shm` files are removed first so SQLite cannot replay them onto the restored file. Opening
    /// a `Store` afterwards applies any migration newer than the backup.
    @discardableResult
    public static func restore(from url: URL, to path: String) throws(StoreError) -> [String] {
        let source = url.standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: source) else {
            throw .invalidBackup(path: source, reason: "no such file")
        }
        let temporary = temporaryPath(beside: path)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            removeDatabaseFiles(temporary)
            throw .backupFailed(path: path, reason: "cannot copy \(source): \(describe(error))")
        }
        let migrations: [String]
        do {
            migrations = try validateBackup(temporary, reportedAs: source)
            try syncFile(temporary)
        } catch {
            removeDatabaseFiles(temporary)
            throw error
        }
        do {
            for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.removeItem(atPath: path + suffix)
            }
            try rename(temporary, to: path)
        } catch {
            removeDatabaseFiles(temporary)
            throw .backupFailed(path: path, reason: describe(error))
        }
        return migrations
    }

    /// Checks the file at `path` (named `reportedAs` in errors) and returns its applied migrations.
    static func validateBackup(_ path: String, reportedAs name: String) throws(StoreError) -> [String] {
        do {
            // Read-write: a file copied from a WAL database must be switched out of WAL to be
            // self-contained, and this is our private copy.
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            let isDatabase = (try? queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") })
            guard isDatabase != nil else { throw StoreError.invalidBackup(path: name, reason: "not a SQLite database") }
            let integrity = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            guard integrity == ["ok"] else {
                throw StoreError.invalidBackup(
                    path: name, reason: "integrity check failed: \(integrity.prefix(3).joined(separator: "; "))")
            }
            let applied = try queue.read { db in
                try db.tableExists("grdb_migrations") ? try StoreMigrations.migrator.appliedIdentifiers(db) : []
            }
            let known = StoreMigrations.migrator.migrations
            guard !applied.isEmpty else {
                throw StoreError.invalidBackup(path: name, reason: "not a Taly store: no migrations applied")
            }
            if let unknown = applied.sorted().first(where: { !known.contains($0) }) {
                throw StoreError.invalidBackup(
                    path: name, reason: "written by a newer Taly: migration \(unknown) is unknown to this binary")
            }
            let foreignKeyErrors = try queue.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
            guard foreignKeyErrors.isEmpty else {
                throw StoreError.invalidBackup(
                    path: name, reason: "\(foreignKeyErrors.count) rows reference missing rows")
            }
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            return known.filter(applied.contains)
        } catch {
            if let error = error as? StoreError { throw error }
            if let error = error as? DatabaseError, error.resultCode == .SQLITE_NOTADB {
                throw .invalidBackup(path: name, reason: "not a SQLite database")
            }
            if let error = error as? DatabaseError, error.resultCode == .SQLITE_CORRUPT {
                throw .invalidBackup(path: name, reason: "integrity check failed: \(describe(error))")
            }
            throw .invalidBackup(path: name, reason: describe(error))
        }
    }

    /// Switches a closed database file to rollback-journal mode so it is one self-contained file.
    private static func leaveWALMode(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try queue.close()
    }

    private static func temporaryPath(beside path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial").path
    }

    private static func removeDatabaseFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// fsync; TalyIndex has the same few lines, but the store must not depend on the index.
    private static func syncFile(_ path: String) throws(StoreError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .backupFailed(path: path, reason: "cannot open to fsync (errno \(errno))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .backupFailed(path: path, reason: "fsync failed (errno \(errno))") }
    }

    /// Atomically replaces `destination` by `source`, then makes the rename durable.
    private static func rename(_ source: String, to destination: String) throws(StoreError) {
        #if canImport(Glibc)
            let renamed = Glibc.rename(source, destination)
        #else
            let renamed = Darwin.rename(source, destination)
        #endif
        guard renamed == 0 else {
            throw .backupFailed(path: destination, reason: "cannot rename \(source) (errno \(errno))")
        }
        try syncFile(URL(fileURLWithPath: destination).deletingLastPathComponent().path)
    }
}
