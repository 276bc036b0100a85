import Foundation
import GRDB
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("schema migrations")
struct MigrationTests {
    @Test("an empty database migrates to the latest schema with every table")
    func fromEmpty() throws {
        let fixture = try StoreFixture()
        let tables = try fixture.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["tenant", "user", "credential", "role", "user_role", "api_key", "session", "audit_log"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let foreignKeyErrors = try fixture.store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
        }
        #expect(foreignKeyErrors.isEmpty)
    }

    @Test("a database at v1 keeps its tenants and gains their built-in roles")
    func fromV1() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("v1.sqlite")
        // A database as the v1 binary left it: only the first migration, with a tenant in it.
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreMigrations.migrator.migrate(queue, upTo: "v1_tenant")
            try queue.write { db in
                try db.execute(
                    sql: #"INSERT INTO tenant (name, "createdAt") VALUES (?, ?)"#,
                    arguments: ["acme", "2025-01-02 03:04:05.000"])
            }
        }
        let store = try Store(path: path)
        #expect(try store.appliedMigrations() == ["v1_tenant", "v2_accounts"])
        let tenant = try #require(try store.tenants().first)
        #expect(tenant.name == "acme")
        #expect(tenant.createdAt == Date(timeIntervalSince1970: 1_735_787_045))
        let scope = try store.tenant(named: "acme")
        let roles = try scope.roles()
        #expect(roles.map(\.name) == BuiltInRole.allCases.map(\.rawValue))
        #expect(roles.allSatisfy { $0.isBuiltIn })
        #expect(try scope.role(.owner).permissions == Set(Permission.allCases))
    }
}
