import GRDB

/// The schema history of the store, one named migration per step.
///
/// Append-only: a migration that has landed is never edited, only followed by a new one, because
/// databases in the field have already applied it.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_tenant") { db in
            try db.create(table: "tenant") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v2_accounts", migrate: migrateAccounts)
        migrator.registerMigration("v3_content_outbox", migrate: migrateContentOutbox)
        migrator.registerMigration("v4_catalog", migrate: migrateCatalog)
        migrator.registerMigration("v5_ingest_checkpoint", migrate: migrateIngestCheckpoint)
        migrator.registerMigration("v6_json_shape_checks", migrate: migrateJSONShapeChecks)
        migrator.registerMigration("v7_comparison_checks", migrate: migrateComparisonChecks)
        return migrator
    }

    /// Users, credentials, roles, API keys, sessions and the audit log.
    ///
    /// Every tenant-owned table leads its primary key or main index with `tenant_id`, and rows
    /// that point at each other do so through composite `(tenant_id, id)` foreign keys, so the
    /// schema itself refuses a link from one tenant's row to another tenant's row. Ids are one
    /// integer sequence per table (AUTOINCREMENT: never reused after a delete).
    /// Frozen: the SQL here must not change once landed; the Swift types may move on.
    static func migrateAccounts(_ db: Database) throws {
        // One naming convention for every table: snake_case, as the new tables use.
        try db.execute(sql: #"ALTER TABLE tenant RENAME COLUMN "createdAt" TO created_at"#)

        try db.execute(
            sql: """
                CREATE TABLE "user" (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
                    email_normalized TEXT NOT NULL
                        CHECK (email_normalized = lower(email_normalized) AND instr(email_normalized, '@') > 1),
                    display_name TEXT NOT NULL CHECK (length(display_name) <= 200),
                    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL CHECK (updated_at >= created_at),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    UNIQUE (tenant_id, email_normalized),
                    UNIQUE (tenant_id, id)
                );

                CREATE TABLE credential (
                    tenant_id INTEGER NOT NULL,
                    user_id INTEGER NOT NULL,
                    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
                    updated_at DATETIME NOT NULL,
                    PRIMARY KEY (tenant_id, user_id),
                    FOREIGN KEY (tenant_id, user_id) REFERENCES "user"(tenant_id, id) ON DELETE CASCADE
                ) WITHOUT ROWID;

                CREATE TABLE role (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
                    built_in INTEGER NOT NULL CHECK (built_in IN (0, 1)),
                    permissions TEXT NOT NULL
                        CHECK (json_valid(permissions) AND json_type(permissions) = 'array'
                            AND (built_in = 0 OR permissions = '[]')),
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL CHECK (updated_at >= created_at),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    UNIQUE (tenant_id, name),
                    UNIQUE (tenant_id, id)
                );

                CREATE TABLE user_role (
                    tenant_id INTEGER NOT NULL,
                    user_id INTEGER NOT NULL,
                    role_id INTEGER NOT NULL,
                    created_at DATETIME NOT NULL,
                    PRIMARY KEY (tenant_id, user_id, role_id),
                    FOREIGN KEY (tenant_id, user_id) REFERENCES "user"(tenant_id, id) ON DELETE CASCADE,
                    FOREIGN KEY (tenant_id, role_id) REFERENCES role(tenant_id, id) ON DELETE RESTRICT
                ) WITHOUT ROWID;
                CREATE INDEX user_role_on_role ON user_role(tenant_id, role_id);

                CREATE TABLE api_key (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                    prefix TEXT NOT NULL UNIQUE CHECK (length(prefix) = 16),
                    secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
                    scopes TEXT NOT NULL CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
                    created_by_user_id INTEGER,
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME CHECK (expires_at IS NULL OR expires_at > created_at),
                    last_used_at DATETIME,
                    revoked INTEGER NOT NULL CHECK (revoked IN (0, 1)),
                    revoked_at DATETIME CHECK ((revoked = 0) = (revoked_at IS NULL)),
                    UNIQUE (tenant_id, id),
                    FOREIGN KEY (tenant_id, created_by_user_id) REFERENCES "user"(tenant_id, id) ON DELETE SET NULL
                );

                CREATE TABLE session (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL,
                    user_id INTEGER NOT NULL,
                    prefix TEXT NOT NULL UNIQUE CHECK (length(prefix) = 16),
                    token_hash BLOB NOT NULL CHECK (length(token_hash) = 32),
                    created_at DATETIME NOT NULL,
                    last_seen_at DATETIME NOT NULL CHECK (last_seen_at >= created_at),
                    idle_timeout_seconds INTEGER NOT NULL CHECK (idle_timeout_seconds > 0),
                    idle_expires_at DATETIME NOT NULL CHECK (idle_expires_at <= absolute_expires_at),
                    absolute_expires_at DATETIME NOT NULL CHECK (absolute_expires_at > created_at),
                    revoked_at DATETIME,
                    UNIQUE (tenant_id, id),
                    FOREIGN KEY (tenant_id, user_id) REFERENCES "user"(tenant_id, id) ON DELETE CASCADE
                );
                CREATE INDEX session_on_user ON session(tenant_id, user_id);

                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    actor_type TEXT NOT NULL CHECK (actor_type IN ('system', 'user', 'api_key')),
                    actor_id INTEGER CHECK ((actor_type = 'system') = (actor_id IS NULL)),
                    action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
                    target_type TEXT NOT NULL,
                    target_id INTEGER,
                    occurred_at DATETIME NOT NULL,
                    details TEXT NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object')
                );
                CREATE INDEX audit_log_on_tenant ON audit_log(tenant_id, id);

                -- Tenants created before this migration get the built-in roles too. Built-in roles
                -- store no permissions: the binary defines them.
                INSERT INTO role (tenant_id, name, built_in, permissions, created_at, updated_at, version)
                SELECT tenant.id, builtin.name, 1, '[]', now.value, now.value, 1
                FROM tenant
                CROSS JOIN (
                    SELECT 'owner' AS name UNION ALL SELECT 'admin' UNION ALL SELECT 'editor'
                    UNION ALL SELECT 'author' UNION ALL SELECT 'customer'
                ) AS builtin
                CROSS JOIN (SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') AS value) AS now;
                """
        )
    }
}
