import Foundation
import GRDB
import TalyTestSupport

@testable import TalyStore

/// The database a v3 binary (`v1_tenant` … `v3_content_outbox`) leaves behind, kept as
/// `fixtures/store/v3_content_outbox.sqlite`: content in every status with its revisions, the
/// outbox events those changes wrote, and consumers part-way through them.
///
/// Written with SQL against the schema of that version, never through today's record types, so the
/// generator keeps producing v3 rows after the types move on. Regenerate (only if the file is lost:
/// a landed fixture is as frozen as its migration) with
/// `TALY_WRITE_FIXTURES=1 swift test --filter fromV3Fixture`.
enum V3ContentOutboxFixture {
    /// Where the committed file lives.
    static var url: URL {
        TestEnvironment.repositoryRoot.appendingPathComponent("fixtures/store/v3_content_outbox.sqlite")
    }

    static let tenants = ["acme", "globex"]
    static let userEmail = "author@acme.example"
    static let contentTypeName = "article"
    /// A tenant consumer of `acme` that acknowledged part of the outbox.
    static let tenantConsumer = "search-sync"
    static let tenantConsumerCheckpoint: Int64 = 4
    /// A platform consumer that acknowledged every event.
    static let platformConsumer = "index-sync"

    /// The content type's fields as v3 stored them: one of each kind an item below uses.
    static let fieldsJSON = """
        [{"name":"body","type":"rich_text","required":true,"searchable":true,"filterable":false,\
        "facetable":false,"sortable":false},\
        {"name":"tags","type":"list<keyword>","required":false,"searchable":true,"filterable":true,\
        "facetable":true,"sortable":false},\
        {"name":"rating","type":"number","required":false,"searchable":false,"filterable":true,\
        "facetable":false,"sortable":true},\
        {"name":"event_date","type":"date","required":false,"searchable":false,"filterable":false,\
        "facetable":false,"sortable":true},\
        {"name":"featured","type":"boolean","required":false,"searchable":false,"filterable":true,\
        "facetable":true,"sortable":false},\
        {"name":"related","type":"reference","required":false,"searchable":false,"filterable":true,\
        "facetable":false,"sortable":false}]
        """

    /// One item and the statuses it went through, one revision each.
    struct Item {
        let title: String
        let slug: String
        let fields: String
        let statuses: [String]
        let publishAt: String?
    }

    static let items = [
        Item(
            title: "Draft notes", slug: "draft-notes",
            fields: #"{"body":"<p>draft</p>","tags":["alpha"],"featured":false}"#,
            statuses: ["draft"], publishAt: "2030-01-01 00:00:00.000"),
        Item(
            title: "Launch post", slug: "launch-post",
            fields:
                #"{"body":"<p>launch</p>","tags":["news","launch"],"rating":4.5,"event_date":"2025-03-01","featured":true,"related":1}"#,
            statuses: ["draft", "published"], publishAt: nil),
        Item(
            title: "Old news", slug: "old-news", fields: #"{"body":"<p>old</p>","rating":2}"#,
            statuses: ["draft", "published", "archived"], publishAt: nil),
    ]

