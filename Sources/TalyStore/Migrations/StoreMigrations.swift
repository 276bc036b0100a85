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
        return migrator
    }
}
