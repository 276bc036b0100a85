import Foundation
import GRDB
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("schema migrations")
struct MigrationTests {
    /// Every migration that has landed on main, in order: they are never renamed, reordered or removed.
    static let landedMigrations = ["v1_tenant", "v2_accounts", "v3_content_outbox", "v4_catalog"]

    @Test("landed migrations keep their names and order; new ones only follow them")
    func appendOnly() {
        let known = StoreMigrations.migrator.migrations
        #expect(Array(known.prefix(Self.landedMigrations.count)) == Self.landedMigrations)
    }

    @Test("an empty database migrates to the latest schema with every table")
    func fromEmpty() throws {
        let fixture = try StoreFixture()
        let tables = try fixture.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        let expected = [
            "tenant", "user", "credential", "role", "user_role", "api_key", "session", "audit_log", "outbox_event",
            "outbox_consumer", "outbox_horizon", "content_type", "content_item", "content_revision", "product",
            "inventory",
            "inventory_reservation",
        ]
        for table in expected {
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
        #expect(try store.appliedMigrations() == StoreMigrations.migrator.migrations)
        let tenant = try #require(try store.tenants().first)
        #expect(tenant.name == "acme")
        #expect(tenant.createdAt == Date(timeIntervalSince1970: 1_735_787_045))
        let scope = try store.tenant(named: "acme")
        let roles = try scope.roles()
        #expect(roles.map(\.name) == BuiltInRole.allCases.map(\.rawValue))
        #expect(roles.allSatisfy { $0.isBuiltIn })
        #expect(try scope.role(.owner).permissions == Set(Permission.allCases))
    }

    @Test("the v2 fixture migrates to the latest schema and its accounts still work")
    func fromV2Fixture() throws {
        if ProcessInfo.processInfo.environment["TALY_WRITE_FIXTURES"] == "1" {
            try? FileManager.default.removeItem(at: V2AccountsFixture.url)
            try V2AccountsFixture.write(to: V2AccountsFixture.url.path)
        }
        let directory = try TemporaryDirectory()
        let path = directory.path("v2.sqlite")
        try FileManager.default.copyItem(atPath: V2AccountsFixture.url.path, toPath: path)
        let before = try DatabaseQueue(path: path).read { db in
            try StoreMigrations.migrator.appliedMigrations(db)
        }
        #expect(before == ["v1_tenant", "v2_accounts"])

        let store = try Store(path: path)
        #expect(try store.appliedMigrations() == StoreMigrations.migrator.migrations)
        #expect(try store.tenants().map(\.name) == V2AccountsFixture.tenants)
        let acme = try store.tenant(named: "acme")
        let user = try acme.authenticate(email: V2AccountsFixture.userEmail, password: V2AccountsFixture.userPassword)
        #expect(user.displayName == "Fixture Editor")
        #expect(user.version == 3)
        #expect(try acme.roles(of: user.id!).map(\.name) == ["editor"])
        #expect(try acme.role(named: "reviewer")?.permissions == [.contentRead, .search])
        #expect(try acme.authenticateAPIKey(V2AccountsFixture.apiKey).name == "fixture key")
        #expect(try acme.auditLog().map(\.action) == ["user.create"])
        let globex = try store.tenant(named: "globex")
        #expect(try globex.roles().map(\.name) == BuiltInRole.allCases.map(\.rawValue))
        #expect(try globex.users().isEmpty)
        let foreignKeyErrors = try store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(foreignKeyErrors.isEmpty)
    }

    @Test("a database at v3 keeps its tenants and gains an empty catalog")
    func fromV3() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("v3.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreMigrations.migrator.migrate(queue, upTo: "v3_content_outbox")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO tenant (name, created_at) VALUES ('acme', '2025-01-02 03:04:05.000')")
            }
        }
        let store = try Store(path: path, clock: ManualClock())
        #expect(try store.appliedMigrations() == StoreMigrations.migrator.migrations)
        let scope = try store.tenant(named: "acme")
        #expect(try scope.products().isEmpty)
        let product = try scope.createProduct(
            try ProductDraft(sku: "A", title: "a", price: try Money(amount: 1, currency: "EUR")), by: .system)
        #expect(try scope.product(product.id!) == product)
    }
}
