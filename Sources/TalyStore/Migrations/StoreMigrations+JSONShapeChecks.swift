import GRDB

extension StoreMigrations {
    /// `product.attributes`, `audit_log.details` and `outbox_event.payload` trade their
    /// `json_valid(x) AND json_type(x) = 'object'` CHECKs for a shape check, `x GLOB '{*}'`.
    ///
    /// Every write of these columns is JSON the store serialized itself (`CanonicalJSONWriter`,
    /// tested byte for byte against `JSONEncoder`), yet SQLite parsed it again on every insert:
    /// with the shape check instead, SQLite's CPU per product of a bulk ingest (three rows, ~600
    /// bytes of JSON) measured 10–20% lower (`Benchmarks/sqlite-bulk-rows.c`). It still refuses a
    /// stray non-object text (`[]`, `null`, an empty string).
    ///
    /// SQLite cannot alter a CHECK, so each table is rebuilt (create, copy, drop, rename,
    /// indexes again), with foreign keys checked at the end of the migration. The AUTOINCREMENT
    /// counters are carried over by hand: the copy would reset them to the largest id left, and
    /// ids of pruned events or entries must never be handed out again.
    /// Frozen: the SQL here must not change once landed.
    static func migrateJSONShapeChecks(_ db: Database) throws {
        let counters = try Row.fetchAll(
            db, sql: "SELECT name, seq FROM sqlite_sequence WHERE name IN ('product', 'audit_log', 'outbox_event')")
        try db.execute(
            sql: """
                CREATE TABLE new_product (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    sku TEXT NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
                    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
                    description TEXT NOT NULL,
                    price_amount INTEGER NOT NULL CHECK (price_amount BETWEEN 0 AND 9007199254740991),
                    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
                    attributes TEXT NOT NULL CHECK (attributes GLOB '{*}'),
                    status TEXT NOT NULL CHECK (status IN ('active', 'draft', 'archived')),
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL CHECK (updated_at >= created_at),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    UNIQUE (tenant_id, sku),
                    UNIQUE (tenant_id, id)
                );
                INSERT INTO new_product
                    (id, tenant_id, sku, title, description, price_amount, currency, attributes, status, created_at,
                     updated_at, version)
                SELECT id, tenant_id, sku, title, description, price_amount, currency, attributes, status, created_at,
                    updated_at, version
                FROM product;
                DROP TABLE product;
                ALTER TABLE new_product RENAME TO product;

                CREATE TABLE new_audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    actor_type TEXT NOT NULL CHECK (actor_type IN ('system', 'user', 'api_key')),
                    actor_id INTEGER CHECK ((actor_type = 'system') = (actor_id IS NULL)),
                    action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
                    target_type TEXT NOT NULL,
                    target_id INTEGER,
                    occurred_at DATETIME NOT NULL,
                    details TEXT NOT NULL CHECK (details GLOB '{*}')
                );
                INSERT INTO new_audit_log
                    (id, tenant_id, actor_type, actor_id, action, target_type, target_id, occurred_at, details)
                SELECT id, tenant_id, actor_type, actor_id, action, target_type, target_id, occurred_at, details
                FROM audit_log;
                DROP TABLE audit_log;
                ALTER TABLE new_audit_log RENAME TO audit_log;
                CREATE INDEX audit_log_on_tenant ON audit_log(tenant_id, id);

                CREATE TABLE new_outbox_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    aggregate_type TEXT NOT NULL CHECK (length(aggregate_type) BETWEEN 1 AND 64),
                    aggregate_id INTEGER NOT NULL,
                    event_type TEXT NOT NULL CHECK (length(event_type) BETWEEN 1 AND 64),
                    payload TEXT NOT NULL CHECK (payload GLOB '{*}'),
                    created_at DATETIME NOT NULL
                );
                INSERT INTO new_outbox_event (id, tenant_id, aggregate_type, aggregate_id, event_type, payload, created_at)
                SELECT id, tenant_id, aggregate_type, aggregate_id, event_type, payload, created_at
                FROM outbox_event;
                DROP TABLE outbox_event;
                ALTER TABLE new_outbox_event RENAME TO outbox_event;
                CREATE INDEX outbox_event_on_tenant ON outbox_event(tenant_id, id);
                CREATE INDEX outbox_event_on_created_at ON outbox_event(created_at);
                """)
        for counter in counters {
            let name: String = counter["name"]
            let seq: Int64 = counter["seq"]
            // The copy left a counter at the largest id copied (or none for an empty table).
            try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = ?", arguments: [name])
            try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", arguments: [name, seq])
        }
    }
}
