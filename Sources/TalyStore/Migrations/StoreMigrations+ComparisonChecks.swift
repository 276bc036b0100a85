import GRDB

extension StoreMigrations {
    /// The `status` and `actor_type` CHECKs of products, audit entries, content items and content
    /// revisions trade `x IN ('a', 'b', 'c')` for `(x = 'a' OR x = 'b' OR x = 'c')`; content
    /// fields trade `json_valid(x) AND json_type(x) = 'object'` for the shape check products got
    /// in `v6_json_shape_checks`, `x GLOB '{*}'`.
    ///
    /// SQLite (3.40 here) codes an IN over three or more constants as a temporary index that it
    /// builds again every time the statement runs: a new in-memory B-tree, its first page
    /// zeroed, each constant inserted, all freed at the end. In a CHECK that is once per row
    /// written, and for a bulk-written product (its row and its audit entry) it was about 40% of
    /// SQLite's instructions (callgrind of `Benchmarks/sqlite-bulk-rows.c`, 20,000 pypi products:
    /// 2,142 M → 1,324 M instructions). The comparisons accept and refuse exactly the same
    /// values. Content fields are JSON the store serialized itself (`ContentValue.storedText`,
    /// the same `CanonicalJSONWriter`), yet SQLite parsed each again on insert, twice per item
    /// write (item and revision).
    ///
    /// Each table is rebuilt as in `v6_json_shape_checks` (create, copy, drop, rename, indexes
    /// again; foreign keys are checked at the end of the migration) and its AUTOINCREMENT
    /// counter carried over by hand, so that ids of deleted rows are never handed out again.
    /// Frozen: the SQL here must not change once landed.
    static func migrateComparisonChecks(_ db: Database) throws {
        let counters = try Row.fetchAll(
            db,
            sql: """
                SELECT name, seq FROM sqlite_sequence
                WHERE name = 'product' OR name = 'audit_log' OR name = 'content_item' OR name = 'content_revision'
                """)
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
                    status TEXT NOT NULL CHECK (status = 'active' OR status = 'draft' OR status = 'archived'),
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
                    actor_type TEXT NOT NULL
                        CHECK (actor_type = 'system' OR actor_type = 'user' OR actor_type = 'api_key'),
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

                CREATE TABLE new_content_item (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL,
                    content_type_id INTEGER NOT NULL,
                    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
                    slug TEXT NOT NULL CHECK (length(slug) BETWEEN 1 AND 200),
                    fields TEXT NOT NULL CHECK (fields GLOB '{*}'),
                    status TEXT NOT NULL CHECK (status = 'draft' OR status = 'published' OR status = 'archived'),
                    publish_at DATETIME,
                    published_at DATETIME CHECK (status <> 'published' OR published_at IS NOT NULL),
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL CHECK (updated_at >= created_at),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    UNIQUE (tenant_id, content_type_id, slug),
                    UNIQUE (tenant_id, id),
                    FOREIGN KEY (tenant_id, content_type_id) REFERENCES content_type(tenant_id, id) ON DELETE RESTRICT
                );
                INSERT INTO new_content_item
                    (id, tenant_id, content_type_id, title, slug, fields, status, publish_at, published_at, created_at,
                     updated_at, version)
                SELECT id, tenant_id, content_type_id, title, slug, fields, status, publish_at, published_at, created_at,
                    updated_at, version
                FROM content_item;
                DROP TABLE content_item;
                ALTER TABLE new_content_item RENAME TO content_item;
                CREATE INDEX content_item_on_type ON content_item(tenant_id, content_type_id, id);
                -- Only scheduled drafts: the publishing sweep reads this small index.
                CREATE INDEX content_item_due ON content_item(publish_at)
                    WHERE status = 'draft' AND publish_at IS NOT NULL;

                CREATE TABLE new_content_revision (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL,
                    content_item_id INTEGER NOT NULL,
                    item_version INTEGER NOT NULL CHECK (item_version >= 1),
                    title TEXT NOT NULL,
                    slug TEXT NOT NULL,
                    fields TEXT NOT NULL CHECK (fields GLOB '{*}'),
                    status TEXT NOT NULL CHECK (status = 'draft' OR status = 'published' OR status = 'archived'),
                    publish_at DATETIME,
                    actor_type TEXT NOT NULL
                        CHECK (actor_type = 'system' OR actor_type = 'user' OR actor_type = 'api_key'),
                    actor_id INTEGER CHECK ((actor_type = 'system') = (actor_id IS NULL)),
                    created_at DATETIME NOT NULL,
                    UNIQUE (tenant_id, content_item_id, item_version),
                    UNIQUE (tenant_id, id),
                    FOREIGN KEY (tenant_id, content_item_id) REFERENCES content_item(tenant_id, id) ON DELETE CASCADE
                );
                INSERT INTO new_content_revision
                    (id, tenant_id, content_item_id, item_version, title, slug, fields, status, publish_at, actor_type,
                     actor_id, created_at)
                SELECT id, tenant_id, content_item_id, item_version, title, slug, fields, status, publish_at, actor_type,
                    actor_id, created_at
                FROM content_revision;
                DROP TABLE content_revision;
                ALTER TABLE new_content_revision RENAME TO content_revision;
                """)
        // The copy left each counter at the largest id copied, and a zero one for a table that
        // never had a row: the counters go back exactly as they were.
        try db.execute(
            sql: """
                DELETE FROM sqlite_sequence
                WHERE name = 'product' OR name = 'audit_log' OR name = 'content_item' OR name = 'content_revision'
                """)
        for counter in counters {
            let name: String = counter["name"]
            let seq: Int64 = counter["seq"]
            try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", arguments: [name, seq])
        }
    }
}
