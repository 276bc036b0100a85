import Foundation
import GRDB
import Synchronization
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("backup and restore")
struct BackupTests {
    /// Every table's rows, each printed with its column names, sorted: two databases hold the same
    /// data exactly when their dumps are equal.
    static func dump(_ reader: some DatabaseReader) throws -> [String: [String]] {
        try reader.read { db in
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            var rows: [String: [String]] = [:]
            for table in tables {
                rows[table] = try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map(\.description).sorted()
            }
            return rows
        }
    }

    /// Two tenants with users, products, stock and an open reservation.
    static func populatedStore() throws -> (StoreFixture, TenantScope, TenantScope) {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("tenant-a")
        let (_, b) = try fixture.makeTenant("tenant-b", adminEmail: "b@example.com")
        for scope in [a, b] {
            let products = try scope.createProducts(
                try (0..<20).map {
                    try sampleDraft(
                        sku: "SKU-\($0)", attributes: ["n": .integer(Int64($0)), "tags": .array([.bool(true)])])
                },
                by: .system)
            for product in products.prefix(5) {
                try scope.adjustStock(of: product.id!, at: "main", by: 10, by: .system)
                _ = try scope.reserve(2, of: product.id!, at: "main", by: .system)
            }
        }
        return (fixture, a, b)
    }

    final class StopFlag: Sendable {
        let stopped = Atomic<Bool>(false)
        let batches = Atomic<Int>(0)
    }

    @Test("a backup taken while a writer runs is a consistent prefix; a quiet backup restores row for row")
    func backupWhileWriting() throws {
        let (fixture, a, _) = try Self.populatedStore()
        let directory = try TemporaryDirectory()
        let flag = StopFlag()
        let writerDone = DispatchSemaphore(value: 0)
        let writerError = Mutex<StoreError?>(nil)
        Thread.detachNewThread {
            defer { writerDone.signal() }
            var batch = 0
            while !flag.stopped.load(ordering: .relaxed) {
                do throws(StoreError) {
                    let drafts = try (0..<5).map { index throws(StoreError) in
                        try ProductDraft(
                            sku: "W-\(batch)-\(index)", title: "written during backup",
                            price: try Money(amount: 100, currency: "USD"))
                    }
                    _ = try a.createProducts(drafts, by: .system)
                } catch {
                    writerError.withLock { $0 = error }
                    return
                }
                batch += 1
                flag.batches.store(batch, ordering: .relaxed)
            }
        }
        while flag.batches.load(ordering: .relaxed) < 5 { usleep(1000) }
        let live = fixture.directory.path("taly.sqlite")
        let backup = directory.url.appendingPathComponent("during.sqlite")
        try fixture.store.backup(to: backup)
        let atBackup = flag.batches.load(ordering: .relaxed)
        while flag.batches.load(ordering: .relaxed) < atBackup + 3 { usleep(1000) }
        flag.stopped.store(true, ordering: .relaxed)
        writerDone.wait()
        #expect(writerError.withLock { $0 } == nil)

        let restoredPath = directory.path("restored-during.sqlite")
        #expect(try Store.restore(from: backup, to: restoredPath) == StoreMigrations.migrator.migrations)
        let restored = try Self.dump(try DatabaseQueue(path: restoredPath))
        let source = try Self.dump(fixture.store.pool)
        #expect(restored.keys.sorted() == source.keys.sorted())
        for (table, rows) in restored where table != "sqlite_sequence" {
            // Append-only writer: every row of the backup is in the live database unchanged.
            #expect(Set(rows).isSubset(of: Set(source[table] ?? [])), "table \(table)")
        }
        let during = try Store(path: restoredPath).tenant(named: "tenant-a").products(limit: 100_000)
        let written = during.filter { $0.sku.hasPrefix("W-") }
        #expect(written.count % 5 == 0, "a batch was half copied: \(written.count) products")
        let liveWritten = try a.products(limit: 100_000).filter { $0.sku.hasPrefix("W-") }.count
        #expect(written.count >= 25 && written.count < liveWritten)

        // Quiet: the second backup restores to exactly the live rows, table by table.
        let quiet = directory.url.appendingPathComponent("quiet.sqlite")
        try fixture.store.backup(to: quiet)
        let quietPath = directory.path("restored-quiet.sqlite")
        try Store.restore(from: quiet, to: quietPath)
        let quietRows = try Self.dump(try DatabaseQueue(path: quietPath))
        #expect(quietRows.keys.sorted() == source.keys.sorted())
        for (table, rows) in source {
            #expect(quietRows[table] == rows, "table \(table) differs")
        }
        #expect(FileManager.default.fileExists(atPath: live))
    }

