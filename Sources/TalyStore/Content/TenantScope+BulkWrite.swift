import Foundation
import GRDB

/// How a bulk write treats a record whose external id (content slug, product SKU) already exists.
public enum BulkWriteMode: String, Sendable, CaseIterable {
    /// Only new records: an existing external id is a conflict and the record is not written.
    case insert
    /// New records are created; existing ones take the record's values, and its field values
    /// (content `fields`, product `attributes`) are merged over the stored ones.
    case upsert
    /// New records are created; existing ones become exactly the record (fields or attributes
    /// the record leaves out are removed).
    case replace
}

/// What a bulk write did with one record.
public enum BulkWriteOutcome: Sendable, Equatable {
    /// Created with this id.
    case created(Int64)
    /// An existing record with this id took the new values (a new version).
    case updated(Int64)
    /// An existing record with this id already held these values: nothing written.
    case unchanged(Int64)
    /// Not written: the field at fault and why (an existing external id in insert mode…).
    case conflict(field: String, reason: String)
}

/// How far a bulk ingest of one input got: committed with each batch, so a restarted run
/// resumes right after the last committed batch.
public struct IngestCheckpoint: Sendable, Equatable {
    /// Identifies the input (a hash of its identity and of the run's target and mode).
    public var inputKey: String
    /// Records of the input consumed, in input order: written, unchanged or rejected.
    public var recordsDone: Int64
    /// Records created so far.
    public var created: Int64
    /// Records updated so far.
    public var updated: Int64
    /// Records found already up to date so far.
    public var unchanged: Int64
    /// Records rejected so far.
    public var rejected: Int64
    /// The length of the reject file once this batch's rejects are in it.
    public var rejectsBytes: Int64

    /// A checkpoint with the given counters.
    public init(
        inputKey: String, recordsDone: Int64 = 0, created: Int64 = 0, updated: Int64 = 0, unchanged: Int64 = 0,
        rejected: Int64 = 0, rejectsBytes: Int64 = 0
    ) {
        self.inputKey = inputKey
        self.recordsDone = recordsDone
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
        self.rejected = rejected
        self.rejectsBytes = rejectsBytes
    }
}

