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
    private let texts = BoundTexts()
    private var failure: Int32 = SQLITE_OK
    private var index: Int32 = 0

    /// SQLite copies the bytes of a text bound with this destructor before the bind returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    /// SQLite uses the bytes of a text bound with this destructor in place until the bindings
    /// are cleared: `texts` keeps them until then.
    private static let keptByCaller = unsafeBitCast(OpaquePointer(bitPattern: 0), to: sqlite3_destructor_type.self)

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
    /// The bytes are copied into `texts` rather than by SQLite, which allocated and freed a copy
    /// of each of the dozen texts of a record's rows (malloc and free were ~8% of a bulk load's
    /// writer thread); the copy's bytes end where `-1` would have ended them.
    mutating func bind(_ text: String) {
        index += 1
        let texts = texts
        let handle = handle
        let index = index
        let code =
            text.utf8.withContiguousStorageIfAvailable { utf8 -> Int32 in
                let bytes = UnsafeRawBufferPointer(utf8)
                guard let start = bytes.baseAddress else {
                    return sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
                let length =
                    memchr(start, 0, bytes.count).map { start.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
                let copy = texts.copy(UnsafeRawBufferPointer(start: start, count: length))
                return sqlite3_bind_text(
                    handle, index, copy.assumingMemoryBound(to: CChar.self), Int32(length), Self.keptByCaller)
            } ?? text.withCString { sqlite3_bind_text(handle, index, $0, -1, Self.transient) }
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

    /// `head` (`INSERT INTO t (columns) VALUES`) followed by `rows` groups of `columns` parameters.
    static func sql(_ head: String, columns: Int, rows: Int) -> String {
        let group = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return head + " " + Array(repeating: group, count: rows).joined(separator: ", ")
    }

    /// Runs the statement with what was bound.
    func execute() throws {
        defer { releaseTexts() }
        try checkBindings()
        try statement.execute()
    }

    /// Runs the statement with what was bound, handing each row it returns (`RETURNING`) to `body`.
    func forEachRow(_ body: (Row) throws -> Void) throws {
        defer { releaseTexts() }
        try checkBindings()
        // No arguments given: the cursor only resets the statement, which keeps the bindings.
        let rows = try Row.fetchCursor(statement)
        while let row = try rows.next() { try body(row) }
    }

    /// Runs the statement with what was bound, handing each returned row's integer first column
    /// and the UTF-8 bytes of its text second column (valid during the call) to `body`: no
    /// `String` is made of a text that is only compared.
    func forEachIntegerAndText(_ body: (Int64, UnsafeRawBufferPointer) throws -> Void) throws {
        defer { releaseTexts() }
        try checkBindings()
        let rows = try Row.fetchCursor(statement)
        while try rows.next() != nil {
            let id = sqlite3_column_int64(handle, 0)
            let text = sqlite3_column_text(handle, 1)
            let count = Int(sqlite3_column_bytes(handle, 1))
            try body(id, UnsafeRawBufferPointer(start: text.map(UnsafeRawPointer.init), count: text == nil ? 0 : count))
        }
    }

    /// Unbinds the texts `texts` holds once the statement has run, so the cached statement never
    /// points at freed bytes. (Should binding fail before the run, the statement's next use
    /// clears them before anything reads them: `init` resets and unbinds.)
    private func releaseTexts() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private func checkBindings() throws {
        guard failure == SQLITE_OK else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: failure), message: "binding failed", sql: statement.sql)
        }
    }
}

/// The bytes of one statement's bound texts, copied into a few large blocks (one allocation
/// for a whole multi-row INSERT instead of one per text) and freed with the statement's run.
final class BoundTexts {
    private static let blockSize = 32 * 1024
    private var blocks: [UnsafeMutableRawPointer] = []
    private var next: UnsafeMutableRawPointer?
    private var left = 0

    /// A copy of `bytes` that lives as long as this object.
    func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawPointer {
        if bytes.count > left || next == nil {
            let size = max(Self.blockSize, bytes.count)
            let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 1)
            blocks.append(block)
            next = block
            left = size
        }
        let destination = next!
        if let source = bytes.baseAddress { destination.copyMemory(from: source, byteCount: bytes.count) }
        next = destination + bytes.count
        left -= bytes.count
        return UnsafeRawPointer(destination)
    }

    deinit {
        for block in blocks { block.deallocate() }
    }
}