    @Test("a backup is one self-contained file in rollback-journal mode, and replaces its target atomically")
    func selfContained() throws {
        let (fixture, _, _) = try Self.populatedStore()
        let directory = try TemporaryDirectory()
        let target = directory.url.appendingPathComponent("backup.sqlite")
        try Data("old content".utf8).write(to: target)
        try fixture.store.backup(to: target)
        let header = try Data(contentsOf: target).prefix(20)
        #expect(String(decoding: header.prefix(15), as: UTF8.self) == "SQLite format 3")
        // Bytes 18 and 19: file format read/write versions, 1 = rollback journal, 2 = WAL.
        #expect(Array(header.suffix(2)) == [1, 1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["backup.sqlite"])
        let live = URL(fileURLWithPath: fixture.store.path)
        #expect {
            try fixture.store.backup(to: live)
        } throws: { error in
            guard case .backupFailed(let path, _) = error as? StoreError else { return false }
            return path == live.path
        }
    }

    @Test("restore over an existing database replaces its data with the backup's")
    func restoreOverExisting() throws {
        let (fixture, _, _) = try Self.populatedStore()
        let backup = fixture.directory.url.appendingPathComponent("backup.sqlite")
        try fixture.store.backup(to: backup)
        let expected = try Self.dump(fixture.store.pool)

        let other = try TemporaryDirectory()
        let targetPath = other.path("taly.sqlite")
        do {
            let existing = try Store(path: targetPath)
            _ = try existing.createTenant(name: "someone-else", adminEmail: "x@example.com")
        }
        try Store.restore(from: backup, to: targetPath)
        #expect(try Self.dump(try DatabaseQueue(path: targetPath)) == expected)
        let reopened = try Store(path: targetPath)
        #expect(try reopened.tenants().map(\.name) == ["tenant-a", "tenant-b"])
        #expect(try reopened.tenant(named: "tenant-b").products().count == 20)
    }

    @Test("restore refuses a file that is not a sound Taly store, and leaves the live database untouched")
    func refusesBadBackups() throws {
        let (fixture, _, _) = try Self.populatedStore()
        let directory = try TemporaryDirectory()
        let good = directory.url.appendingPathComponent("good.sqlite")
        try fixture.store.backup(to: good)

        let text = directory.url.appendingPathComponent("notes.txt")
        try Data(String(repeating: "not a database\n", count: 400).utf8).write(to: text)

        let foreign = directory.url.appendingPathComponent("foreign.sqlite")
        try DatabaseQueue(path: foreign.path).write { db in try db.execute(sql: "CREATE TABLE t(x)") }

        let newer = directory.url.appendingPathComponent("newer.sqlite")
        try FileManager.default.copyItem(at: good, to: newer)
        try DatabaseQueue(path: newer.path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99_future')")
        }

        let corrupt = directory.url.appendingPathComponent("corrupt.sqlite")
        var bytes = try Data(contentsOf: good)
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        #expect(bytes.count >= 4 * pageSize)
        // Scribble over the b-tree pages after the schema page.
        for offset in stride(from: pageSize, to: bytes.count, by: 7) { bytes[offset] = 0xA5 }
        try bytes.write(to: corrupt)

        let missing = directory.url.appendingPathComponent("missing.sqlite")

        let targetPath = directory.path("live.sqlite")
        do {
            let live = try Store(path: targetPath)
            _ = try live.createTenant(name: "keep-me", adminEmail: "k@example.com")
        }
        let before = try Self.dump(try DatabaseQueue(path: targetPath))
        let cases: [(URL, String)] = [
            (text, "not a SQLite database"), (foreign, "no migrations"), (newer, "v99_future"),
            (corrupt, "integrity check failed"), (missing, "no such file"),
        ]
        for (file, reasonFragment) in cases {
            #expect {
                try Store.restore(from: file, to: targetPath)
            } throws: { error in
                guard case .invalidBackup(let path, let reason) = error as? StoreError else { return false }
                #expect(path == file.path)
                return reason.contains(reasonFragment)
            }
        }
        #expect(try Self.dump(try DatabaseQueue(path: targetPath)) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".partial")
        }
        #expect(leftovers.isEmpty)
    }
}
