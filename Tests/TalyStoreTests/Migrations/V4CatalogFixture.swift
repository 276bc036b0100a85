import Foundation
import GRDB
import TalyTestSupport

@testable import TalyStore

/// The database a v4 binary (`v1_tenant` … `v4_catalog`) leaves behind, kept as
/// `fixtures/store/v4_catalog.sqlite`: products in each status in two tenants, stock at two
/// locations and a reservation held against it.
///
/// Written with SQL against the schema of that version, never through today's record types.
/// Regenerate (only if the file is lost: a landed fixture is as frozen as its migration) with
/// `TALY_WRITE_FIXTURES=1 swift test --filter fromV4Fixture`.
enum V4CatalogFixture {
    /// Where the committed file lives.
    static var url: URL {
        TestEnvironment.repositoryRoot.appendingPathComponent("fixtures/store/v4_catalog.sqlite")
    }

    static let tenants = ["acme", "globex"]

    /// One product as v4 stored it.
    struct Product {
        let tenant: String
        let sku: String
        let title: String
        let amount: Int64
        let currency: String
        let attributes: String
        let status: String
        let version: Int64
    }

    static let products = [
        Product(
            tenant: "acme", sku: "CHAIR-1", title: "Oak chair", amount: 12_900, currency: "EUR",
            attributes: #"{"color":"oak","legs":4,"tags":["wood","dining"]}"#, status: "active", version: 2),
        Product(
            tenant: "acme", sku: "LAMP-7", title: "Desk lamp", amount: 3_450, currency: "USD",
            attributes: "{}", status: "draft", version: 1),
        Product(
            tenant: "globex", sku: "CHAIR-1", title: "Steel chair", amount: 8_000, currency: "EUR",
            attributes: #"{"color":"grey"}"#, status: "archived", version: 3),
    ]

    /// Stock of acme's CHAIR-1: on hand and reserved per location.
    static let stock: [(location: String, onHand: Int64, reserved: Int64)] = [("main", 10, 3), ("outlet", 2, 0)]

    /// Writes the fixture to `path` (which must not exist).
    static func write(to path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreMigrations.migrator.migrate(queue, upTo: "v4_catalog")
        try queue.write { db in
            for (offset, name) in tenants.enumerated() {
                try db.execute(
                    sql: "INSERT INTO tenant (name, created_at) VALUES (?, ?)",
                    arguments: [name, "2025-04-0\(offset + 1) 03:04:05.000"])
            }
            for (offset, product) in products.enumerated() {
                let created = "2025-04-1\(offset) 10:00:00.000"
                let updated = "2025-04-1\(offset) 11:00:00.000"
                try db.execute(
                    sql: """
                        INSERT INTO product (tenant_id, sku, title, description, price_amount, currency, attributes,
                            status, created_at, updated_at, version)
                        VALUES ((SELECT id FROM tenant WHERE name = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        product.tenant, product.sku, product.title, "About \(product.title)", product.amount,
                        product.currency, product.attributes, product.status, created, updated, product.version,
                    ])
            }
            let acme = try Int64.fetchOne(db, sql: "SELECT id FROM tenant WHERE name = 'acme'")!
            let chair = try Int64.fetchOne(
                db, sql: "SELECT id FROM product WHERE tenant_id = ? AND sku = 'CHAIR-1'", arguments: [acme])!
            for entry in stock {
                try db.execute(
                    sql: """
                        INSERT INTO inventory (tenant_id, product_id, location, on_hand, reserved, updated_at, version)
                        VALUES (?, ?, ?, ?, ?, '2025-04-20 12:00:00.000', 1)
                        """,
                    arguments: [acme, chair, entry.location, entry.onHand, entry.reserved])
            }
            try db.execute(
                sql: """
                    INSERT INTO inventory_reservation (tenant_id, product_id, location, quantity, created_at)
                    VALUES (?, ?, 'main', 3, '2025-04-20 12:00:00.000')
                    """,
                arguments: [acme, chair])
        }
        // One self-contained file: no WAL beside it.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    }
}
