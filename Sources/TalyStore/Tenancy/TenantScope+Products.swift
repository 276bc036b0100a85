import Foundation
import GRDB
import GRDBSQLite

/// The tenant's product catalog.
extension TenantScope {
    /// Creates a product; its SKU must be unused in this tenant.
    public func createProduct(_ draft: ProductDraft, by actor: Actor) throws(StoreError) -> ProductRecord {
        let time = now
        return try store.write { db in try insertProduct(db, draft, skuField: "sku", by: actor, at: RowDates(time)) }
    }

    /// Creates many products in one transaction: all are created, or none. A taken SKU is
    /// `.duplicate(entity: "product", field: "products[i].sku")`, naming the first offender.
    public func createProducts(_ drafts: [ProductDraft], by actor: Actor) throws(StoreError) -> [ProductRecord] {
        let dates = RowDates(now)
        return try store.write { db in
            try drafts.enumerated().map { index, draft in
                try insertProduct(db, draft, skuField: "products[\(index)].sku", by: actor, at: dates)
            }
        }
    }

    /// The product with `id` in this tenant.
    public func product(_ id: ProductID) throws(StoreError) -> ProductRecord {
        try store.readOneStatement { db in try fetchProduct(db, id) }
    }

    /// The products of this tenant among `ids`, in id order, read in one transaction; ids that
    /// are not (or no longer) the tenant's are left out.
    public func products(ids: [ProductID]) throws(StoreError) -> [ProductRecord] {
        let tenantID = tenantID
        guard !ids.isEmpty else { return [] }
        let list = Self.jsonArray(ids)
        return try store.read { db in
            // One cached statement with the ids as a JSON array (the bulk writes' SKU lookup): the
            // query interface built and SQLite prepared a statement of a parameter per id per call.
            let statement = try db.cachedStatement(sql: Self.productsByIDSQL)
            return try Self.fetchProducts(statement, arguments: [tenantID, list])
        }
    }

    /// `products(ids:)` as a search index reads them (``ProductIndexSource``): the same rows,
    /// without a draft and an attributes dictionary per product.
    public func productIndexSources(ids: [ProductID]) throws(StoreError) -> [ProductIndexSource] {
        let tenantID = tenantID
        guard !ids.isEmpty else { return [] }
        let sorted = ids.map(\.rawValue).sorted()
        // A bulk load's batch asks for a run of consecutive ids: one range scan of the table
        // instead of a temporary index of the list, a lookup per id and a sort of the rows (a
        // quarter of the worker's read-back). Rows in the range but not asked for are dropped.
        if sorted.last! - sorted.first! < 2 * Int64(sorted.count) {
            return try store.read { db in
                let statement = try db.cachedStatement(sql: Self.productsInRangeSQL)
                return try Self.fetchIndexSources(
                    statement, arguments: [tenantID, sorted.first!, sorted.last!], keeping: sorted)
            }
        }
        let list = Self.jsonArray(ids)
        return try store.read { db in
            let statement = try db.cachedStatement(sql: Self.productsByIDSQL)
            return try Self.fetchIndexSources(statement, arguments: [tenantID, list])
        }
    }

