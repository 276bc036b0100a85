import TalyIndex
import TalyStore

extension IndexSyncWorker {
    /// Compares a tenant's indexes with the store: every published item in its type's index at
    /// its version, every product in the products index at its version, nothing else there,
    /// schemas as the store derives them. Reads committed snapshots, so events not yet applied
    /// show up as differences: run it on a drained worker (or compare twice) to tell lag from loss.
    public nonisolated func verify(tenantID: TenantID) throws(IndexSyncError) -> [IndexDifference] {
        let scope: any TenantStore
        let types: [ContentTypeRecord]
        do throws(StoreError) {
            scope = try store.tenant(tenantID)
            types = try scope.contentTypes()
        } catch {
            throw .store(error)
        }
        var differences: [IndexDifference] = []
        for type in types {
            guard let typeID = type.id else { continue }
            var published: [Int64: Int64] = [:]
            var cursor: ContentItemID?
            while true {
                let page: [ContentItemRecord]
                do throws(StoreError) {
                    page = try scope.contentItems(of: typeID, status: .published, after: cursor, limit: 1000)
                } catch {
                    throw .store(error)
                }
                guard let lastID = page.last?.id else { break }
                for item in page { published[item.id?.rawValue ?? 0] = item.version }
                cursor = lastID
            }
            try compare(
                tenantID: tenantID, collection: .content(typeName: type.name), expected: published,
                differences: &differences
            ) { schema in schema == ContentIndexMapping(contentType: type).schema }
        }
        var products: [Int64: Int64] = [:]
        var all: [ProductRecord] = []
        var cursor: ProductID?
        while true {
            let page: [ProductRecord]
            do throws(StoreError) { page = try scope.products(after: cursor, limit: 1000) } catch {
                throw .store(error)
            }
            guard let lastID = page.last?.id else { break }
            for product in page { products[product.id?.rawValue ?? 0] = product.version }
            all.append(contentsOf: page)
            cursor = lastID
        }
        try compare(tenantID: tenantID, collection: .products, expected: products, differences: &differences) {
            schema in
            // The index may hold attributes no product has any more; it must hold every one they have.
            guard let mapping = ProductIndexMapping(schema: schema) else { return false }
            return mapping.including(all) == mapping
        }
        return differences
    }

    /// Appends the differences between one collection's committed index and `expected` (store
    /// id → version).
    private nonisolated func compare(
        tenantID: TenantID, collection: SearchCollection, expected: [Int64: Int64],
        differences: inout [IndexDifference], schemaIsCurrent: (Schema) -> Bool
    ) throws(IndexSyncError) {
        let name = collection.description
        let reader: IndexReader?
        do throws(IndexError) {
            reader = try location(tenantID: tenantID, collection: collection).openReader()
        } catch {
            throw .index(collection: "\(tenantID)/\(name)", error)
        }
        guard let reader else {
            if !expected.isEmpty { differences.append(.missingIndex(collection: name)) }
            return
        }
        if !schemaIsCurrent(reader.schema) { differences.append(.schemaOutdated(collection: name)) }
        var indexed: [String: Int64] = [:]
        do throws(IndexError) {
            for segment in reader.segments {
                for document in 0..<segment.documentCount where segment.isLive(document) {
                    let stored = try segment.storedFields(document)
                    guard case .keyword(let ids)? = stored["id"], let id = ids.first else { continue }
                    if case .int64(let version)? = stored["version"] {
                        indexed[id] = version
                    } else {
                        indexed[id] = -1
                    }
                }
            }
        } catch {
            throw .index(collection: "\(tenantID)/\(name)", error)
        }
        for (itemID, version) in expected.sorted(by: { $0.key < $1.key }) {
            guard let indexVersion = indexed.removeValue(forKey: String(itemID)) else {
                differences.append(.missingFromIndex(collection: name, itemID: itemID, version: version))
                continue
            }
            if indexVersion != version {
                differences.append(
                    .versionMismatch(collection: name, itemID: itemID, store: version, index: indexVersion))
            }
        }
        for id in indexed.keys.sorted() { differences.append(.notPublished(collection: name, itemID: id)) }
    }
}