extension ProductRecord {
    static let insertHead = """
        INSERT INTO product
            (tenant_id, sku, title, description, price_amount, currency, attributes, status, created_at,
             updated_at, version)
        VALUES
        """
    static let insertSQL = RowInsert.sql(insertHead, columns: 11, rows: 1)

    /// An INSERT of `rows` products that hands back each new row's id and SKU.
    static func insertSQL(rows: Int) -> String {
        RowInsert.sql(insertHead, columns: 11, rows: rows) + " RETURNING id, sku"
    }

    /// Binds the row's columns, in `insertHead`'s order.
    func bind(into insert: inout RowInsert, attributesJSON: String, dates: RowDates) {
        Self.bind(
            draft, tenantID: tenantID, createdAt: createdAt, updatedAt: updatedAt, version: version, into: &insert,
            attributesJSON: attributesJSON, dates: dates)
    }

    /// Binds the columns of the row of a product with these fields, the draft borrowed (a bulk
    /// write binds its new products from its batch's drafts, without a record copying each).
    static func bind(
        _ draft: ProductDraft, tenantID: TenantID, createdAt: Date, updatedAt: Date, version: Int64,
        into insert: inout RowInsert, attributesJSON: String, dates: RowDates
    ) {
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
    }

    /// Inserts the row (without an id: SQLite assigns it) and takes the id.
    mutating func insertRow(_ db: Database, dates: RowDates) throws {
        try insertRow(db, attributesJSON: try Self.attributesJSON(draft.attributes), dates: dates)
    }

    /// Inserts the row with `attributesJSON` (`attributesJSON(draft.attributes)`) and takes the id.
    mutating func insertRow(_ db: Database, attributesJSON: String, dates: RowDates) throws {
        id = ProductID(
            try Self.insertRow(
                draft, tenantID: tenantID, createdAt: createdAt, updatedAt: updatedAt, version: version, db,
                attributesJSON: attributesJSON, dates: dates))
    }

    /// Inserts the row of a product with these fields, the draft borrowed, and returns the id
    /// SQLite assigned.
    static func insertRow(
        _ draft: ProductDraft, tenantID: TenantID, createdAt: Date, updatedAt: Date, version: Int64, _ db: Database,
        attributesJSON: String, dates: RowDates
    ) throws -> Int64 {
        var insert = try RowInsert(db, sql: insertSQL)
        bind(
            draft, tenantID: tenantID, createdAt: createdAt, updatedAt: updatedAt, version: version, into: &insert,
            attributesJSON: attributesJSON, dates: dates)
        try insert.execute()
        return db.lastInsertedRowID
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
    static let insertHead = """
        INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type, target_id, occurred_at, details)
        VALUES
        """
    static let insertSQL = RowInsert.sql(insertHead, columns: 8, rows: 1)

    /// Binds the row's columns, in `insertHead`'s order.
    func bind(into insert: inout RowInsert, dates: RowDates) {
        insert.bind(tenantID.rawValue)
        insert.bind(actorType)
        insert.bind(actorID)
        insert.bind(action)
        insert.bind(targetType)
        insert.bind(targetID)
        insert.bind(dates.text(occurredAt))
        insert.bind(details)
    }

    /// Inserts the row and takes the id SQLite assigns.
    mutating func insertRow(_ db: Database, dates: RowDates) throws {
        var insert = try RowInsert(db, sql: Self.insertSQL)
        bind(into: &insert, dates: dates)
        try insert.execute()
        id = AuditEntryID(db.lastInsertedRowID)
    }
}

extension OutboxEvent {
    static let insertHead = """
        INSERT INTO outbox_event (tenant_id, aggregate_type, aggregate_id, event_type, payload, created_at)
        VALUES
        """
    static let insertSQL = RowInsert.sql(insertHead, columns: 6, rows: 1)

    /// Binds the row's columns, in `insertHead`'s order.
    func bind(into insert: inout RowInsert, dates: RowDates) {
        insert.bind(tenantID.rawValue)
        insert.bind(aggregateType)
        insert.bind(aggregateID)
        insert.bind(eventType)
        insert.bind(payload)
        insert.bind(dates.text(createdAt))
    }