    /// `products(after:limit:status:)` of every status as a search index reads them.
    public func productIndexSources(after cursor: ProductID?, limit: Int) throws(StoreError) -> [ProductIndexSource] {
        let tenantID = tenantID
        return try store.read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT \(ProductRecord.selectedColumns) FROM product
                    WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?
                    """)
            return try Self.fetchIndexSources(statement, arguments: [tenantID, cursor?.rawValue ?? 0, max(0, limit)])
        }
    }

    public func lastProductID() throws(StoreError) -> ProductID? {
        let tenantID = tenantID
        return try store.read { db in
            try Int64.fetchOne(db, sql: "SELECT max(id) FROM product WHERE tenant_id = ?", arguments: [tenantID])
                .map(ProductID.init)
        }
    }

    /// The tenant's products among a JSON array of ids, in id order: one cached statement for any
    /// number of ids, shared by the record and index-source reads so that both read the same rows.
    private static let productsByIDSQL = """
        SELECT \(ProductRecord.selectedColumns) FROM product
        WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id
        """

    /// The tenant's products with ids from the first to the second argument, in id order.
    private static let productsInRangeSQL = """
        SELECT \(ProductRecord.selectedColumns) FROM product
        WHERE tenant_id = ? AND id BETWEEN ? AND ? ORDER BY id
        """

    /// The ids as a JSON array, for `IN (SELECT value FROM json_each(?))`.
    private static func jsonArray(_ ids: [ProductID]) -> String {
        var list = "["
        for (index, id) in ids.enumerated() {
            if index > 0 { list += "," }
            list += String(id.rawValue)
        }
        list += "]"
        return list
    }

    /// The products `statement` (a `SELECT <ProductRecord.selectedColumns>` in id order) reads;
    /// with `keeping` (ids in increasing order), only the rows whose id it holds, the others
    /// skipped before they are decoded.
    private static func fetchIndexSources(
        _ statement: Statement, arguments: StatementArguments, keeping asked: [Int64]? = nil
    ) throws -> [ProductIndexSource] {
        var sources: [ProductIndexSource] = []
        if let asked { sources.reserveCapacity(asked.count) }
        let handle = statement.sqliteStatement
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        var next = 0
        while let row = try rows.next() {
            if let asked {
                // Both in id order: walk them side by side.
                let id = sqlite3_column_int64(handle, 0)
                while next < asked.count && asked[next] < id { next += 1 }
                guard next < asked.count && asked[next] == id else { continue }
            }
            // Read in place; what the fast readers leave, as GRDB reads it.
            sources.append(try ProductIndexSource(currentRowOf: handle) ?? ProductIndexSource(selected: row))
        }
        return sources
    }

    /// The products `statement` (a `SELECT <ProductRecord.selectedColumns>`) reads.
    static func fetchProducts(_ statement: Statement, arguments: StatementArguments) throws -> [ProductRecord] {
        var products: [ProductRecord] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() { products.append(try ProductRecord(selected: row)) }
        return products
    }

    /// The product with this SKU in this tenant, or nil.
    public func product(sku: String) throws(StoreError) -> ProductRecord? {
        let tenantID = tenantID
        return try store.read { db in
            try ProductRecord
                .filter(ProductRecord.Columns.tenantID == tenantID && ProductRecord.Columns.sku == sku)
                .fetchOne(db)
        }
    }

    /// The tenant's products by id after `cursor` (exclusive), at most `limit`, optionally of one
    /// status. Ids never change and are never reused, so paging with the last id seen neither
    /// skips nor repeats a product while others are inserted or deleted.
    public func products(
        after cursor: ProductID?, limit: Int, status: ProductStatus?
    ) throws(StoreError) -> [ProductRecord] {
        let tenantID = tenantID
        return try store.read { db in
            // Ids start at 1: no cursor is cursor 0.
            let statement = try db.cachedStatement(
                sql: """
                    SELECT \(ProductRecord.selectedColumns) FROM product
                    WHERE tenant_id = ? AND id > ? AND (?3 IS NULL OR status = ?3) ORDER BY id LIMIT ?
                    """)
            return try Self.fetchProducts(
                statement, arguments: [tenantID, cursor?.rawValue ?? 0, status?.rawValue, max(0, limit)])
        }
    }

    /// Replaces the product's fields, if it is still at `expectedVersion`; a new SKU must be unused.
    public func updateProduct(
        _ id: ProductID, expectedVersion: Int64, with draft: ProductDraft, by actor: Actor
    ) throws(StoreError) -> ProductRecord {
        let time = now
        return try store.write { db in
            var product = try fetchProduct(db, id, expectedVersion: expectedVersion)
            guard product.draft != draft else { return product }
            if draft.sku != product.sku, try skuTaken(db, draft.sku) {
                throw StoreError.duplicate(entity: "product", field: "sku")
            }
            let changed = Self.changedFields(from: product.draft, to: draft)
            product.draft = draft
            product.version += 1
            product.updatedAt = max(time, product.createdAt)
            try product.update(db)
            try audit(
                db, actor: actor, action: "product.update", targetType: "product", targetID: id.rawValue,
                details: ["sku": draft.sku, "fields": changed.joined(separator: ",")], at: time)
            try appendEvent(
                db, aggregateType: "product", aggregateID: id.rawValue, eventType: "product.updated",
                payloadJSON: try product.eventJSON(dates: RowDates(time)), at: time)
            return product
        }
    }

    /// Deletes the product and its stock rows, if it is still at `expectedVersion` and no stock
    /// of it is reserved (a reservation is a promise to a customer: release or ship it first).
    public func deleteProduct(_ id: ProductID, expectedVersion: Int64, by actor: Actor) throws(StoreError) {
        let time = now
        try store.write { db in
            let product = try fetchProduct(db, id, expectedVersion: expectedVersion)
            let reserved =
                try Int64.fetchOne(
                    db, sql: "SELECT COALESCE(SUM(reserved), 0) FROM inventory WHERE tenant_id = ? AND product_id = ?",
                    arguments: [tenantID, id]) ?? 0
            guard reserved == 0 else {
                throw StoreError.constraintViolation(
                    reason: "product \(id) has \(reserved) reserved units; release or commit the reservations first")
            }
            _ = try product.delete(db)
            try audit(
                db, actor: actor, action: "product.delete", targetType: "product", targetID: id.rawValue,
                details: ["sku": product.sku], at: time)
            try appendEvent(
                db, aggregateType: "product", aggregateID: id.rawValue, eventType: "product.deleted",
                payload: ProductDeletion(id: id, sku: product.sku), at: time)
        }
    }

    // MARK: - Inside transactions

    func insertProduct(
        _ db: Database, _ draft: ProductDraft, skuField: String, by actor: Actor, at dates: RowDates,
        deferred: DeferredLogRows? = nil
    ) throws -> ProductRecord {
        var product = ProductRecord(
            id: nil, tenantID: tenantID, draft: draft, createdAt: dates.time, updatedAt: dates.time, version: 1)
        // The UNIQUE (tenant_id, sku) constraint answers "is the SKU taken" in the insert itself,
        // without a read first; only the field's name (its place in a batch) is added here.
        let attributes = try draft.encoded?.attributes ?? ProductRecord.attributesTexts(draft.attributes)
        do {
            try product.insertRow(db, attributesJSON: attributes.column, dates: dates)
        } catch let error as DatabaseError
            where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            && error.message == "UNIQUE constraint failed: product.tenant_id, product.sku"
        {
            throw StoreError.duplicate(entity: "product", field: skuField)
        }
        try logCreation(
            of: draft, id: product.id!.rawValue, attributesPayload: attributes.payload, db, by: actor, at: dates,
            deferred: deferred)
        return product
    }

    /// The audit entry and outbox event of the product `id` just inserted from `draft` at
    /// `dates.time` (its creation and last change, version 1). Takes the draft, not a record
    /// holding a copy of it: a bulk write's creations are read in place from its batch.
    func logCreation(
        of draft: ProductDraft, id: Int64, attributesPayload: String, _ db: Database, by actor: Actor,
        at dates: RowDates, deferred: DeferredLogRows?
    ) throws {
        try audit(
            db, actor: actor, action: "product.create", targetType: "product", targetID: id,
            detailsJSON: draft.encoded?.creationDetails ?? ProductDraft.creationDetails(sku: draft.sku),
            at: dates,
            deferred: deferred)
        try appendEvent(
            db, aggregateType: "product", aggregateID: id, eventType: "product.created",
            payloadJSON: try draft.encoded?.creationEvent.payload(id: id, dates: dates)
                ?? ProductRecord.eventJSON(
                    draft, id: id, createdAt: dates.time, updatedAt: dates.time, version: 1, dates: dates,
                    attributesJSON: attributesPayload),
            at: dates, deferred: deferred)
    }

    /// The product `id` of this tenant, checked against `expectedVersion` when given.
    func fetchProduct(_ db: Database, _ id: ProductID, expectedVersion: Int64? = nil) throws -> ProductRecord {
        // A cached statement: the query interface prepares its SQL anew on every call.
        let statement = try db.cachedStatement(sql: "SELECT * FROM product WHERE tenant_id = ? AND id = ?")
        guard let product = try ProductRecord.fetchOne(statement, arguments: [tenantID, id]) else {
            throw StoreError.notFound(entity: "product", key: id.description)
        }
        if let expectedVersion, product.version != expectedVersion {
            throw StoreError.versionConflict(
                entity: "product", id: id.rawValue, expected: expectedVersion, actual: product.version)
        }
        return product
    }

    private func skuTaken(_ db: Database, _ sku: String) throws -> Bool {
        try ProductRecord
            .filter(ProductRecord.Columns.tenantID == tenantID && ProductRecord.Columns.sku == sku)
            .fetchCount(db) > 0
    }

    static func changedFields(from old: ProductDraft, to new: ProductDraft) -> [String] {
        var fields: [String] = []
        if old.sku != new.sku { fields.append("sku") }
        if old.title != new.title { fields.append("title") }
        if old.description != new.description { fields.append("description") }
        if old.price != new.price { fields.append("price") }
        if old.attributes != new.attributes { fields.append("attributes") }
        if old.status != new.status { fields.append("status") }
        return fields
    }
}

/// The payload of `product.deleted`: what a consumer needs to drop the product from its copies.
struct ProductDeletion: Encodable {
    let id: ProductID
    let sku: String
}
