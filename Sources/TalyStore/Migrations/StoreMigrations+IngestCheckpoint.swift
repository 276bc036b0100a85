import GRDB

extension StoreMigrations {
    /// Bulk ingest checkpoints: how far a run over one input got, committed in the same
    /// transaction as each batch it wrote, so a run started again after a crash resumes exactly
    /// after the last committed batch.
    /// Frozen: the SQL here must not change once landed.
    static func migrateIngestCheckpoint(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE ingest_checkpoint (
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    input_key TEXT NOT NULL CHECK (length(input_key) BETWEEN 1 AND 200),
                    records_done INTEGER NOT NULL CHECK (records_done >= 0),
                    created INTEGER NOT NULL CHECK (created >= 0),
                    updated INTEGER NOT NULL CHECK (updated >= 0),
                    unchanged INTEGER NOT NULL CHECK (unchanged >= 0),
                    rejected INTEGER NOT NULL CHECK (rejected >= 0),
                    rejects_bytes INTEGER NOT NULL CHECK (rejects_bytes >= 0),
                    updated_at DATETIME NOT NULL,
                    PRIMARY KEY (tenant_id, input_key)
                ) WITHOUT ROWID;
                """)
    }
}
