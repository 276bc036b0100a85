import Foundation
import GRDB
import TalyTestSupport
import Testing

@testable import TalyStore

/// The hand-bound INSERTs (`insertRow`) against GRDB's generic `insert(_:)`: the same random
/// records written both ways into two stores must leave the same bytes, column types included.
@Suite("row inserts: the hand-bound statements write the generic path's rows")
struct RowInsertTests {
    /// Every column of the rows of `table` after id `start`, as `typeof:hex`, in id order.
    static func dump(_ db: Database, _ table: String, after start: Int64) throws -> [[String]] {
        let columns = try db.columns(in: table).map(\.name)
        let select = columns.map { "typeof(\($0)) || ':' || hex(\($0))" }.joined(separator: ", ")
        return try Row.fetchAll(db, sql: "SELECT \(select) FROM \(table) WHERE id > ? ORDER BY id", arguments: [start])
            .map { row in (0..<row.count).map { row[$0] as String } }
    }

    /// Each table's rows written after the stores were set up (the tenant bootstrap's audit entry
    /// names a random API key prefix), per store.
    static func dumps(_ stores: [(StoreFixture, TenantScope, ContentTypeRecord)], after starts: [Int64]) throws
        -> [[[[String]]]]
    {
        try stores.map { (fixture, _, _) in
            try fixture.store.pool.read { db in
                try zip(tables, starts).map { table, start in try dump(db, table, after: start) }
            }
        }
    }

