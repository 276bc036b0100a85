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
            // One query for the batch's existing items instead of one per draft.
            let statement = try db.cachedStatement(
                sql: """
                    SELECT * FROM content_item
                    WHERE tenant_id = ? AND content_type_id = ? AND slug IN (SELECT value FROM json_each(?))
                    """)
            var existing = Dictionary(
                try ContentItemRecord.fetchAll(
                    statement, arguments: [tenantID, typeID, Self.jsonArray(drafts.compactMap(\.slug))]
                ).map { ($0.slug, $0) }
            ) { first, _ in first }
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
            var existing = Dictionary(
                try Self.fetchProducts(statement, arguments: [tenantID, Self.jsonArray(drafts.map(\.sku))])
                    .map { ($0.sku, $0) }
            ) { first, _ in first }
            var outcomes: [BulkWriteOutcome] = []
            outcomes.reserveCapacity(drafts.count)
            let deferred = DeferredLogRows(dates: dates)
            var creations = ProductCreations()
            for draft in drafts {
                // A change to a SKU created earlier in the batch, or any update, goes after the
                // waiting creations: it needs their ids, and events keep the order of the changes.
                var stored = existing[draft.sku]
                // Noting a SKU not stored yet as created in the batch also tells whether it already
                // was: one hash of the SKU where a lookup and a later insert took two.
                let createdInBatch = stored == nil && !creations.skus.insert(draft.sku).inserted
                if createdInBatch || stored != nil {
                    try insert(&creations, db, outcomes: &outcomes, by: actor, deferred: deferred)
                }
                if createdInBatch {
                    // A SKU twice in one batch (rare): its creation is read back rather than every
                    // created product copied into `existing` (~3% of a bulk load's CPU).
                    stored = try Self.fetchProducts(statement, arguments: [tenantID, Self.jsonArray([draft.sku])]).first
                    existing[draft.sku] = stored
                }
                guard let stored else {
                    creations.append(
                        ProductRecord(
                            id: nil, tenantID: tenantID, draft: draft, createdAt: dates.time, updatedAt: dates.time,
                            version: 1),
                        outcome: outcomes.count)
                    outcomes.append(.created(0))
                    if creations.isFull {
                        try insert(&creations, db, outcomes: &outcomes, by: actor, deferred: deferred)
                    }
                    continue
                }
                outcomes.append(
                    try writeProduct(
                        db, draft, stored: stored, existing: &existing, mode: mode, by: actor, at: dates,
                        deferred: deferred))
            }
            try insert(&creations, db, outcomes: &outcomes, by: actor, deferred: deferred)
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

        /// Each product (without its id yet), its attributes' texts and its place in the outcomes.
        var pending: [Pending] = []
        /// The SKUs created in the batch so far, waiting or inserted.
        var skus: Set<String> = []

        var isFull: Bool { pending.count == Self.rowsPerStatement }

        /// A product (without its id yet), its attributes' texts and its place in the outcomes.
        /// A struct, not a tuple: arrays of tuples copied their elements through the runtime's
        /// generic tuple witnesses.
        struct Pending {
            var product: ProductRecord
            var attributes: (column: String, payload: String)
            let outcome: Int
        }

        /// Takes `product` over: a borrowed one was copied into `pending` and then destroyed,
        /// a retain and a release of each of its strings per created product. Its SKU is already
        /// in `skus` (`bulkWriteProducts` puts it there when it finds the SKU new).
        mutating func append(_ product: consuming ProductRecord, outcome: Int) {
            let attributes = product.draft.encoded?.attributes ?? ("", "")
            pending.append(Pending(product: product, attributes: attributes, outcome: outcome))
        }
    }

    /// Inserts the waiting creations (a full statement's worth in one INSERT, a remainder one row
    /// per statement, so the statement cache holds two shapes), then logs their audit entries and
    /// events in order and fills in their outcomes.
    private func insert(
        _ creations: inout ProductCreations, _ db: Database, outcomes: inout [BulkWriteOutcome], by actor: Actor,
        deferred: DeferredLogRows
    ) throws {
        guard !creations.pending.isEmpty else { return }
        let dates = deferred.dates
        for index in creations.pending.indices where creations.pending[index].product.draft.encoded == nil {
            creations.pending[index].attributes = try ProductRecord.attributesTexts(
                creations.pending[index].product.draft.attributes)
        }
        do {
            if creations.isFull {
                var insert = try RowInsert(db, sql: ProductCreations.sql)
                // Through the buffer, here and below: `for entry in` copied every entry out of the
                // array (each of its strings retained and released).
                creations.pending.withUnsafeBufferPointer { pending in
                    for index in pending.indices {
                        pending[index].product.bind(
                            into: &insert, attributesJSON: pending[index].attributes.column, dates: dates)
                    }
                }
                // RETURNING gives no order: the ids are matched by SKU, unique in the statement.
                var ids: [String: Int64] = [:]
                ids.reserveCapacity(creations.pending.count)
                try insert.forEachRow { row in ids[row[1]] = row[0] }
                for index in creations.pending.indices {
                    guard let id = ids[creations.pending[index].product.sku] else {
                        throw StoreError.invalid(field: "sku", reason: "a product INSERT returned no id for it")
                    }
                    creations.pending[index].product.id = ProductID(id)
                }
            } else {
                for index in creations.pending.indices {
                    try creations.pending[index].product.insertRow(
                        db, attributesJSON: creations.pending[index].attributes.column, dates: dates)
                }
            }
        } catch let error as DatabaseError
            where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            && error.message == "UNIQUE constraint failed: product.tenant_id, product.sku"
        {
            throw StoreError.duplicate(entity: "product", field: "sku")
        }
        try creations.pending.withUnsafeBufferPointer { pending in
            for index in pending.indices {
                try logCreation(
                    of: pending[index].product, attributesPayload: pending[index].attributes.payload, db, by: actor,
                    at: dates, deferred: deferred)
                outcomes[pending[index].outcome] = .created(pending[index].product.id!.rawValue)
            }
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
