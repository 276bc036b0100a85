import Foundation
import GRDB
import TalyTestSupport

@testable import TalyStore

/// The database a v5 binary (`v1_tenant` … `v5_ingest_checkpoint`) leaves behind, kept as
/// `fixtures/store/v5_ingest_checkpoint.sqlite`: the three tables `v6_json_shape_checks`
/// rebuilds (products with stock against one, audit entries, outbox events whose newest ids were
/// deleted, so the AUTOINCREMENT counter is above the largest id left) and an ingest checkpoint.
///
/// Written with SQL against the schema of that version, never through today's record types.
/// Regenerate (only if the file is lost: a landed fixture is as frozen as its migration) with
/// `TALY_WRITE_FIXTURES=1 swift test --filter fromV5Fixture`.
enum V5IngestCheckpointFixture {
    /// Where the committed file lives.
    static var url: URL {
        TestEnvironment.repositoryRoot.appendingPathComponent("fixtures/store/v5_ingest_checkpoint.sqlite")
    }

    static let tenant = "acme"
    /// SKUs and attribute texts of the products, `/` written `\/` as the store writes it.
    static let products = [("CHAIR-1", #"{"color":"oak","url":"https:\/\/example.com\/chair"}"#), ("LAMP-7", "{}")]
    /// Outbox events written; the last `deletedEvents` of them are gone.
    static let events = 5
    static let deletedEvents = 2
    static let auditEntries = 3
    static let checkpoint = IngestCheckpoint(
        inputKey: "feed-1", recordsDone: 2000, created: 1990, updated: 4, unchanged: 1, rejected: 5, rejectsBytes: 731)

    /// Writes the fixture to `path` (which must not exist).
    static func write(to path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreMigrations.migrator.migrate(queue, upTo: "v5_ingest_checkpoint")
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO tenant (name, created_at) VALUES (?, '2025-05-01 03:04:05.000')", arguments: [tenant])
            let tenantID = db.lastInsertedRowID
            for (offset, (sku, attributes)) in products.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO product (tenant_id, sku, title, description, price_amount, currency, attributes,
                            status, created_at, updated_at, version)
                        VALUES (?, ?, ?, 'About it', ?, 'EUR', ?, 'active', '2025-05-02 10:00:00.000',
                            '2025-05-02 11:00:00.000', ?)
                        """,
                    arguments: [tenantID, sku, "Product \(sku)", 1000 * (offset + 1), attributes, offset + 1])
            }
            let chair = try Int64.fetchOne(db, sql: "SELECT id FROM product WHERE sku = 'CHAIR-1'")!
            try db.execute(
                sql: """
                    INSERT INTO inventory (tenant_id, product_id, location, on_hand, reserved, updated_at, version)
                    VALUES (?, ?, 'main', 10, 3, '2025-05-03 12:00:00.000', 1)
                    """,
                arguments: [tenantID, chair])
            for index in 1...auditEntries {
                try db.execute(
                    sql: """
                        INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type, target_id,
                            occurred_at, details)
                        VALUES (?, 'system', NULL, 'product.create', 'product', ?, '2025-05-02 10:00:00.000', ?)
                        """,
                    arguments: [tenantID, chair, #"{"n":"\#(index)","sku":"CHAIR-1"}"#])
            }
            for index in 1...events {
                try db.execute(
                    sql: """
                        INSERT INTO outbox_event (tenant_id, aggregate_type, aggregate_id, event_type, payload,
                            created_at)
                        VALUES (?, 'product', ?, 'product.updated', ?, '2025-05-02 10:00:00.000')
                        """,
                    arguments: [tenantID, chair, #"{"id":\#(chair),"n":\#(index),"sku":"CHAIR-1"}"#])
            }
            try db.execute(
                sql: "DELETE FROM outbox_event WHERE id > ?", arguments: [events - deletedEvents])
            try db.execute(
                sql: """
                    INSERT INTO ingest_checkpoint (tenant_id, input_key, records_done, created, updated, unchanged,
                        rejected, rejects_bytes, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2025-05-02 10:00:00.000')
                    """,
                arguments: [
                    tenantID, checkpoint.inputKey, checkpoint.recordsDone, checkpoint.created, checkpoint.updated,
                    checkpoint.unchanged, checkpoint.rejected, checkpoint.rejectsBytes,
                ])
        }
        // One self-contained file: no WAL beside it.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    }
}