    /// Records the first row that differs, rather than two whole tables.
    static func expectSame(_ fast: [[String]], _ generic: [[String]], table: String, seed: UInt64) {
        #expect(fast.count == generic.count, "\(table): row counts (seed \(seed))")
        if let row = zip(fast, generic).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(table) row \(row) differs (seed \(seed)): \(fast[row]) vs \(generic[row])")
        }
    }

    /// The largest id of each table.
    static func lastIDs(_ store: Store) throws -> [Int64] {
        try store.pool.read { db in
            try tables.map { try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM \($0)") ?? 0 }
        }
    }

    static let tables = ["product", "content_item", "content_revision", "audit_log", "outbox_event"]

    /// Two fresh stores with the same tenant and content type (same ids).
    static func twoStores() throws -> [(StoreFixture, TenantScope, ContentTypeRecord)] {
        try (0..<2).map { _ in
            let fixture = try StoreFixture()
            let (_, scope) = try fixture.makeTenant("acme")
            return (fixture, scope, try ArticleType.create(in: scope))
        }
    }

    @Test("products, items, revisions, audit entries and events: random records, byte for byte")
    func sameRows() throws {
        let seed = SplitMix64.testSeed()
        print("RowInsertTests.sameRows seed \(seed)")
        var random = RandomJSON(generator: SplitMix64(seed: seed))
        let stores = try Self.twoStores()
        let tenantID = stores[0].1.tenantID
        #expect(tenantID == stores[1].1.tenantID)
        let typeID = try #require(stores[0].2.id)
        let starts = try Self.lastIDs(stores[0].0.store)
        #expect(try Self.lastIDs(stores[1].0.store) == starts)
        let actors: [Actor] = [.system, .user(UserID(1)), .apiKey(APIKeyID(7))]
        for index in 0..<300 {
            let time = Date(timeIntervalSince1970: StoredDateTests.randomSeconds(&random.generator))
            let later = time.addingTimeInterval(Double(random.generator.next() % 3) * 0.75)
            let dates = RowDates(index % 2 == 0 ? time : later)
            let (actorType, actorID) = actors[index % 3].columns
            var product = ProductRecord(
                id: nil, tenantID: tenantID,
                draft: ProductDraft(
                    stored: "SKU-\(index)", title: "t" + random.string(), description: random.string(),
                    price: Money(stored: Int64(random.generator.next() % 1_000_000), currency: "EUR"),
                    attributes: random.attributes(), status: ProductStatus.allCases[index % 3]),
                createdAt: time, updatedAt: later, version: Int64(1 + index % 4))
            var item = ContentItemRecord(
                id: nil, tenantID: tenantID, contentTypeID: typeID, title: "t" + random.string(), slug: "s-\(index)",
                fields: random.contentFields(), status: ContentStatus.allCases[index % 3],
                publishAt: index % 4 == 0 ? later : nil,
                publishedAt: index % 3 == 1 ? time.addingTimeInterval(0.5) : nil, createdAt: time, updatedAt: later,
                version: Int64(1 + index % 5))
            // A published item must have a publication time (the table's CHECK).
            if item.status == .published, item.publishedAt == nil { item.publishedAt = later }
            let fieldsText = try ContentValue.storedText(item.fields)
            let attributes = try ProductRecord.attributesTexts(product.draft.attributes)
            let details = ["sku": product.sku, "x": random.string()]
            for (which, (fixture, _, _)) in stores.enumerated() {
                try fixture.store.pool.write { db in
                    var product = product
                    var item = item
                    if which == 0 {
                        try product.insertRow(db, attributesJSON: attributes.column, dates: dates)
                        try item.insertRow(db, fieldsText: fieldsText, dates: dates)
                    } else {
                        try product.insert(db)
                        try item.insert(db)
                    }
                    var revision = ContentRevisionRecord(
                        id: nil, tenantID: tenantID, contentItemID: try #require(item.id), itemVersion: item.version,
                        title: item.title, slug: item.slug, fields: item.fields, status: item.status,
                        publishAt: item.publishAt, actorType: actorType, actorID: actorID, createdAt: later)
                    var entry = AuditLogRecord(
                        id: nil, tenantID: tenantID, actorType: actorType, actorID: actorID, action: "product.create",
                        targetType: "product", targetID: index % 5 == 0 ? nil : product.id?.rawValue,
                        occurredAt: time, details: TenantScope.json(details))
                    var event = OutboxEvent(
                        id: nil, tenantID: tenantID, aggregateType: "product",
                        aggregateID: try #require(product.id).rawValue, eventType: "product.created",
                        // The generic payload is JSONEncoder's.
                        payload: which == 0
                            ? try product.eventJSON(dates: dates, attributesJSON: attributes.payload)
                            : try TenantScope.json(product), createdAt: later)
                    if which == 0 {
                        try revision.insertRow(db, fieldsText: fieldsText, dates: dates)
                        try entry.insertRow(db, dates: dates)
                        try event.insertRow(db, dates: dates)
                    } else {
                        try revision.insert(db)
                        try entry.insert(db)
                        try event.insert(db)
                    }
                    // The id taken after the insert is the row's.
                    let stored = try Int64.fetchOne(db, sql: "SELECT max(id) FROM outbox_event")
                    #expect(event.id?.rawValue == stored)
                }
            }
        }
        let dumps = try Self.dumps(stores, after: starts)
        for (index, table) in Self.tables.enumerated() {
            #expect(dumps[0][index].count == 300, "\(table)")
            Self.expectSame(dumps[0][index], dumps[1][index], table: table, seed: seed)
        }
    }

    @Test("a bulk batch writes what one-record calls write: items, revisions, audit and events")
    func bulkEqualsSingle() throws {
        let seed = SplitMix64.testSeed()
        print("RowInsertTests.bulkEqualsSingle seed \(seed)")
        var random = RandomJSON(generator: SplitMix64(seed: seed))
        let stores = try Self.twoStores()
        let starts = try Self.lastIDs(stores[0].0.store)
        #expect(try Self.lastIDs(stores[1].0.store) == starts)
        var products: [ProductDraft] = []
        var items: [ContentItemDraft] = []
        for index in 0..<120 {
            let words = ["lamp", "Chair", "désk", "a/b", "x\"y"]
            let title = (0...Int(random.generator.next() % 3)).map { _ in
                words[Int(random.generator.next() % UInt64(words.count))]
            }.joined(separator: " ")
            products.append(
                try ProductDraft(
                    sku: "SKU-\(index)", title: title, description: random.string(),
                    price: Money(amount: Int64(index) * 10, currency: "EUR"),
                    attributes: ["color": .string(words[index % 5]), "size": .integer(Int64(index))],
                    status: .active))
            items.append(ContentItemDraft(title: title, slug: "item-\(index)", fields: ["body": .string(title)]))
        }
        let (_, bulkScope, bulkType) = stores[0]
        // Serialized ahead as bulk ingest's parser threads do: the texts must be the writer's own.
        _ = try bulkScope.bulkWriteProducts(products.map { $0.serializedForWrite() }, mode: .insert, by: .system)
        _ = try bulkScope.bulkWriteContentItems(of: bulkType.id!, items, mode: .insert, by: .system)
        let (_, singleScope, singleType) = stores[1]
        for draft in products { _ = try singleScope.createProduct(draft, by: .system) }
        for draft in items { _ = try singleScope.createContentItem(of: singleType.id!, draft, by: .system) }
        let dumps = try Self.dumps(stores, after: starts)
        for (index, table) in Self.tables.enumerated() {
            #expect(!dumps[0][index].isEmpty, "\(table)")
            Self.expectSame(dumps[0][index], dumps[1][index], table: table, seed: seed)
        }
    }
}