    /// Inserts the row and takes the id SQLite assigns.
    mutating func insertRow(_ db: Database, dates: RowDates) throws {
        var insert = try RowInsert(db, sql: Self.insertSQL)
        bind(into: &insert, dates: dates)
        try insert.execute()
        id = OutboxEventID(db.lastInsertedRowID)
    }
}

/// The audit entries and outbox events of a bulk write, held back and inserted
/// `rowsPerStatement` rows per INSERT instead of one per statement.
///
/// SQLite does part of an INSERT's work once per statement, not per row: reading and writing
/// back the AUTOINCREMENT counter in `sqlite_sequence`, opening the table's, its indexes' and the
/// foreign key's parent cursors. A bulk write adds two such rows per record; measured on
/// products (a C driver of the same schema and statements), multi-row statements cut SQLite's
/// CPU per product by about a fifth. Rows keep their order, so event ids still follow the order
/// of the changes, and everything stays in the caller's transaction. The rows' ids are not
/// handed back: the bulk writes never use them.
final class DeferredLogRows {
    static let rowsPerStatement = 64
    static let auditSQL = RowInsert.sql(AuditLogRecord.insertHead, columns: 8, rows: rowsPerStatement)
    static let eventSQL = RowInsert.sql(OutboxEvent.insertHead, columns: 6, rows: rowsPerStatement)

    let dates: RowDates
    private var audits: [AuditLogRecord] = []
    private var events: [OutboxEvent] = []

    /// Rows of a write stamped with `dates`.
    init(dates: RowDates) {
        self.dates = dates
        audits.reserveCapacity(Self.rowsPerStatement)
        events.reserveCapacity(Self.rowsPerStatement)
    }

    /// Queues `entry`, inserting a full statement's worth of entries when there are enough.
    func append(_ entry: AuditLogRecord, _ db: Database) throws {
        audits.append(entry)
        guard audits.count == Self.rowsPerStatement else { return }
        var insert = try RowInsert(db, sql: Self.auditSQL)
        for entry in audits { entry.bind(into: &insert, dates: dates) }
        try insert.execute()
        audits.removeAll(keepingCapacity: true)
    }

    /// Queues `event`, inserting a full statement's worth of events when there are enough.
    func append(_ event: OutboxEvent, _ db: Database) throws {
        events.append(event)
        guard events.count == Self.rowsPerStatement else { return }
        var insert = try RowInsert(db, sql: Self.eventSQL)
        for event in events { event.bind(into: &insert, dates: dates) }
        try insert.execute()
        events.removeAll(keepingCapacity: true)
    }

    /// Inserts what is still queued, one row per statement (a statement per remainder length
    /// would fill the connection's statement cache); call before the transaction commits.
    func flush(_ db: Database) throws {
        for index in audits.indices { try audits[index].insertRow(db, dates: dates) }
        for index in events.indices { try events[index].insertRow(db, dates: dates) }
        audits.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
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

/// Reading the columns of the row a statement is on straight from SQLite's buffers, for reads of
/// every row a bulk load wrote (the index-sync worker's): GRDB builds a `DatabaseValue` or goes
/// through generic decoding per column. Each gives what GRDB's reading gives, or nil when only
/// GRDB's reading can tell (the caller then reads the row through it).
enum ColumnBytes {
    /// Whether any of `columns` is NULL.
    @inline(__always)
    static func anyNull(_ handle: SQLiteStatement, _ columns: Range<Int32>, except skipped: Int32 = -1) -> Bool {
        for column in columns where column != skipped && sqlite3_column_type(handle, column) == SQLITE_NULL {
            return true
        }
        return false
    }

    /// `body` of the UTF-8 bytes of a column (valid during the call), nil when they hold a NUL:
    /// GRDB reads a text up to its first NUL.
    @inline(__always)
    static func withBytes<T>(
        _ handle: SQLiteStatement, _ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> T?
    ) -> T? {
        // `sqlite3_column_text` first: it may convert the value, which `sqlite3_column_bytes` then measures.
        let start = sqlite3_column_text(handle, column)
        let bytes = UnsafeBufferPointer(
            start: start, count: start == nil ? 0 : Int(sqlite3_column_bytes(handle, column)))
        guard bytes.isEmpty || memchr(bytes.baseAddress!, 0, bytes.count) == nil else { return nil }
        return body(bytes)
    }

    /// A text column as GRDB reads it (`String(cString:)`: repaired UTF-8), nil when it holds a NUL.
    @inline(__always)
    static func text(_ handle: SQLiteStatement, _ column: Int32) -> String? {
        withBytes(handle, column) { String(decoding: $0, as: UTF8.self) }
    }

    /// A date column the store wrote (`yyyy-MM-dd HH:mm:ss.SSS`), nil for any other value.
    @inline(__always)
    static func storedDate(_ handle: SQLiteStatement, _ column: Int32) -> Date? {
        withBytes(handle, column, StoredDate.parse(databaseTextUTF8:))
    }
}
