import GRDB

extension StoreMigrations {
    /// The outbox (events, consumers and their checkpoints, the pruning horizon) and content
    /// (types, items, revisions).
    ///
    /// Outbox ids are AUTOINCREMENT so an id is never handed out twice, even after pruning: a
    /// consumer's checkpoint stays meaningful forever. Content rows reference each other through
    /// composite `(tenant_id, id)` keys like the accounts tables.
    /// Frozen: the SQL here must not change once landed.
    static func migrateContentOutbox(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE outbox_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    aggregate_type TEXT NOT NULL CHECK (length(aggregate_type) BETWEEN 1 AND 64),
                    aggregate_id INTEGER NOT NULL,
                    event_type TEXT NOT NULL CHECK (length(event_type) BETWEEN 1 AND 64),
                    payload TEXT NOT NULL CHECK (json_valid(payload) AND json_type(payload) = 'object'),
                    created_at DATETIME NOT NULL
                );
                CREATE INDEX outbox_event_on_tenant ON outbox_event(tenant_id, id);
                CREATE INDEX outbox_event_on_created_at ON outbox_event(created_at);

                -- A consumer with a NULL tenant reads every tenant's events (platform workers such
                -- as the index sync); names are unique per tenant and among platform consumers.
                CREATE TABLE outbox_consumer (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER REFERENCES tenant(id) ON DELETE CASCADE,
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                    last_event_id INTEGER NOT NULL CHECK (last_event_id >= 0),
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE UNIQUE INDEX outbox_consumer_on_name ON outbox_consumer(coalesce(tenant_id, 0), name);

                -- How far pruning has gone: the highest event id deleted (a checkpoint below it has
                -- missed events) and the retention cutoff of the last prune (events created before
                -- it may be gone).
                CREATE TABLE outbox_horizon (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    pruned_through INTEGER NOT NULL CHECK (pruned_through >= 0),
                    pruned_before DATETIME
                );
                INSERT INTO outbox_horizon (singleton, pruned_through, pruned_before) VALUES (1, 0, NULL);

                CREATE TABLE content_type (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
                    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
                    fields TEXT NOT NULL CHECK (json_valid(fields) AND json_type(fields) = 'array'),
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL CHECK (updated_at >= created_at),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    UNIQUE (tenant_id, name),
                    UNIQUE (tenant_id, id)
                );

                CREATE TABLE content_item (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL,
                    content_type_id INTEGER NOT NULL,
                    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
                    slug TEXT NOT NULL CHECK (length(slug) BETWEEN 1 AND 200),
                    fields TEXT NOT NULL CHECK (json_valid(fields) AND json_type(fields) = 'object'),
                    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
                    publish_at DATETIME,
                    published_at DATETIME CHECK (status <> 'published' OR published_at IS NOT NULL),
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL CHECK (updated_at >= created_at),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    UNIQUE (tenant_id, content_type_id, slug),
                    UNIQUE (tenant_id, id),
                    FOREIGN KEY (tenant_id, content_type_id) REFERENCES content_type(tenant_id, id) ON DELETE RESTRICT
                );
                CREATE INDEX content_item_on_type ON content_item(tenant_id, content_type_id, id);
                -- Only scheduled drafts: the publishing sweep reads this small index.
                CREATE INDEX content_item_due ON content_item(publish_at)
                    WHERE status = 'draft' AND publish_at IS NOT NULL;

                CREATE TABLE content_revision (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL,
                    content_item_id INTEGER NOT NULL,
                    item_version INTEGER NOT NULL CHECK (item_version >= 1),
                    title TEXT NOT NULL,
                    slug TEXT NOT NULL,
                    fields TEXT NOT NULL CHECK (json_valid(fields) AND json_type(fields) = 'object'),
                    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
                    publish_at DATETIME,
                    actor_type TEXT NOT NULL CHECK (actor_type IN ('system', 'user', 'api_key')),
                    actor_id INTEGER CHECK ((actor_type = 'system') = (actor_id IS NULL)),
                    created_at DATETIME NOT NULL,
                    UNIQUE (tenant_id, content_item_id, item_version),
                    UNIQUE (tenant_id, id),
                    FOREIGN KEY (tenant_id, content_item_id) REFERENCES content_item(tenant_id, id) ON DELETE CASCADE
                );
                """
        )
    }
}
