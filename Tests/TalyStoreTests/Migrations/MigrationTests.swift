import Foundation
import GRDB
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("schema migrations")
struct MigrationTests {
    /// Every migration that has landed on main, in order: they are never renamed, reordered or removed.
    static let landedMigrations = [
        "v1_tenant", "v2_accounts", "v3_content_outbox", "v4_catalog", "v5_ingest_checkpoint",
        "v6_json_shape_checks",
    ]

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
            "inventory_reservation", "ingest_checkpoint",
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
        let directory = try TemporaryDirectory()
        let path = directory.path("v2.sqlite")
        try Self.copyFixture(V2AccountsFixture.url, to: path, writer: V2AccountsFixture.write)
        #expect(try Self.appliedMigrations(at: path) == ["v1_tenant", "v2_accounts"])

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

    @Test("the v1 fixture migrates to the latest schema: its tenants keep their creation times and gain roles")
    func fromV1Fixture() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("v1.sqlite")
        try Self.copyFixture(V1TenantFixture.url, to: path, writer: V1TenantFixture.write)
        #expect(try Self.appliedMigrations(at: path) == ["v1_tenant"])

        let store = try Store(path: path, clock: ManualClock())
        #expect(try store.appliedMigrations() == StoreMigrations.migrator.migrations)
        let tenants = try store.tenants()
        #expect(tenants.map(\.name) == V1TenantFixture.tenants.map(\.0))
        // 2025-01-01 and 2025-01-02 at 03:04:05 UTC, from `createdAt` renamed by v2.
        #expect(tenants.map(\.createdAt) == [1_735_700_645, 1_735_787_045].map { Date(timeIntervalSince1970: $0) })
        for tenant in tenants {
            let scope = try store.tenant(named: tenant.name)
            let roles = try scope.roles()
            #expect(roles.map(\.name) == BuiltInRole.allCases.map(\.rawValue), "roles of \(tenant.name)")
            #expect(roles.allSatisfy { $0.isBuiltIn })
            #expect(try scope.role(.owner).permissions == Set(Permission.allCases))
            #expect(try scope.users().isEmpty)
            #expect(try scope.contentTypes().isEmpty)
            #expect(try scope.products().isEmpty)
        }
        #expect(try store.outboxPosition() == OutboxEventID(0))
        let foreignKeyErrors = try store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(foreignKeyErrors.isEmpty)
    }

    @Test("the v3 fixture migrates to the latest schema: content, revisions, events and checkpoints still work")
    func fromV3Fixture() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("v3.sqlite")
        try Self.copyFixture(V3ContentOutboxFixture.url, to: path, writer: V3ContentOutboxFixture.write)
        #expect(try Self.appliedMigrations(at: path) == ["v1_tenant", "v2_accounts", "v3_content_outbox"])
        // The events as the v3 binary left them, read from the old bytes before migrating.
        let oldEvents = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT id, event_type FROM outbox_event ORDER BY id").map {
                (id: $0["id"] as Int64, type: $0["event_type"] as String)
            }
        }
        let fixture = V3ContentOutboxFixture.self
        #expect(oldEvents.count == 1 + fixture.items.map(\.statuses.count).reduce(0, +))

        let store = try Store(path: path, clock: ManualClock())
        #expect(try store.appliedMigrations() == StoreMigrations.migrator.migrations)
        #expect(try store.tenants().map(\.name) == fixture.tenants)
        let acme = try store.tenant(named: "acme")
        let author = try #require(try acme.users().first)
        #expect(author.email == fixture.userEmail)

        let type = try #require(try acme.contentType(named: fixture.contentTypeName))
        #expect(
            type.fields == [
                ContentFieldDefinition(name: "body", type: .richText, required: true, searchable: true),
                ContentFieldDefinition(
                    name: "tags", type: .list(.keyword), searchable: true, filterable: true, facetable: true),
                ContentFieldDefinition(name: "rating", type: .number, filterable: true, sortable: true),
                ContentFieldDefinition(name: "event_date", type: .date, sortable: true),
                ContentFieldDefinition(name: "featured", type: .boolean, filterable: true, facetable: true),
                ContentFieldDefinition(name: "related", type: .reference, filterable: true),
            ])

        let items = try acme.contentItems(of: type.id!)
        #expect(items.map(\.title) == fixture.items.map(\.title))
        #expect(items.map(\.status) == [.draft, .published, .archived])
        #expect(items.map(\.version) == fixture.items.map { Int64($0.statuses.count) })
        // 2030-01-01 00:00:00 UTC.
        #expect(items[0].publishAt == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(items[1].publishedAt != nil)
        #expect(items[1].fields["tags"] == .array([.string("news"), .string("launch")]))
        #expect(items[1].fields["rating"] == .number(4.5))
        #expect(items[1].fields["related"] == .number(Double(items[0].id!.rawValue)))
        for (item, written) in zip(items, fixture.items) {
            let revisions = try acme.contentRevisions(of: item.id!)
            #expect(revisions.map(\.itemVersion) == Array(1...Int64(written.statuses.count)), "\(item.slug)")
            #expect(revisions.map(\.status.rawValue) == written.statuses, "\(item.slug)")
            #expect(revisions.first?.actor == .user(author.id!))
        }
        #expect(try acme.contentRevisions(of: items[2].id!).last?.actor == .system)

        // Ids survive the migration, so checkpoints taken before it still mean the same events.
        #expect(try acme.outboxEvents().map(\.id!.rawValue) == oldEvents.map(\.id))
        #expect(try acme.outboxEvents().map(\.eventType) == oldEvents.map(\.type))
        let tenantConsumer = try acme.outboxConsumer(named: fixture.tenantConsumer)
        #expect(try tenantConsumer.checkpoint() == OutboxEventID(fixture.tenantConsumerCheckpoint))
        #expect(
            try tenantConsumer.pendingEvents().map(\.id!.rawValue)
                == oldEvents.map(\.id).filter { $0 > fixture.tenantConsumerCheckpoint })
        let platformConsumer = try store.outboxConsumer(named: fixture.platformConsumer)
        #expect(try platformConsumer.pendingEvents().isEmpty)

        // Today's API edits the old draft with its stored version; a stale version is still refused.
        let draft = items[0]
        let edit = ContentItemDraft(
            title: "Draft notes, revised",
            fields: ["body": .string("<p>revised</p>"), "tags": .array([.string("alpha"), .string("beta")])])
        let updated = try acme.updateContentItem(draft.id!, expectedVersion: draft.version, edit, by: .user(author.id!))
        #expect(updated.version == draft.version + 1)
        #expect(updated.slug == "draft-notes")
        #expect(try acme.contentRevisions(of: draft.id!).map(\.itemVersion) == [1, 2])
        #expect(throws: StoreError.self) {
            try acme.updateContentItem(draft.id!, expectedVersion: draft.version, edit, by: .user(author.id!))
        }

        // The new event follows every old one, and both consumers resume from their checkpoints.
        let newEvents = try platformConsumer.pendingEvents()
        #expect(newEvents.map(\.eventType) == ["content_item.updated"])
        let newEventID = try #require(newEvents.first?.id)
        #expect(newEventID.rawValue > oldEvents.last!.id)
        #expect(try tenantConsumer.pendingEvents().last?.id == newEventID)
        try tenantConsumer.acknowledge(through: newEventID)
        #expect(try tenantConsumer.checkpoint() == newEventID)
        #expect(try tenantConsumer.pendingEvents().isEmpty)
        let foreignKeyErrors = try store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(foreignKeyErrors.isEmpty)
    }

    @Test("the v4 fixture migrates to the latest schema: products, stock and reservations still work")
    func fromV4Fixture() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("v4.sqlite")
        try Self.copyFixture(V4CatalogFixture.url, to: path, writer: V4CatalogFixture.write)
        #expect(
            try Self.appliedMigrations(at: path) == ["v1_tenant", "v2_accounts", "v3_content_outbox", "v4_catalog"])
        let store = try Store(path: path, clock: ManualClock())
        #expect(try store.appliedMigrations() == StoreMigrations.migrator.migrations)
        #expect(try store.tenants().map(\.name) == V4CatalogFixture.tenants)

        for tenantName in V4CatalogFixture.tenants {
            let scope = try store.tenant(named: tenantName)
            let expected = V4CatalogFixture.products.filter { $0.tenant == tenantName }
            let products = try scope.products(after: nil, limit: 10, status: nil)
            #expect(products.map(\.sku) == expected.map(\.sku), "\(tenantName)")
            #expect(products.map(\.draft.title) == expected.map(\.title))
            #expect(products.map(\.price.amount) == expected.map(\.amount))
            #expect(products.map(\.price.currency.code) == expected.map(\.currency))
            #expect(products.map(\.status.rawValue) == expected.map(\.status))
            #expect(products.map(\.version) == expected.map(\.version))
        }
        let acme = try store.tenant(named: "acme")
        let chair = try #require(try acme.product(sku: "CHAIR-1"))
        #expect(
            chair.draft.attributes == [
                "color": .string("oak"), "legs": .integer(4), "tags": .array([.string("wood"), .string("dining")]),
            ])
        #expect(try store.tenant(named: "globex").product(sku: "CHAIR-1")?.draft.title == "Steel chair")

        let stock = try acme.stock(of: chair.id!)
        #expect(stock.map(\.location) == V4CatalogFixture.stock.map(\.location))
        #expect(stock.map(\.onHand) == V4CatalogFixture.stock.map(\.onHand))
        #expect(stock.map(\.reserved) == V4CatalogFixture.stock.map(\.reserved))
        #expect(try acme.reservations(of: chair.id!).map(\.quantity) == [3])

        // Today's code reserves against the old rows, and stock still never goes below zero.
        _ = try acme.reserve(7, of: chair.id!, at: "main", by: .system)
        #expect(throws: StoreError.self) { try acme.reserve(1, of: chair.id!, at: "main", by: .system) }
        #expect(try acme.stock(of: chair.id!, at: "main")?.reserved == 10)
        let foreignKeyErrors = try store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(foreignKeyErrors.isEmpty)
    }

    @Test("the v5 fixture migrates to v6: rows byte for byte, AUTOINCREMENT counters kept, object checks still hold")
    func fromV5Fixture() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("v5.sqlite")
        let fixture = V5IngestCheckpointFixture.self
        try Self.copyFixture(fixture.url, to: path, writer: fixture.write)
        #expect(
            try Self.appliedMigrations(at: path) == [
                "v1_tenant", "v2_accounts", "v3_content_outbox", "v4_catalog", "v5_ingest_checkpoint",
            ])
        let tables = ["product", "audit_log", "outbox_event", "inventory", "ingest_checkpoint"]
        let (oldRows, oldCounters) = try DatabaseQueue(path: path).read { db in
            (try Self.exactRows(db, of: tables), try Self.counters(db))
        }
        #expect(oldRows[2].count == fixture.events - fixture.deletedEvents)
        #expect(oldCounters["outbox_event"] == Int64(fixture.events))

        let store = try Store(path: path, clock: ManualClock())
        #expect(try store.appliedMigrations() == StoreMigrations.migrator.migrations)
        let (newRows, newCounters) = try store.pool.read { db in
            (try Self.exactRows(db, of: tables), try Self.counters(db))
        }
        for (index, table) in tables.enumerated() {
            #expect(newRows[index] == oldRows[index], "\(table)")
        }
        #expect(newCounters == oldCounters)

        // New rows follow every id ever handed out, deleted ones included.
        let acme = try store.tenant(named: fixture.tenant)
        #expect(try acme.ingestCheckpoint(inputKey: fixture.checkpoint.inputKey) == fixture.checkpoint)
        let chair = try #require(try acme.product(sku: "CHAIR-1"))
        #expect(chair.draft.attributes["url"] == .string("https://example.com/chair"))
        #expect(try acme.stock(of: chair.id!, at: "main")?.reserved == 3)
        let lamp = try acme.createProduct(
            try ProductDraft(sku: "DESK-2", title: "Desk", price: Money(amount: 5, currency: "EUR")), by: .system)
        #expect(lamp.id!.rawValue > oldCounters["product"]!)
        let events = try acme.outboxEvents(limit: 100)
        #expect(events.last?.eventType == "product.created")
        #expect(events.last!.id!.rawValue == Int64(fixture.events) + 1)
        #expect(try acme.auditLog(limit: 100).last!.id!.rawValue == Int64(fixture.auditEntries) + 1)

        // The shape checks still refuse a text that is not an object.
        for (table, column) in [("outbox_event", "payload"), ("audit_log", "details"), ("product", "attributes")] {
            #expect(throws: DatabaseError.self, "\(table).\(column)") {
                try store.pool.write { db in
                    try db.execute(
                        sql: "UPDATE \(table) SET \(column) = '[]' WHERE id = (SELECT max(id) FROM \(table))")
                }
            }
        }
        let foreignKeyErrors = try store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(foreignKeyErrors.isEmpty)
    }

    @Test("a database at v6 keeps every row, counter and index, and its enumerated columns the same values")
    func fromV6Fixture() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("v6.sqlite")
        let fixture = V6JSONShapeChecksFixture.self
        try Self.copyFixture(fixture.url, to: path, writer: fixture.write)
        #expect(try Self.appliedMigrations(at: path) == Self.landedMigrations)
        let tables = ["product", "audit_log", "content_item", "content_revision", "inventory", "content_type"]
        func indexes(_ db: Database) throws -> [String] {
            try String.fetchAll(
                db,
                sql:
                    "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
            )
        }
        let (oldRows, oldCounters, oldIndexes) = try DatabaseQueue(path: path).read { db in
            (try Self.exactRows(db, of: tables), try Self.counters(db), try indexes(db))
        }
        #expect(oldRows[0].count == fixture.products - 1)
        #expect(oldRows[3].count == (fixture.items - 1) * fixture.actorTypes.count)
        #expect(oldCounters["content_revision"] == Int64(fixture.items * fixture.actorTypes.count))

        let store = try Store(path: path, clock: ManualClock())
        #expect(try store.appliedMigrations() == StoreMigrations.migrator.migrations)
        let (newRows, newCounters, newIndexes) = try store.pool.read { db in
            (try Self.exactRows(db, of: tables), try Self.counters(db), try indexes(db))
        }
        for (index, table) in tables.enumerated() {
            #expect(newRows[index] == oldRows[index], "\(table)")
        }
        #expect(newCounters == oldCounters)
        #expect(newIndexes == oldIndexes)

        let acme = try store.tenant(named: fixture.tenant)
        let items = try acme.contentItems(of: try #require(try acme.contentType(named: "article")).id!)
        #expect(items.map(\.status) == [.draft, .published, .archived])
        #expect(items[0].fields["body"] == .string("<p>item 0 / text</p>"))
        #expect(try acme.product(sku: "SKU-0")?.draft.attributes["url"] == .string("https://example.com/0"))
        let desk = try acme.createProduct(
            try ProductDraft(sku: "DESK-2", title: "Desk", price: Money(amount: 5, currency: "EUR")), by: .system)
        #expect(desk.id!.rawValue == oldCounters["product"]! + 1)
        #expect(try acme.auditLog(limit: 100).last!.id!.rawValue == oldCounters["audit_log"]! + 1)

        try Self.expectEnumeratedChecks(store)
        let foreignKeyErrors = try store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(foreignKeyErrors.isEmpty)
    }

    @Test("no CHECK tests a column against three or more constants with IN")
    func noConstantInLists() throws {
        // SQLite 3.40 builds a temporary index for such an IN every time the statement runs, once
        // per row written when it is in a CHECK (v7_comparison_checks).
        let fixture = try StoreFixture()
        let schema = try fixture.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
        }
        let constant = #"\s*('[^']*'|-?[0-9]+)\s*"#
        let list = try Regex(#"(?i)\bIN\s*\("# + constant + "(," + constant + "){2,}\\)")
        #expect(schema.count > 20)
        #expect(!schema.contains { $0.contains(list) }, "\(schema.filter { $0.contains(list) })")
        #expect("CHECK (status IN ('a', 'b', 'c'))".contains(list))
        #expect(!"CHECK (revoked IN (0, 1))".contains(list))
    }

    /// Each enumerated column of the tables `v7_comparison_checks` rebuilt takes every value it
    /// names and refuses others, and content fields take objects only. Needs a row in each table.
    static func expectEnumeratedChecks(_ store: Store) throws {
        let statuses = (product: ["active", "draft", "archived"], content: ["draft", "published", "archived"])
        let actors = ["system", "user", "api_key"]
        // Each statement sets the column to ?1 and whatever other column the value requires.
        let columns: [(statement: String, allowed: [String])] = [
            ("UPDATE product SET status = ?1", statuses.product),
            (
                "UPDATE content_item SET status = ?1, published_at = coalesce(published_at, created_at)",
                statuses.content
            ),
            ("UPDATE content_revision SET status = ?1", statuses.content),
            (
                "UPDATE audit_log SET actor_type = ?1, actor_id = CASE ?1 WHEN 'system' THEN NULL ELSE 1 END",
                actors
            ),
            (
                "UPDATE content_revision SET actor_type = ?1, actor_id = CASE ?1 WHEN 'system' THEN NULL ELSE 1 END",
                actors
            ),
        ]
        for (statement, allowed) in columns {
            let refused =
                ["", "other", "published", "active", "api-key"].filter { !allowed.contains($0) }
                + allowed.flatMap { [$0.uppercased(), $0 + " ", " " + $0] }
            for value in allowed + refused {
                let accepted: Bool
                do {
                    try store.pool.write { db in try db.execute(sql: statement, arguments: [value]) }
                    accepted = true
                } catch {
                    accepted = false
                }
                #expect(accepted == allowed.contains(value), "\(statement) with '\(value)'")
            }
        }
        for table in ["content_item", "content_revision"] {
            for (fields, allowed) in [
                ("{}", true), (#"{"body":"x"}"#, true), ("[]", false), ("null", false), ("", false),
            ] {
                let accepted: Bool
                do {
                    try store.pool.write { db in
                        try db.execute(sql: "UPDATE \(table) SET fields = ?", arguments: [fields])
                    }
                    accepted = true
                } catch {
                    accepted = false
                }
                #expect(accepted == allowed, "\(table).fields = '\(fields)'")
            }
        }
    }

    /// Every row of each table, each value as its storage class and bytes, in a fixed order.
    static func exactRows(_ db: Database, of tables: [String]) throws -> [[[String]]] {
        try tables.map { table in
            let columns = try db.columns(in: table).map(\.name)
            let select = columns.map { "typeof(\($0)) || ':' || hex(\($0))" }.joined(separator: ", ")
            return try Row.fetchAll(db, sql: "SELECT \(select) FROM \(table) ORDER BY 1, 2, 3")
                .map { row in (0..<row.count).map { row[$0] as String } }
        }
    }

    /// The AUTOINCREMENT counters by table.
    static func counters(_ db: Database) throws -> [String: Int64] {
        Dictionary(
            uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, seq FROM sqlite_sequence").map {
                ($0["name"] as String, $0["seq"] as Int64)
            })
    }

    /// Copies a committed fixture to `path`; with `TALY_WRITE_FIXTURES=1` first writes the fixture
    /// anew (only for a lost file: landed fixtures are frozen).
    static func copyFixture(_ url: URL, to path: String, writer: (String) throws -> Void) throws {
        if ProcessInfo.processInfo.environment["TALY_WRITE_FIXTURES"] == "1" {
            try? FileManager.default.removeItem(at: url)
            try writer(url.path)
        }
        try FileManager.default.copyItem(atPath: url.path, toPath: path)
    }

    /// The migrations applied to the database at `path`, read without migrating it.
    static func appliedMigrations(at path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in try StoreMigrations.migrator.appliedMigrations(db) }
    }
}
