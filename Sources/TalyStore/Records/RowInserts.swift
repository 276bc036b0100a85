import Foundation
import GRDB
import GRDBSQLite

// The INSERTs of every record write (the record, its revision, audit entry and outbox event) as
// cached prepared statements whose parameters are bound by hand.
//
// GRDB's generic `insert(_:)` fills a `PersistenceContainer` (a dictionary of column names to
// values) per row, builds and looks its SQL up by column list, then maps the container to
// arguments; even `Statement.execute(arguments:)` boxes every value in a `StatementArguments`
// array. A bulk batch writes three or four rows per record, and that machinery cost more than
// SQLite's own work. The rows are the generic path's, byte for byte: the records keep their
// `encode(to:)`, and `RowInsertTests` writes the same records both ways and compares.

/// One execution of a cached statement with its parameters bound straight into SQLite, then
/// run through GRDB (which tracks the transaction and reports errors with the SQL).
struct RowInsert {
    private let statement: Statement
    private let handle: SQLiteStatement
    private var failure: Int32 = SQLITE_OK
    private var index: Int32 = 0

    /// SQLite copies the bytes of a text bound with this destructor before the bind returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        // Resets the statement, clears the last row's bindings (every parameter is NULL until
        // bound) and marks the arguments as bound, so `execute()` runs what is bound below.
        statement.setUncheckedArguments(StatementArguments())
        handle = statement.sqliteStatement
    }

    private mutating func next(_ code: Int32) {
        if failure == SQLITE_OK { failure = code }
    }

    /// Binds the next parameter.
    mutating func bind(_ value: Int64) {
        index += 1
        next(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds the next parameter, NULL for nil.
    mutating func bind(_ value: Int64?) {
        guard let value else {
            index += 1
            return
        }
        bind(value)
    }

    /// Binds the next parameter as text exactly as GRDB binds a `String`: its UTF-8 bytes up to
    /// the first NUL (a length of -1), which is what rows written the generic way hold.
    mutating func bind(_ text: String) {
        index += 1
        let code = text.withCString { sqlite3_bind_text(handle, index, $0, -1, Self.transient) }
        next(code)
    }

    /// Binds the next parameter as text, NULL for nil.
    mutating func bind(_ text: String?) {
        guard let text else {
            index += 1
            return
        }
        bind(text)
    }

    /// Runs the statement with what was bound.
    func execute() throws {
        guard failure == SQLITE_OK else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: failure), message: "binding failed", sql: statement.sql)
        }
        try statement.execute()
    }
}