    /// Writes the fixture to `path` (which must not exist).
    static func write(to path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreMigrations.migrator.migrate(queue, upTo: "v1_tenant")
        try queue.write { db in
            for (offset, name) in tenants.enumerated() {
                try db.execute(
                    sql: #"INSERT INTO tenant (name, "createdAt") VALUES (?, ?)"#,
                    arguments: [name, "2025-01-0\(offset + 1) 03:04:05.000"])
            }
        }
        try StoreMigrations.migrator.migrate(queue, upTo: "v2_accounts")
        try queue.write { db in
            let time = "2025-02-03 04:05:06.000"
            try db.execute(
                sql: """
                    INSERT INTO "user" (tenant_id, email, email_normalized, display_name, status, created_at,
                        updated_at, version)
                    VALUES ((SELECT id FROM tenant WHERE name = 'acme'), ?, ?, 'Fixture Author', 'active', ?, ?, 1)
                    """,
                arguments: [userEmail, userEmail, time, time])
        }
        try StoreMigrations.migrator.migrate(queue, upTo: "v3_content_outbox")
        try queue.write { db in try writeContent(db) }
        // One self-contained file: no WAL beside it.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    }

    private static func writeContent(_ db: Database) throws {
        let acme = try Int64.fetchOne(db, sql: "SELECT id FROM tenant WHERE name = 'acme'")!
        let author = try Int64.fetchOne(db, sql: #"SELECT id FROM "user" WHERE tenant_id = ?"#, arguments: [acme])!
        let created = "2025-03-01 10:00:00.000"
        try db.execute(
            sql: """
                INSERT INTO content_type (tenant_id, name, display_name, fields, created_at, updated_at, version)
                VALUES (?, ?, 'Article', ?, ?, ?, 1)
                """,
            arguments: [acme, contentTypeName, fieldsJSON, created, created])
        let typeID = db.lastInsertedRowID
        try appendEvent(
            db, tenant: acme, aggregate: ("content_type", typeID), type: "content_type.created",
            payload: #"{"id":\#(typeID),"name":"article","version":1}"#, at: created)
        for (index, item) in items.enumerated() {
            let day = index + 2
            let createdAt = "2025-03-0\(day) 09:00:00.000"
            let updatedAt = "2025-03-0\(day) 09:0\(item.statuses.count - 1):00.000"
            let status = item.statuses.last!
            let publishedAt: String? = item.statuses.contains("published") ? "2025-03-0\(day) 09:01:00.000" : nil
            try db.execute(
                sql: """
                    INSERT INTO content_item (tenant_id, content_type_id, title, slug, fields, status, publish_at,
                        published_at, created_at, updated_at, version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    acme, typeID, item.title, item.slug, item.fields, status, item.publishAt, publishedAt, createdAt,
                    updatedAt, item.statuses.count,
                ])
            let itemID = db.lastInsertedRowID
            for (offset, revisionStatus) in item.statuses.enumerated() {
                let time = "2025-03-0\(day) 09:0\(offset):00.000"
                // Editors made every version but the archiving, a system job: revisions keep both kinds of actor.
                let actor: (type: String, id: Int64?) =
                    revisionStatus == "archived" ? ("system", nil) : ("user", author)
                try db.execute(
                    sql: """
                        INSERT INTO content_revision (tenant_id, content_item_id, item_version, title, slug, fields,
                            status, publish_at, actor_type, actor_id, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        acme, itemID, offset + 1, item.title, item.slug, item.fields, revisionStatus, item.publishAt,
                        actor.type, actor.id, time,
                    ])
                let event = offset == 0 ? "created" : revisionStatus
                try appendEvent(
                    db, tenant: acme, aggregate: ("content_item", itemID), type: "content_item.\(event)",
                    payload: #"{"id":\#(itemID),"status":"\#(revisionStatus)","version":\#(offset + 1)}"#, at: time)
            }
        }
        let lastEvent = try Int64.fetchOne(db, sql: "SELECT max(id) FROM outbox_event")!
        try db.execute(
            sql: """
                INSERT INTO outbox_consumer (tenant_id, name, last_event_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, '2025-03-05 00:00:00.000'), (NULL, ?, ?, ?, '2025-03-05 00:00:00.000')
                """,
            arguments: [
                acme, tenantConsumer, tenantConsumerCheckpoint, created, platformConsumer, lastEvent, created,
            ])
    }

    private static func appendEvent(
        _ db: Database, tenant: Int64, aggregate: (type: String, id: Int64), type: String, payload: String,
        at time: String
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO outbox_event (tenant_id, aggregate_type, aggregate_id, event_type, payload, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [tenant, aggregate.type, aggregate.id, type, payload, time])
    }
}