/// Bulk writes by external id: one transaction per batch holding the records, their revisions,
/// audit entries and outbox events (the same ones the single-record functions write), and
/// optionally the ingest checkpoint.
extension TenantScope {
    /// Writes content items of type `typeID` by slug, in one transaction. Every draft needs a
    /// slug (the external id). A conflict does not abort the batch: it is that record's outcome.
    /// `checkpoint` runs inside the transaction with the outcomes and returns the checkpoint to
    /// commit with them (nil: none); an error it throws rolls the batch back.
    ///
    /// Without `mayPublish` (a caller lacking `content.publish`) a record is a conflict when it
    /// would take effect in public: setting or changing `publish_at`, or changing an item that is
    /// not a draft. These are the rules of the single-item routes; an unchanged item stays
    /// `unchanged`.
    public func bulkWriteContentItems(
        of typeID: ContentTypeID, _ drafts: [ContentItemDraft], mode: BulkWriteMode, by actor: Actor,
        mayPublish: Bool, checkpoint: ([BulkWriteOutcome]) throws -> IngestCheckpoint?
    ) throws(StoreError) -> [BulkWriteOutcome] {
        let dates = RowDates(now)
        return try store.write { db in
            let type = try fetchContentType(db, typeID)
            // One query for the batch's existing items instead of one per draft, and none when no
            // stored slug lies between the batch's first and last.
            var existing: [String: ContentItemRecord] = [:]
            if let range = Self.byteOrderRange(drafts.lazy.compactMap(\.slug)),
                try Self.anyStored(
                    db,
                    sql: """
                        SELECT EXISTS (
                            SELECT 1 FROM content_item
                            WHERE tenant_id = ? AND content_type_id = ? AND slug BETWEEN ? AND ?)
                        """, arguments: [tenantID, typeID, range.low, range.high])
            {
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT * FROM content_item
                        WHERE tenant_id = ? AND content_type_id = ? AND slug IN (SELECT value FROM json_each(?))
                        """)
                existing = Dictionary(
                    try ContentItemRecord.fetchAll(
                        statement, arguments: [tenantID, typeID, Self.jsonArray(drafts.compactMap(\.slug))]
                    ).map { ($0.slug, $0) }
                ) { first, _ in first }
            }
            var outcomes: [BulkWriteOutcome] = []
            outcomes.reserveCapacity(drafts.count)
            let deferred = DeferredLogRows(dates: dates)
            for draft in drafts {
                outcomes.append(
                    try writeContentItem(
                        db, draft, type: type, existing: &existing, mode: mode, mayPublish: mayPublish, by: actor,
                        at: dates, deferred: deferred))
            }
            try deferred.flush(db)
            if let checkpoint = try checkpoint(outcomes) { try saveIngestCheckpoint(db, checkpoint, at: dates.time) }
            return outcomes
        }
    }

    /// Writes products by SKU in one transaction; otherwise as `bulkWriteContentItems`.
    public func bulkWriteProducts(
        _ drafts: [ProductDraft], mode: BulkWriteMode, by actor: Actor,
        checkpoint: ([BulkWriteOutcome]) throws -> IngestCheckpoint?
    ) throws(StoreError) -> [BulkWriteOutcome] {
        let dates = RowDates(now)
        return try store.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT \(ProductRecord.selectedColumns) FROM product
                    WHERE tenant_id = ? AND sku IN (SELECT value FROM json_each(?))
                    """)
            // The batch's stored products in one query, and no query when no stored SKU lies
            // between the batch's first and last: a load of sorted input (exports, dumps) into a
            // new catalog looked up 2,000 absent SKUs per batch, ~1 µs of SQLite each.
            var existing: [String: ProductRecord] = [:]
            let range = Self.byteOrderRange(drafts.lazy.map(\.sku))
            if let range,
                try Self.anyStored(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM product WHERE tenant_id = ? AND sku BETWEEN ? AND ?)
                        """, arguments: [tenantID, range.low, range.high])
            {
                existing = Dictionary(
                    try Self.fetchProducts(statement, arguments: [tenantID, Self.jsonArray(skusOf: drafts)])
                        .map { ($0.sku, $0) }
                ) { first, _ in first }
            }
            var outcomes: [BulkWriteOutcome] = []
            outcomes.reserveCapacity(drafts.count)
            let deferred = DeferredLogRows(dates: dates)
            var creations = ProductCreations()
            // SKUs in strictly increasing byte order are all different: no SKU of the batch needs
            // noting (a hash each) to tell whether the batch created it already.
            let distinct = range?.increasing ?? true
            // By index: the new products are bound and logged from `drafts` in place, never copied.
            for index in drafts.indices {
                // A change to a SKU created earlier in the batch, or any update, goes after the
                // waiting creations: it needs their ids, and events keep the order of the changes.
                // A load into an empty catalog finds nothing stored: no lookup (a hash of the SKU).
                var stored = existing.isEmpty ? nil : existing[drafts[index].sku]
                // Noting a SKU not stored yet as created in the batch also tells whether it already
                // was: one hash of the SKU where a lookup and a later insert took two.
                let createdInBatch = stored == nil && !distinct && !creations.skus.insert(drafts[index].sku).inserted
                if createdInBatch || stored != nil {
                    try insert(&creations, drafts, db, outcomes: &outcomes, by: actor, deferred: deferred)
                }
                if createdInBatch {
                    // A SKU twice in one batch (rare): its creation is read back rather than every
                    // created product copied into `existing` (~3% of a bulk load's CPU).
                    stored = try Self.fetchProducts(
                        statement, arguments: [tenantID, Self.jsonArray(skusOf: drafts[index...index])]
                    ).first
                    existing[drafts[index].sku] = stored
                }
                guard let stored else {
                    creations.pending.append(.init(draft: index, outcome: outcomes.count))
                    outcomes.append(.created(0))
                    if creations.isFull {
                        try insert(&creations, drafts, db, outcomes: &outcomes, by: actor, deferred: deferred)
                    }
                    continue
                }
                outcomes.append(
                    try writeProduct(
                        db, drafts[index], stored: stored, existing: &existing, mode: mode, by: actor, at: dates,
                        deferred: deferred))
            }
            try insert(&creations, drafts, db, outcomes: &outcomes, by: actor, deferred: deferred)
            try deferred.flush(db)
            if let checkpoint = try checkpoint(outcomes) { try saveIngestCheckpoint(db, checkpoint, at: dates.time) }
            return outcomes
        }
    }

    /// The new products of a bulk write waiting for their INSERT, `rowsPerStatement` per statement
    /// as `DeferredLogRows` does for audit entries and events: SQLite reads and writes back the
    /// AUTOINCREMENT counter and opens the table's, its indexes' and the foreign key's cursors
    /// once per statement; the product INSERTs, one per statement, were ~40% of a batch's write.
    struct ProductCreations {
        static let rowsPerStatement = 64
        static let sql = ProductRecord.insertSQL(rows: rowsPerStatement)

        /// The waiting products, by their place in the batch's drafts.
        var pending: [Pending] = []
        /// The SKUs created in the batch so far, waiting or inserted.
        var skus: Set<String> = []
        /// Where RETURNING put each waiting product's id, reused from statement to statement.
        var returned = ReturnedIDs()

        var isFull: Bool { pending.count == Self.rowsPerStatement }

        /// A product to create: the index of its draft in the batch and of its outcome. Only
        /// indexes: a record copying the draft retained each of its strings and released them
        /// again once inserted (~2% of a bulk load's writer).
        struct Pending {
            let draft: Int
            let outcome: Int
        }
    }

    /// The ids a multi-row INSERT's RETURNING hands back, matched to the rows inserted by SKU
    /// (unique in the statement). SQLite gives no order for RETURNING rows; in practice they
    /// come in the order of the VALUES, so each row is first compared with the row at the next
    /// place, and only rows that are not kept by SKU (no `String`, no hash for rows in order).
    struct ReturnedIDs {
        /// The id of the row at each place, 0 while unknown.
        private(set) var ids: [Int64] = []
        private var next = 0
        private var outOfOrder: [String: Int64] = [:]

        /// Ready for a statement of `count` rows.
        mutating func start(count: Int) {
            ids.removeAll(keepingCapacity: true)
            ids.append(contentsOf: repeatElement(0, count: count))
            next = 0
            outOfOrder.removeAll()
        }

        /// A returned row: its id and its SKU's bytes; `sku(place)` is the SKU inserted at a place.
        mutating func add(id: Int64, sku bytes: UnsafeRawBufferPointer, sku: (Int) -> String) {
            if next < ids.count, Self.equal(sku(next), bytes) {
                ids[next] = id
                next += 1
            } else {
                outOfOrder[String(decoding: bytes, as: UTF8.self)] = id
            }
        }

        /// The id of the row at the next place, inserted alone.
        mutating func inserted(id: Int64) {
            ids[next] = id
            next += 1
        }

        /// Fills the places no row matched in order from the rows kept by SKU; false when a
        /// place got no id.
        mutating func finish(sku: (Int) -> String) -> Bool {
            guard next < ids.count else { return true }
            for place in next..<ids.count where ids[place] == 0 {
                guard let id = outOfOrder[sku(place)] else { return false }
                ids[place] = id
            }
            return true
        }

        private static func equal(_ text: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
            var text = text
            return text.withUTF8 { utf8 in
                utf8.count == bytes.count
                    && (utf8.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, utf8.count) == 0)
            }
        }
    }

    /// Inserts the waiting creations (a full statement's worth in one INSERT, a remainder one row
    /// per statement, so the statement cache holds two shapes), then logs their audit entries and
    /// events in order and fills in their outcomes.
    private func insert(
        _ creations: inout ProductCreations, _ drafts: [ProductDraft], _ db: Database,
        outcomes: inout [BulkWriteOutcome], by actor: Actor, deferred: DeferredLogRows
    ) throws {
        guard !creations.pending.isEmpty else { return }
        // Through a buffer: `drafts[i]` on the array copied the whole draft (a retain of each of
        // its strings, released again) wherever a field was read or the draft passed on, ~0.7%
        // of a bulk load; the buffer's subscript lends the draft in place.
        try drafts.withUnsafeBufferPointer { drafts in
            try insert(&creations, drafts, db, outcomes: &outcomes, by: actor, deferred: deferred)
        }
    }

    private func insert(
        _ creations: inout ProductCreations, _ drafts: UnsafeBufferPointer<ProductDraft>, _ db: Database,
        outcomes: inout [BulkWriteOutcome], by actor: Actor, deferred: DeferredLogRows
    ) throws {
        let dates = deferred.dates
        // Drafts not serialized ahead (not from bulk ingest's parsers) get their texts here.
        var texts: [Int: (column: String, payload: String)] = [:]
        for entry in creations.pending where drafts[entry.draft].encoded == nil {
            texts[entry.draft] = try ProductRecord.attributesTexts(drafts[entry.draft].attributes)
        }
        func attributes(_ draft: Int) -> (column: String, payload: String) {
            drafts[draft].encoded?.attributes ?? texts[draft]!
        }
        let count = creations.pending.count
        do {
            if creations.isFull {
                var insert = try RowInsert(db, sql: ProductCreations.sql)
                for entry in creations.pending {
                    ProductRecord.bind(
                        drafts[entry.draft], tenantID: tenantID, createdAt: dates.time, updatedAt: dates.time,
                        version: 1, into: &insert, attributesJSON: attributes(entry.draft).column, dates: dates)
                }
                creations.returned.start(count: count)
                let pending = creations.pending
                try insert.forEachIntegerAndText { id, sku in
                    creations.returned.add(id: id, sku: sku) { drafts[pending[$0].draft].sku }
                }
                guard creations.returned.finish(sku: { drafts[pending[$0].draft].sku }) else {
                    throw StoreError.invalid(field: "sku", reason: "a product INSERT returned no id for it")
                }
            } else {
                creations.returned.start(count: count)
                for entry in creations.pending {
                    creations.returned.inserted(
                        id: try ProductRecord.insertRow(
                            drafts[entry.draft], tenantID: tenantID, createdAt: dates.time, updatedAt: dates.time,
                            version: 1, db, attributesJSON: attributes(entry.draft).column, dates: dates))
                }
            }
        } catch let error as DatabaseError
            where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            && error.message == "UNIQUE constraint failed: product.tenant_id, product.sku"
        {
            throw StoreError.duplicate(entity: "product", field: "sku")
        }
        for (place, entry) in creations.pending.enumerated() {
            let id = creations.returned.ids[place]
            try logCreation(
                of: drafts[entry.draft], id: id, attributesPayload: attributes(entry.draft).payload, db, by: actor,
                at: dates, deferred: deferred)
            outcomes[entry.outcome] = .created(id)
        }
        creations.pending.removeAll(keepingCapacity: true)
    }

    /// The committed checkpoint of the input `inputKey`, or nil when no run of it is under way.
    public func ingestCheckpoint(inputKey: String) throws(StoreError) -> IngestCheckpoint? {
        let tenantID = tenantID
        return try store.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT records_done, created, updated, unchanged, rejected, rejects_bytes
                        FROM ingest_checkpoint WHERE tenant_id = ? AND input_key = ?
                        """, arguments: [tenantID, inputKey])
            else { return nil }
            return IngestCheckpoint(
                inputKey: inputKey, recordsDone: row[0], created: row[1], updated: row[2], unchanged: row[3],
                rejected: row[4], rejectsBytes: row[5])
        }
    }

    /// Forgets the checkpoint of a finished run, so the same input can be loaded again later.
    public func clearIngestCheckpoint(inputKey: String) throws(StoreError) {
        let tenantID = tenantID
        try store.write { db in
            try db.execute(
                sql: "DELETE FROM ingest_checkpoint WHERE tenant_id = ? AND input_key = ?",
                arguments: [tenantID, inputKey])
        }
    }

    // MARK: - Inside transactions

    /// The first and last of `ids` in SQLite's `BINARY` order (their UTF-8 bytes), and whether
    /// each id comes strictly after the one before it (then no two are equal); nil for none.
    static func byteOrderRange(_ ids: some Sequence<String>) -> (low: String, high: String, increasing: Bool)? {
        var range: (low: String, high: String, increasing: Bool)?
        for id in ids {
            guard let current = range else {
                range = (id, id, true)
                continue
            }
            // While the ids increase, the one before is the highest so far.
            if current.increasing, CanonicalJSONWriter.utf8Precedes(current.high, id) {
                range!.high = id
                continue
            }
            range!.increasing = false
            if CanonicalJSONWriter.utf8Precedes(id, current.low) {
                range!.low = id
            } else if CanonicalJSONWriter.utf8Precedes(current.high, id) {
                range!.high = id
            }
        }
        return range
    }

    /// The answer of a cached `SELECT EXISTS (…)`.
    static func anyStored(_ db: Database, sql: String, arguments: StatementArguments) throws -> Bool {
        try Bool.fetchOne(try db.cachedStatement(sql: sql), arguments: arguments) ?? false
    }

    /// A batch's external ids as one JSON array, bound as a single parameter of a cached
    /// statement (`IN (SELECT value FROM json_each(?))`): the query interface built and SQLite
    /// prepared a statement of one parameter per id anew for every batch, ~4% of a bulk load.
    static func jsonArray(_ texts: [String]) -> String {
        var writer = CanonicalJSONWriter(escapesSlashes: false, capacity: texts.count * 24 + 2)
        writer.raw("[")
        for (index, text) in texts.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.string(text)
        }
        writer.raw("]")
        return writer.text
    }

    /// `jsonArray` of the drafts' SKUs, without an array of them first.
    static func jsonArray(skusOf drafts: ArraySlice<ProductDraft>) -> String {
        var writer = CanonicalJSONWriter(escapesSlashes: false, capacity: drafts.count * 24 + 2)
        writer.raw("[")
        for index in drafts.indices {
            if index > drafts.startIndex { writer.raw(",") }
            writer.string(drafts[index].sku)
        }
        writer.raw("]")
        return writer.text
    }

    static func jsonArray(skusOf drafts: [ProductDraft]) -> String { jsonArray(skusOf: drafts[...]) }

    private func saveIngestCheckpoint(_ db: Database, _ checkpoint: IngestCheckpoint, at time: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO ingest_checkpoint
                    (tenant_id, input_key, records_done, created, updated, unchanged, rejected, rejects_bytes, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, input_key) DO UPDATE SET
                    records_done = excluded.records_done, created = excluded.created, updated = excluded.updated,
                    unchanged = excluded.unchanged, rejected = excluded.rejected,
                    rejects_bytes = excluded.rejects_bytes, updated_at = excluded.updated_at
                """,
            arguments: [
                tenantID, checkpoint.inputKey, checkpoint.recordsDone, checkpoint.created, checkpoint.updated,
                checkpoint.unchanged, checkpoint.rejected, checkpoint.rejectsBytes, time,
            ])
    }

    private func writeContentItem(
        _ db: Database, _ draft: ContentItemDraft, type: ContentTypeRecord,
        existing: inout [String: ContentItemRecord], mode: BulkWriteMode, mayPublish: Bool, by actor: Actor,
        at dates: RowDates, deferred: DeferredLogRows
    ) throws -> BulkWriteOutcome {
        let title: String
        let slug: String
        do {
            title = try Self.validTitle(draft.title)
            guard let given = draft.slug else {
                return .conflict(field: "slug", reason: "is required: it is the item's external id")
            }
            slug = try Self.validSlug(given)
        } catch {
            guard case .invalid(let field, let reason) = error else { throw error }
            return .conflict(field: field, reason: reason)
        }
        do {
            guard var item = existing[slug] else {
                if !mayPublish && draft.publishAt != nil {
                    return Self.publishNeeded("publish_at", "scheduling publication")
                }
                let created = try insertContentItem(
                    db, draft, title: title, slug: slug, type: type, by: actor, at: dates, deferred: deferred)
                existing[slug] = created
                return .created(created.id!.rawValue)
            }
            let id = item.id!.rawValue
            guard mode != .insert else {
                return .conflict(
                    field: "slug", reason: "content item \(id) of type \(type.name) already has slug \"\(slug)\"")
            }
            var fields = draft.fields
            if mode == .upsert {
                fields.merge(item.fields.filter { draft.fields[$0.key] == nil }) { new, _ in new }
            }
            let checked = try checkedFields(db, fields, against: type)
            guard checked != item.fields || title != item.title || draft.publishAt != item.publishAt else {
                return .unchanged(id)
            }
            if !mayPublish {
                if item.status != .draft { return Self.publishNeeded("status", "changing a \(item.status) item") }
                if draft.publishAt != item.publishAt {
                    return Self.publishNeeded("publish_at", "scheduling publication")
                }
            }
            item.fields = checked
            item.title = title
            item.publishAt = draft.publishAt
            try saveChange(
                db, &item, type: type, action: "update", event: "updated", by: actor, at: dates.time,
                deferred: deferred)
            existing[slug] = item
            return .updated(id)
        } catch let error as StoreError {
            guard case .invalid(let field, let reason) = error else { throw error }
            return .conflict(field: field, reason: reason)
        }
    }

    private static func publishNeeded(_ field: String, _ what: String) -> BulkWriteOutcome {
        .conflict(field: field, reason: "\(what) needs the content.publish permission")
    }

    /// Writes `draft` over `stored`, the product that already has its SKU.
    private func writeProduct(
        _ db: Database, _ draft: ProductDraft, stored: ProductRecord, existing: inout [String: ProductRecord],
        mode: BulkWriteMode, by actor: Actor, at dates: RowDates, deferred: DeferredLogRows
    ) throws -> BulkWriteOutcome {
        let time = dates.time
        var product = stored
        let id = product.id!.rawValue
        guard mode != .insert else {
            return .conflict(field: "sku", reason: "product \(id) already has SKU \"\(draft.sku)\"")
        }
        var wanted = draft
        if mode == .upsert, product.draft.attributes.keys.contains(where: { draft.attributes[$0] == nil }) {
            do {
                wanted = try ProductDraft(
                    sku: draft.sku, title: draft.title, description: draft.description, price: draft.price,
                    attributes: draft.attributes.merging(product.draft.attributes) { new, _ in new },
                    status: draft.status)
            } catch {
                guard case .invalid(let field, let reason) = error else { throw error }
                return .conflict(field: field, reason: "after merging the stored attributes: \(reason)")
            }
        }
        guard wanted != product.draft else { return .unchanged(id) }
        let changed = Self.changedFields(from: product.draft, to: wanted)
        product.draft = wanted
        product.version += 1
        product.updatedAt = max(time, product.createdAt)
        try product.update(db)
        try audit(
            db, actor: actor, action: "product.update", targetType: "product", targetID: id,
            details: ["sku": wanted.sku, "fields": changed.joined(separator: ",")], at: dates, deferred: deferred)
        try appendEvent(
            db, aggregateType: "product", aggregateID: id, eventType: "product.updated",
            payloadJSON: try product.eventJSON(dates: dates), at: dates, deferred: deferred)
        existing[draft.sku] = product
        return .updated(id)
    }
}

extension ContentTypeRecord {
    /// Checks a draft against this type without touching the database (title, slug, field types,
    /// required fields); errors name the field. Whether referenced items exist is checked when
    /// the draft is written. Lets callers validate many drafts in parallel before a bulk write.
    public func validate(_ draft: ContentItemDraft) throws(StoreError) -> ContentItemDraft {
        var checked = draft
        checked.title = try TenantScope.validTitle(draft.title)
        checked.slug = try draft.slug.map { slug throws(StoreError) in try TenantScope.validSlug(slug) }
        checked.fields = try ContentValidation.check(draft.fields, against: self).fields
        return checked
    }
}
