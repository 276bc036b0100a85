import Foundation
import GRDB
import GRDBSQLite
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("opening the store")
struct StoreTests {
    @Test("a new database is created and fully migrated")
    func createsAndMigrates() throws {
        let dir = try TemporaryDirectory()
        let path = dir.url.appendingPathComponent("taly.sqlite").path
        let store = try Store(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.appliedMigrations() == StoreMigrations.migrator.migrations)
        try store.checkReadiness()
    }

    @Test("reopening an existing database keeps its migrations and applies none twice")
    func reopens() throws {
        let dir = try TemporaryDirectory()
        let path = dir.url.appendingPathComponent("taly.sqlite").path
        _ = try Store(path: path)
        let again = try Store(path: path)
        #expect(try again.appliedMigrations() == StoreMigrations.migrator.migrations)
    }

    /// GRDB switches the pool's writer to WAL after `prepareDatabase` and sets NORMAL there:
    /// what the writer runs with is read back from SQLite, not assumed.
    @Test("the writer commits with synchronous = FULL and keeps statement journals in memory, also after reopening")
    func writerIsFull() throws {
        let dir = try TemporaryDirectory()
        let path = dir.url.appendingPathComponent("taly.sqlite").path
        for _ in 0..<2 {
            let store = try Store(path: path)
            let level = try store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(level == 2)  // FULL
            let temp = try store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") }
            #expect(temp == 2)  // MEMORY
            let mode = try store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
        }
    }

    @Test("a new store gets 16 KiB pages; an existing store keeps the page size it has")
    func pageSize() throws {
        let dir = try TemporaryDirectory()
        let path = dir.url.appendingPathComponent("taly.sqlite").path
        let store = try Store(path: path)
        let pageSize = { (store: Store) in try store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } }
        #expect(try pageSize(store) == Store.newPageSize)
        // A store created with SQLite's default pages, as every store before this setting.
        let oldPath = dir.url.appendingPathComponent("old.sqlite").path
        let queue = try DatabaseQueue(path: oldPath)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x)")
        }
        try queue.close()
        let old = try Store(path: oldPath)
        #expect(try pageSize(old) == 4096)
        try old.checkReadiness()
    }

    @Test("a path inside a regular file is a cannotOpen error naming the path")
    func unopenable() throws {
        let dir = try TemporaryDirectory()
        let file = dir.url.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        let path = file.appendingPathComponent("taly.sqlite").path
        #expect {
            _ = try Store(path: path)
        } throws: { error in
            guard case .cannotOpen(let reported, _) = error as? StoreError else { return false }
            return reported == path
        }
    }

    @Test("a file that is not SQLite is refused with a typed error")
    func notADatabase() throws {
        let dir = try TemporaryDirectory()
        let file = dir.url.appendingPathComponent("taly.sqlite")
        try Data(repeating: 0x5A, count: 8192).write(to: file)
        #expect(throws: StoreError.self) { _ = try Store(path: file.path) }
    }

    /// Whether the process configuration applies depends on what opened SQLite first in the
    /// process (another suite's plain GRDB queue, say), so the test checks that what the store
    /// records agrees with what SQLite does: with memory statistics off SQLite counts no bytes
    /// at all, with them on (configuration refused) an open store holds some.
    @Test("the recorded SQLite process configuration is the one SQLite runs with")
    func processConfigurationAsRecorded() throws {
        let dir = try TemporaryDirectory()
        let store = try Store(path: dir.url.appendingPathComponent("taly.sqlite").path)
        try store.checkReadiness()
        let counted = sqlite3_memory_used()
        print("SQLite configured by the store: \(Store.sqliteConfigured), bytes counted: \(counted)")
        #expect(Store.sqliteConfigured == (counted == 0))
    }
}