extension ProductRecord {
    static let insertSQL = """
        INSERT INTO product
            (tenant_id, sku, title, description, price_amount, currency, attributes, status, created_at,
             updated_at, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the row (without an id: SQLite assigns it) and takes the id.
    mutating func insertRow(_ db: Database, dates: RowDates) throws {
        try insertRow(db, attributesJSON: try Self.attributesJSON(draft.attributes), dates: dates)
    }

    /// Inserts the row with `attributesJSON` (`attributesJSON(draft.attributes)`) and takes the id.
    mutating func insertRow(_ db: Database, attributesJSON: String, dates: RowDates) throws {
        var insert = try RowInsert(db, sql: Self.insertSQL)
        insert.bind(tenantID.rawValue)
        insert.bind(draft.sku)
        insert.bind(draft.title)
        insert.bind(draft.description)
        insert.bind(draft.price.amount)
        insert.bind(draft.price.currency.code)
        insert.bind(attributesJSON)
        insert.bind(draft.status.rawValue)
        insert.bind(dates.text(createdAt))
        insert.bind(dates.text(updatedAt))
        insert.bind(version)
        try insert.execute()
        id = ProductID(db.lastInsertedRowID)
    }
}

extension ContentItemRecord {
    static let insertSQL = """
        INSERT INTO content_item
            (tenant_id, content_type_id, title, slug, fields, status, publish_at, published_at, created_at,
             updated_at, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the row with `fieldsText` (`ContentValue.storedText(fields)`, which the caller
    /// reuses for the revision) and takes the id SQLite assigns.
    mutating func insertRow(_ db: Database, fieldsText: String, dates: RowDates) throws {
        var insert = try RowInsert(db, sql: Self.insertSQL)
        insert.bind(tenantID.rawValue)
        insert.bind(contentTypeID.rawValue)
        insert.bind(title)
        insert.bind(slug)
        insert.bind(fieldsText)
        insert.bind(status.rawValue)
        insert.bind(publishAt.map(dates.text))
        insert.bind(publishedAt.map(dates.text))
        insert.bind(dates.text(createdAt))
        insert.bind(dates.text(updatedAt))
        insert.bind(version)
        try insert.execute()
        id = ContentItemID(db.lastInsertedRowID)
    }
}

extension ContentRevisionRecord {
    static let insertSQL = """
        INSERT INTO content_revision
            (tenant_id, content_item_id, item_version, title, slug, fields, status, publish_at, actor_type,
             actor_id, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the row with `fieldsText`, the stored text of `fields`.
    mutating func insertRow(_ db: Database, fieldsText: String, dates: RowDates) throws {
        var insert = try RowInsert(db, sql: Self.insertSQL)
        insert.bind(tenantID.rawValue)
        insert.bind(contentItemID.rawValue)
        insert.bind(itemVersion)
        insert.bind(title)
        insert.bind(slug)
        insert.bind(fieldsText)
        insert.bind(status.rawValue)
        insert.bind(publishAt.map(dates.text))
        insert.bind(actorType)
        insert.bind(actorID)
        insert.bind(dates.text(createdAt))
        try insert.execute()
        id = ContentRevisionID(db.lastInsertedRowID)
    }
}

extension AuditLogRecord {
    static let insertSQL = """
        INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type, target_id, occurred_at, details)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts the row and takes the id SQLite assigns.
    mutating func insertRow(_ db: Database, dates: RowDates) throws {
        var insert = try RowInsert(db, sql: Self.insertSQL)
        insert.bind(tenantID.rawValue)
        insert.bind(actorType)
        insert.bind(actorID)
        insert.bind(action)
        insert.bind(targetType)
        insert.bind(targetID)
        insert.bind(dates.text(occurredAt))
        insert.bind(details)
        try insert.execute()
        id = AuditEntryID(db.lastInsertedRowID)
    }
}

extension OutboxEvent {
    static let insertSQL = """
        INSERT INTO outbox_event (tenant_id, aggregate_type, aggregate_id, event_type, payload, created_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """

    /// Inserts the row and takes the id SQLite assigns.
    mutating func insertRow(_ db: Database, dates: RowDates) throws {
        var insert = try RowInsert(db, sql: Self.insertSQL)
        insert.bind(tenantID.rawValue)
        insert.bind(aggregateType)
        insert.bind(aggregateID)
        insert.bind(eventType)
        insert.bind(payload)
        insert.bind(dates.text(createdAt))
        try insert.execute()
        id = OutboxEventID(db.lastInsertedRowID)
    }
}

/// The column and JSON texts of a write's time, formatted once: every row of a transaction
/// (a batch of thousands of records, five dates each) is stamped with the same time.
struct RowDates {
    let time: Date
    /// `StoredDate.databaseText(time)`.
    let databaseText: String
    /// `StoredDate.iso8601Text(time)`.
    let iso8601Text: String

    init(_ time: Date) {
        self.time = time
        databaseText = StoredDate.databaseText(time)
        iso8601Text = StoredDate.iso8601Text(time)
    }

    /// The column text of `date`: the shared one when it is the write's time.
    func text(_ date: Date) -> String {
        date == time ? databaseText : StoredDate.databaseText(date)
    }

    /// The ISO 8601 text of `date`: the shared one when it is the write's time.
    func iso8601(_ date: Date) -> String {
        date == time ? iso8601Text : StoredDate.iso8601Text(date)
    }
}
