import Foundation
import GRDB
import TalyTestSupport

@testable import TalyStore

/// The database a v6 binary (`v1_tenant` … `v6_json_shape_checks`) leaves behind, kept as
/// `fixtures/store/v6_json_shape_checks.sqlite`: the four tables `v7_comparison_checks` rebuilds,
/// with every value of their enumerated columns: products in each status (stock held against
/// one), audit entries by each kind of actor, content items in each status (one a scheduled
/// draft) with a revision per version by each kind of actor. The newest product, audit entry
/// and content item (with its revisions) were deleted, so each AUTOINCREMENT counter is above
/// the largest id left.
///
/// Written with SQL against the schema of that version, never through today's record types.
/// Regenerate (only if the file is lost: a landed fixture is as frozen as its migration) with
/// `TALY_WRITE_FIXTURES=1 swift test --filter fromV6Fixture`.
enum V6JSONShapeChecksFixture {
    /// Where the committed file lives.
    static var url: URL {
        TestEnvironment.repositoryRoot.appendingPathComponent("fixtures/store/v6_json_shape_checks.sqlite")
    }

    static let tenant = "acme"
    static let productStatuses = ["active", "draft", "archived"]
    static let itemStatuses = ["draft", "published", "archived"]
    static let actorTypes = ["system", "user", "api_key"]
    /// Rows of each table written; the newest one of each was then deleted.
    static let products = productStatuses.count + 1
    static let auditEntries = actorTypes.count + 1
    static let items = itemStatuses.count + 1

    /// Writes the fixture to `path` (which must not exist).
    static func write(to path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreMigrations.migrator.migrate(queue, upTo: "v6_json_shape_checks")
        try queue.write { db in
            let time = "2025-06-01 10:00:00.000"
            try db.execute(sql: "INSERT INTO tenant (name, created_at) VALUES (?, ?)", arguments: [tenant, time])
            let tenantID = db.lastInsertedRowID
            try db.execute(
                sql: """
                    INSERT INTO "user" (tenant_id, email, email_normalized, display_name, status, created_at,
                        updated_at, version)
                    VALUES (?, 'editor@acme.example', 'editor@acme.example', 'Editor', 'active', ?, ?, 1)
                    """,
                arguments: [tenantID, time, time])
            let userID = db.lastInsertedRowID
            func actorID(_ type: String) -> Int64? { type == "system" ? nil : userID }

            for index in 0..<products {
                let status = productStatuses[index % productStatuses.count]
                try db.execute(
                    sql: """
                        INSERT INTO product (tenant_id, sku, title, description, price_amount, currency, attributes,
                            status, created_at, updated_at, version)
                        VALUES (?, ?, ?, 'About it', ?, 'EUR', ?, ?, ?, '2025-06-01 11:00:00.000', ?)
                        """,
                    arguments: [
                        tenantID, "SKU-\(index)", "Product \(index)", 100 * index,
                        #"{"n":\#(index),"url":"https:\/\/example.com\/\#(index)"}"#, status, time, index + 1,
                    ])
            }
            try db.execute(
                sql: """
                    INSERT INTO inventory (tenant_id, product_id, location, on_hand, reserved, updated_at, version)
                    VALUES (?, (SELECT min(id) FROM product), 'main', 10, 3, ?, 1)
                    """,
                arguments: [tenantID, time])

            for index in 0..<auditEntries {
                let actor = actorTypes[index % actorTypes.count]
                try db.execute(
                    sql: """
                        INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type, target_id,
                            occurred_at, details)
                        VALUES (?, ?, ?, 'product.create', 'product', ?, ?, ?)
                        """,
                    arguments: [tenantID, actor, actorID(actor), index + 1, time, #"{"n":\#(index)}"#])
            }

            try db.execute(
                sql: """
                    INSERT INTO content_type (tenant_id, name, display_name, fields, created_at, updated_at, version)
                    VALUES (?, 'article', 'Article', ?, ?, ?, 1)
                    """,
                arguments: [
                    tenantID,
                    #"[{"name":"body","type":"rich_text","required":true,"searchable":true,"filterable":false,"facetable":false,"sortable":false}]"#,
                    time, time,
                ])
            let typeID = db.lastInsertedRowID
            for index in 0..<items {
                let status = itemStatuses[index % itemStatuses.count]
                // The first draft is scheduled, so the publishing sweep's partial index holds it.
                let publishAt: String? = index == 0 ? "2030-01-01 00:00:00.000" : nil
                let publishedAt: String? = status == "draft" ? nil : "2025-06-02 09:00:00.000"
                let fields = #"{"body":"<p>item \#(index) \/ text<\/p>"}"#
                try db.execute(
                    sql: """
                        INSERT INTO content_item (tenant_id, content_type_id, title, slug, fields, status, publish_at,
                            published_at, created_at, updated_at, version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '2025-06-02 10:00:00.000', ?)
                        """,
                    arguments: [
                        tenantID, typeID, "Item \(index)", "item-\(index)", fields, status, publishAt, publishedAt,
                        time, actorTypes.count,
                    ])
                let itemID = db.lastInsertedRowID
                for (offset, actor) in actorTypes.enumerated() {
                    try db.execute(
                        sql: """
                            INSERT INTO content_revision (tenant_id, content_item_id, item_version, title, slug, fields,
                                status, publish_at, actor_type, actor_id, created_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            tenantID, itemID, offset + 1, "Item \(index)", "item-\(index)", fields,
                            offset + 1 == actorTypes.count ? status : "draft", publishAt, actor, actorID(actor), time,
                        ])
                }
            }
            for table in ["product", "audit_log", "content_item"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE id = (SELECT max(id) FROM \(table))")
            }
        }
        // One self-contained file: no WAL beside it.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    }
}
