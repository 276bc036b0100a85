import Foundation
import Synchronization
import TalyIndex
import TalyStore

/// Keeps every tenant's search indexes in step with the store by tailing the outbox.
///
/// One platform `OutboxConsumer` reads every tenant's events in order, in batches. A batch is
/// applied from the store's current state, never from the payloads: each touched item is read
/// by id, upserted when published and deleted otherwise, so applying an event twice, or late,
/// converges on the same index. Every touched index is committed (durable, fsynced), and only
/// then are the batches it holds acknowledged: a crash in between replays them harmlessly.
/// While the outbox holds more full batches, commits wait up to `Options.commitInterval`, so a
/// bulk load leaves a few large segments rather than one small segment (and its merges) per
/// batch; a caught-up worker commits every batch at once.
///
/// A content type whose derived schema (`ContentIndexMapping`) no longer matches its index is
/// rebuilt from the store into a new generation folder and swapped in atomically; so is every
/// index when the consumer fell behind the outbox's retention. Readers open indexes through
/// `CollectionIndexLocation.openReader()` and are never disturbed by a swap.
///
/// An actor: the work is synchronous I/O, run one batch at a time off the caller's thread.
public actor IndexSyncWorker {
    /// How the worker reads and writes.
    public struct Options: Sendable {
        /// The consumer's name (its checkpoint is kept under it).
        public var consumerName: String
        /// The most events applied and committed together.
        public var batchSize: Int
        /// The longest a caught-up worker waits before reading the outbox again. Commits wake it
        /// sooner: this process's at once, other processes' within 20 ms (the subscription
        /// watches SQLite's data version).
        public var pollInterval: Duration
        /// The settings of each collection's writer (many are open at once: keep them small).
        public var writerOptions: IndexWriterOptions
        /// The longest a batch waits for its commit while later batches are already pending;
        /// a batch that finds the outbox drained behind it is committed at once.
        public var commitInterval: Duration
        /// The RAM budget of a writer while it takes full batches (a bulk load) or rebuilds:
        /// the index is then written in a few large segments, as a rebuild writes it, instead
        /// of one per 16 MiB that merges rewrite. A partial batch sets the writer back to
        /// `writerOptions`' budget and releases the larger buffers.
        public var bulkRAMBudgetBytes: Int

        /// The defaults: `index-sync`, batches of 2,000 (each commit fsyncs and leaves a segment
        /// to merge: 500 took twice as long to drain a bulk load's backlog; an idle outbox still
        /// gives batches of one), polling every second, 16 MiB per writer, commits at least
        /// every second under a backlog, 64 MiB for a writer taking a bulk load.
        public init(
            consumerName: String = "index-sync", batchSize: Int = 2000, pollInterval: Duration = .seconds(1),
            writerOptions: IndexWriterOptions = IndexWriterOptions(ramBudgetBytes: 16 << 20),
            commitInterval: Duration = .seconds(1), bulkRAMBudgetBytes: Int = 64 << 20
        ) {
            self.consumerName = consumerName
            self.batchSize = max(1, batchSize)
            self.pollInterval = pollInterval
            self.writerOptions = writerOptions
            self.commitInterval = commitInterval
            self.bulkRAMBudgetBytes = max(bulkRAMBudgetBytes, writerOptions.ramBudgetBytes)
        }
    }

    /// How the documents of one collection are derived.
    enum CollectionMapping: Equatable {
        case content(ContentIndexMapping)
        case products(ProductIndexMapping)

        var schema: Schema {
            switch self {
            case .content(let mapping): mapping.schema
            case .products(let mapping): mapping.schema
            }
        }
    }

    /// One open collection index: its writer on the current generation and its mapping.
    private struct OpenCollection {
        let writer: IndexWriter
        let mapping: CollectionMapping

        /// The newest event its last commit reflects (0 before any).
        var appliedThrough: OutboxEventID {
            OutboxEventID(writer.userData[IndexSyncWorker.eventIDKey].flatMap { Int64($0) } ?? 0)
        }
    }

    /// A document to upsert, checked against its collection's schema, with the store id it
    /// came from (named in errors).
    private typealias PendingDocument = (id: Int64, document: ValidatedDocument)

    private struct CollectionKey: Hashable {
        let tenantID: TenantID
        let collection: SearchCollection
    }

    /// The store the indexes are derived from.
    public nonisolated let store: any RecordStore
    /// The data root: indexes live under `<root>/tenants/`.
    public nonisolated let root: String
    /// The worker's settings.
    public nonisolated let options: Options
    private let consumer: OutboxConsumer
    private var open: [CollectionKey: OpenCollection] = [:]
    private nonisolated let applied = Mutex<[TenantID: OutboxEventID]>([:])
    private let beforeAcknowledge: (@Sendable (OutboxEventID) -> Bool)?
    /// Batches applied to the writers and not yet committed: what the next commit covers.
    private var pending = PendingCommit()
    /// Records per page of a rebuild's reads, and what runs after each page: tests make pages
    /// small and write records between them (`setRebuildPaging`).
    private var rebuildPageSize = 1000
    private var afterRebuildPage: (@Sendable () -> Void)?
    /// Documents handed to the writers since the worker started (tests check nothing is indexed twice).
    private(set) var addedDocumentCount = 0

    private struct PendingCommit {
        /// The collections written since the last commit.
        var collections: Set<CollectionKey> = []
        /// The last event applied, nil when nothing waits.
        var through: OutboxEventID?
        /// Per tenant, its newest event applied.
        var newest: [TenantID: OutboxEventID] = [:]
        /// When the oldest uncommitted batch was applied.
        var since: ContinuousClock.Instant?
    }

    /// A worker over `store` writing under `root`, with its consumer created at the beginning of
    /// the outbox if new. `beforeAcknowledge` runs after a batch's commits and before its
    /// acknowledgment; returning false stops the worker there (tests simulate a crash with it).
    public init(
        store: any RecordStore, root: String, options: Options = Options(),
        beforeAcknowledge: (@Sendable (OutboxEventID) -> Bool)? = nil
    ) throws(IndexSyncError) {
        self.store = store
        self.root = root
        self.options = options
        self.beforeAcknowledge = beforeAcknowledge
        do throws(StoreError) {
            // Only an item's or a type's payload is ever read (what a deleted item's index was,
            // a type's name); products and everything else are reread from the store.
            consumer = try store.outboxConsumer(named: options.consumerName, startingAt: .beginning)
                .readingPayloads(only: ["content_item", "content_type"])
        } catch {
            throw .store(error)
        }
    }

    /// Rebuilds read `pageSize` records per page and call `afterPage` after each: for tests that
    /// write records while a rebuild pages.
    func setRebuildPaging(pageSize: Int, afterPage: (@Sendable () -> Void)?) {
        rebuildPageSize = max(1, pageSize)
        afterRebuildPage = afterPage
    }

    /// Drops a collection's writer once its background merges are done, so none of them still
    /// writes into a folder that is about to be removed or swapped out.
    private func close(_ key: CollectionKey) {
        open.removeValue(forKey: key)?.writer.waitForMerges()
    }

    /// The location of a tenant's collection index under this worker's root.
    public nonisolated func location(tenantID: TenantID, collection: SearchCollection) -> CollectionIndexLocation {
        CollectionIndexLocation(root: root, tenantID: tenantID, collection: collection)
    }

    /// The newest event of `tenantID` this worker has applied and acknowledged since it
    /// started, nil if none: everything the tenant wrote up to it is searchable.
    public nonisolated func appliedEventID(tenantID: TenantID) -> OutboxEventID? {
        applied.withLock { $0[tenantID] }
    }

    /// The consumer's checkpoint: every tenant's events up to it are applied.
    public func checkpoint() throws(IndexSyncError) -> OutboxEventID {
        do throws(StoreError) { return try consumer.checkpoint() } catch { throw .store(error) }
    }

    // MARK: - The loop

    /// Applies batches as they are written until the task is cancelled: a batch is what the
    /// outbox holds when the worker asks (up to `batchSize`), so a busy outbox gives full
    /// batches and an idle one single events at once.
    public func run() async throws(IndexSyncError) {
        while !Task.isCancelled {
            var batches = consumer.subscribe(batchSize: options.batchSize, pollInterval: options.pollInterval)
                .makeAsyncIterator()
            while true {
                let batch: [OutboxEvent]?
                do throws(StoreError) {
                    batch = try await batches.next()
                } catch .outboxConsumerBehind {
                    try recoverFromPruning()
                    break
                } catch {
                    throw .store(error)
                }
                guard let batch else {
                    // Cancelled: what the last batches applied is committed rather than redone.
                    try commitPending()
                    return
                }
                try apply(batch)
                try commitUnlessMorePending(afterBatchOf: batch.count)
            }
        }
    }

    /// Commits what the applied batches wrote unless a full batch found more events waiting and
    /// the oldest uncommitted batch is younger than `commitInterval`.
    private func commitUnlessMorePending(afterBatchOf count: Int) throws(IndexSyncError) {
        guard let through = pending.through else { return }
        if count >= options.batchSize, let since = pending.since, ContinuousClock.now - since < options.commitInterval {
            let more: Bool
            do throws(StoreError) {
                more = !(try consumer.events(after: through, limit: 1)).isEmpty
            } catch {
                throw .store(error)
            }
            if more { return }
        }
        try commitPending()
    }

    /// Applies every pending event, batch by batch, and returns how many there were (for
    /// commands and tests that want the indexes current without running the loop).
    @discardableResult
    public func drain() throws(IndexSyncError) -> Int {
        var count = 0
        while true {
            let batch: [OutboxEvent]
            do throws(StoreError) {
                if let through = pending.through {
                    batch = try consumer.events(after: through, limit: options.batchSize)
                } else {
                    batch = try consumer.pendingEvents(limit: options.batchSize)
                }
            } catch .outboxConsumerBehind {
                try recoverFromPruning()
                continue
            } catch {
                throw .store(error)
            }
            guard !batch.isEmpty else {
                try commitPending()
                return count
            }
            try apply(batch)
            try commitUnlessMorePending(afterBatchOf: batch.count)
            count += batch.count
        }
    }

    /// Applies one batch (in id order) to the writers; `commitPending()` makes it durable and
    /// acknowledges it.
    private func apply(_ events: [OutboxEvent]) throws(IndexSyncError) {
        guard let last = events.last?.id else { return }
        // Per tenant: the items touched (with their last event's payload, which names the type
        // of an item that is gone) and the content types touched; the store says what they are
        // now. Payloads are decoded only for items that are gone: they carry every field.
        var items: [TenantID: [ContentItemID: (payload: String, event: OutboxEventID)]] = [:]
        var types: [TenantID: [ContentTypeID: String]] = [:]
        // Per tenant, (product, event) in event order: a list rather than a dictionary, since a
        // bulk load's batch is thousands of products whose ids already come in order.
        var products: [TenantID: [(id: ProductID, event: OutboxEventID)]] = [:]
        var newest: [TenantID: OutboxEventID] = [:]
        for event in events {
            newest[event.tenantID] = event.id
            switch event.aggregateType {
            case "content_item":
                items[event.tenantID, default: [:]][ContentItemID(event.aggregateID)] = (
                    event.payload, event.id ?? last
                )
            case "content_type":
                let typeName = Self.decode(event.payload, as: TypePayload.self)?.name ?? ""
                types[event.tenantID, default: [:]][ContentTypeID(event.aggregateID)] = typeName
            case "product":
                products[event.tenantID, default: []].append((ProductID(event.aggregateID), event.id ?? last))
            default:
                // Other aggregates (tenants, users, inventory…) have no index.
                continue
            }
        }
        // Each tenant's index writes are serialized with out-of-process rebuilds; a rebuild that
        // swapped a generation since our last batch leaves our writer on a removed folder.
        let tenants = Set(items.keys).union(types.keys).union(products.keys)
        var locks: [TenantSyncLock] = []
        defer { for lock in locks { lock.release() } }
        for tenantID in tenants.sorted(by: { $0.rawValue < $1.rawValue }) {
            locks.append(try lock(tenantID))
            try closeSwappedWriters(of: tenantID)
        }
        var touched: Set<CollectionKey> = []
        // Upserts are added per collection in one call: the writer analyzes a batch at once.
        var upserts: [CollectionKey: [PendingDocument]] = [:]
        for (tenantID, changed) in types {
            for (typeID, name) in changed.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try syncContentType(tenantID: tenantID, typeID: typeID, name: name, touched: &touched)
            }
        }
        for (tenantID, changed) in items {
            guard let scope = try scope(of: tenantID) else { continue }
            var typesByID: [ContentTypeID: ContentTypeRecord] = [:]
            let itemIDs = changed.keys.sorted(by: { $0.rawValue < $1.rawValue })
            // One read for the batch's items rather than a read transaction per item.
            let found: [ContentItemID: ContentItemRecord]
            do throws(StoreError) {
                found = Dictionary(
                    uniqueKeysWithValues: try scope.contentItems(ids: itemIDs).map { ($0.id!, $0) })
            } catch {
                throw .store(error)
            }
            for itemID in itemIDs {
                let (payload, eventID) = changed[itemID]!
                guard let item = found[itemID] else {
                    // Deleted: remove it from the index its last event named, if that exists.
                    let event = Self.decode(payload, as: ItemPayload.self)
                    let key = CollectionKey(
                        tenantID: tenantID, collection: .content(typeName: event?.contentType ?? ""))
                    guard let collection = try existingCollection(key) else { continue }
                    touched.insert(key)
                    if eventID > collection.appliedThrough { collection.writer.delete(id: String(itemID.rawValue)) }
                    continue
                }
                let type: ContentTypeRecord
                if let known = typesByID[item.contentTypeID] {
                    type = known
                } else {
                    do throws(StoreError) { type = try scope.contentType(item.contentTypeID) } catch {
                        throw .store(error)
                    }
                    typesByID[item.contentTypeID] = type
                }
                let key = CollectionKey(tenantID: tenantID, collection: .content(typeName: type.name))
                let collection = try openCollection(key, type: type, scope: scope)
                touched.insert(key)
                // As for products: the index's last commit (a rebuild's, possibly this batch's)
                // already reflects the item's events up to the position it recorded.
                guard eventID > collection.appliedThrough else { continue }
                if item.status == .published, case .content(let mapping) = collection.mapping {
                    upserts[key, default: []].append(try Self.pending(item, mapping: mapping, key: key))
                } else {
                    collection.writer.delete(id: String(itemID.rawValue))
                }
            }
        }
        for (tenantID, changed) in products {
            let key = CollectionKey(tenantID: tenantID, collection: .products)
            // Each product once with its newest event, in id order. A rebuild of the index (this
            // batch's, or one since a restart) already reflects every event up to the position it
            // recorded: a bulk load's backlog is read once.
            let reflected = open[key]?.appliedThrough ?? OutboxEventID(0)
            var unapplied: [(id: ProductID, event: OutboxEventID)] = []
            unapplied.reserveCapacity(changed.count)
            for entry in changed.sorted(by: { $0.id.rawValue < $1.id.rawValue }) {
                if let previous = unapplied.last, previous.id == entry.id {
                    unapplied[unapplied.count - 1].event = max(previous.event, entry.event)
                } else {
                    unapplied.append(entry)
                }
            }
            unapplied.removeAll { $0.event <= reflected }
            guard !unapplied.isEmpty, let scope = try scope(of: tenantID) else { continue }
            // One read for the batch's products rather than a read transaction per product, as
            // the index reads them (no draft, no attributes dictionary).
            let present: [ProductIndexSource]
            do throws(StoreError) { present = try scope.productIndexSources(ids: unapplied.map(\.id)) } catch {
                throw .store(error)
            }
            let collection = try openProducts(key, including: present, scope: scope)
            touched.insert(key)
            let applied = collection.appliedThrough
            guard case .products(let mapping) = collection.mapping else { continue }
            // Both in id order: a product read is upserted, one gone is deleted.
            var documents: [PendingDocument] = []
            documents.reserveCapacity(present.count)
            var memo = ProductIndexMapping.DocumentMemo()
            var next = 0
            for (productID, eventID) in unapplied {
                let found = next < present.count && present[next].id == productID
                defer { if found { next += 1 } }
                guard eventID > applied else { continue }
                if found {
                    documents.append(try Self.pending(present[next], mapping: mapping, key: key, memo: &memo))
                } else {
                    collection.writer.delete(id: String(productID.rawValue))
                }
            }
            // Appended to `upserts` once: its key hashes the collection's name.
            upserts[key, default: []].append(contentsOf: documents)
        }
        // A full batch is a bulk load's (or a backlog's): its documents buffer under the larger
        // budget, and the next partial batch gives the memory back.
        let budget =
            events.count >= options.batchSize ? options.bulkRAMBudgetBytes : options.writerOptions.ramBudgetBytes
        for key in touched.sorted(by: { "\($0.tenantID)/\($0.collection)" < "\($1.tenantID)/\($1.collection)" }) {
            guard let collection = open[key], let documents = upserts[key] else { continue }
            if collection.writer.ramBudgetBytes != budget { collection.writer.ramBudgetBytes = budget }
            try add(documents, to: collection, key: key)
        }
        pending.collections.formUnion(touched)
        pending.through = last
        pending.newest.merge(newest) { max($0, $1) }
        if pending.since == nil { pending.since = .now }
    }

    /// Commits every collection the applied batches wrote (durable, fsynced; each commit records
    /// the last event applied), then acknowledges those batches: the checkpoint never passes a
    /// change that is not durable in its index.
    private func commitPending() throws(IndexSyncError) {
        guard let last = pending.through else { return }
        let keys = pending.collections
        // Commits are serialized with out-of-process rebuilds like the batches: a writer whose
        // generation was swapped out meanwhile is dropped (the rebuild read the store after
        // these batches did, so it holds their changes).
        let tenants = Set(keys.map(\.tenantID))
        var locks: [TenantSyncLock] = []
        defer { for lock in locks { lock.release() } }
        for tenantID in tenants.sorted(by: { $0.rawValue < $1.rawValue }) {
            locks.append(try lock(tenantID))
            try closeSwappedWriters(of: tenantID)
        }
        for key in keys.sorted(by: { "\($0.tenantID)/\($0.collection)" < "\($1.tenantID)/\($1.collection)" }) {
            guard let collection = open[key] else { continue }
            do throws(IndexError) {
                // A rebuild during these batches already recorded a later position: keep the newest.
                let recorded = max(last.rawValue, collection.appliedThrough.rawValue)
                try collection.writer.commit(userData: [Self.eventIDKey: String(recorded)])
            } catch {
                throw .index(collection: "\(key.tenantID)/\(key.collection)", error)
            }
        }
        if let beforeAcknowledge, !beforeAcknowledge(last) { throw .interrupted(afterCommitThrough: last) }
        do throws(StoreError) { try consumer.acknowledge(through: last) } catch { throw .store(error) }
        let newest = pending.newest
        pending = PendingCommit()
        applied.withLock { applied in
            for (tenantID, eventID) in newest { applied[tenantID] = eventID }
        }
    }

    /// Brings a content type's index in line with the type as it is now: created when new,
    /// rebuilt when its derived schema changed, removed with the type.
    private func syncContentType(
        tenantID: TenantID, typeID: ContentTypeID, name: String, touched: inout Set<CollectionKey>
    ) throws(IndexSyncError) {
        guard let scope = try scope(of: tenantID) else { return }
        let type: ContentTypeRecord?
        do throws(StoreError) {
            type = try scope.contentType(typeID)
        } catch .notFound {
            type = nil
        } catch {
            throw .store(error)
        }
        guard let type else {
            let key = CollectionKey(tenantID: tenantID, collection: .content(typeName: name))
            close(key)
            touched.remove(key)
            pending.collections.remove(key)
            do throws(IndexError) { try location(tenantID: tenantID, collection: key.collection).remove() } catch {
                throw .index(collection: "\(tenantID)/\(key.collection)", error)
            }
            return
        }
        let key = CollectionKey(tenantID: tenantID, collection: .content(typeName: type.name))
        _ = try openCollection(key, type: type, scope: scope)
    }

    /// Takes the tenant's cross-process sync lock.
    private func lock(_ tenantID: TenantID) throws(IndexSyncError) -> TenantSyncLock {
        do throws(IndexError) { return try TenantSyncLock(root: root, tenantID: tenantID) } catch {
            throw .index(collection: "\(tenantID)", error)
        }
    }

    /// Drops the tenant's writers whose generation is no longer `current` (another process
    /// rebuilt the collection): the next use opens the new generation.
    private func closeSwappedWriters(of tenantID: TenantID) throws(IndexSyncError) {
        for (key, collection) in open where key.tenantID == tenantID {
            let current: String?
            do throws(IndexError) {
                current = try location(tenantID: tenantID, collection: key.collection).currentGeneration()
            } catch {
                throw .index(collection: "\(tenantID)/\(key.collection)", error)
            }
            if current != collection.writer.directory { close(key) }
        }
    }

    /// The writer of a collection whose index exists, nil otherwise (nothing to delete from).
    private func existingCollection(_ key: CollectionKey) throws(IndexSyncError) -> OpenCollection? {
        if let collection = open[key] { return collection }
        guard case .content(let typeName) = key.collection else { return nil }
        guard let scope = try scope(of: key.tenantID) else { return nil }
        let type: ContentTypeRecord?
        do throws(StoreError) { type = try scope.contentType(named: typeName) } catch { throw .store(error) }
        guard let type else { return nil }
        return try openCollection(key, type: type, scope: scope)
    }

    /// The writer of a content type's index, opening the current generation when its schema is
    /// the type's, and rebuilding from the store when it is not (or there is no index yet).
    private func openCollection(_ key: CollectionKey, type: ContentTypeRecord, scope: any TenantStore)
        throws(IndexSyncError) -> OpenCollection
    {
        let mapping = ContentIndexMapping(contentType: type)
        if let collection = open[key], collection.mapping == .content(mapping) { return collection }
        close(key)
        if let collection = try openCurrentGeneration(key, mapping: .content(mapping)) { return collection }
        return try rebuild(key, type: type, mapping: mapping, scope: scope)
    }

    /// The writer of the products index, holding every attribute of `products`: the open one or
    /// the current generation when their mapping does, else a rebuild from the whole catalog.
    private func openProducts(
        _ key: CollectionKey, including products: [ProductIndexSource], scope: any TenantStore
    )
        throws(IndexSyncError) -> OpenCollection
    {
        if let collection = open[key], case .products(let mapping) = collection.mapping {
            let including = mapping.including(products)
            if including == mapping { return collection }
            // New attributes only add columns: the open index grows, nothing is rewritten.
            guard including.schema.extends(mapping.schema) else { return try rebuildProducts(key, scope: scope) }
            do throws(SchemaError) { try collection.writer.extendSchema(to: including.schema) } catch {
                throw .index(
                    collection: "\(key.tenantID)/\(key.collection)",
                    .corrupt(file: Manifest.fileName, reason: error.description))
            }
            let grown = OpenCollection(writer: collection.writer, mapping: .products(including))
            open[key] = grown
            return grown
        }
        let directory: String?
        do throws(IndexError) {
            directory = try location(tenantID: key.tenantID, collection: key.collection).currentGeneration()
        } catch {
            throw .index(collection: "\(key.tenantID)/\(key.collection)", error)
        }
        if let directory, let schema = (try? Manifest.load(from: directory))?.schema,
            let mapping = ProductIndexMapping(schema: schema)
        {
            let including = mapping.including(products)
            if including == mapping || including.schema.extends(mapping.schema),
                let collection = try openCurrentGeneration(key, mapping: .products(including), growing: true)
            {
                return collection
            }
        }
        return try rebuildProducts(key, scope: scope)
    }

    /// A writer on the collection's current generation when that was built with `mapping`'s
    /// schema (or, `growing`, one it extends: the products' new attribute columns), nil when
    /// there is none or it was built otherwise.
    private func openCurrentGeneration(_ key: CollectionKey, mapping: CollectionMapping, growing: Bool = false)
        throws(IndexSyncError) -> OpenCollection?
    {
        let location = self.location(tenantID: key.tenantID, collection: key.collection)
        do throws(IndexError) {
            guard let directory = try location.currentGeneration(),
                let stored = (try? Manifest.load(from: directory))?.schema,
                stored == mapping.schema || (growing && mapping.schema.extends(stored))
            else { return nil }
            let collection = OpenCollection(
                writer: try IndexWriter(directory: directory, schema: mapping.schema, options: options.writerOptions),
                mapping: mapping)
            open[key] = collection
            return collection
        } catch {
            throw .index(collection: "\(key.tenantID)/\(key.collection)", error)
        }
    }

    private func add(_ documents: [PendingDocument], to collection: OpenCollection, key: CollectionKey)
        throws(IndexSyncError)
    {
        addedDocumentCount += documents.count
        let failures: [(index: Int, error: DocumentError)]
        do throws(IndexError) {
            failures = try collection.writer.add(validated: documents.map(\.document))
        } catch {
            throw .index(collection: "\(key.tenantID)/\(key.collection)", error)
        }
        if let failure = failures.min(by: { $0.index < $1.index }) {
            throw .document(
                collection: "\(key.tenantID)/\(key.collection)", itemID: documents[failure.index].id, failure.error)
        }
    }

    /// A published item's document, checked against the mapping's schema.
    private static func pending(_ item: ContentItemRecord, mapping: ContentIndexMapping, key: CollectionKey)
        throws(IndexSyncError) -> PendingDocument
    {
        let id = item.id?.rawValue ?? 0
        do throws(DocumentError) {
            return (id, try mapping.schema.validate(mapping.document(of: item)))
        } catch {
            throw .document(collection: "\(key.tenantID)/\(key.collection)", itemID: id, error)
        }
    }

    /// A product's document, checked against the mapping's schema.
    private static func pending(
        _ product: ProductIndexSource, mapping: ProductIndexMapping, key: CollectionKey,
        memo: inout ProductIndexMapping.DocumentMemo
    ) throws(IndexSyncError) -> PendingDocument {
        let id = product.id.rawValue
        do throws(DocumentError) {
            return (id, try mapping.validatedDocument(of: product, memo: &memo))
        } catch {
            throw .document(collection: "\(key.tenantID)/\(key.collection)", itemID: id, error)
        }
    }

    // MARK: - Rebuilding

    /// The key of a commit's user data that records the newest outbox event the commit reflects.
    public static let eventIDKey = "outbox_event_id"

    /// Rebuilds the index of content type `typeName` of tenant `tenantID` from the store: a new
    /// generation holding every published item, committed, then swapped in atomically while
    /// readers of the old one keep their snapshot. Events written meanwhile are applied by the
    /// loop afterwards (they are after the rebuild's reads, and upserts by id are idempotent).
    public func rebuild(tenantID: TenantID, contentType typeName: String) throws(IndexSyncError) {
        try rebuild(tenantID: tenantID, collection: .content(typeName: typeName))
    }

    /// Rebuilds one collection of a tenant from the store (see `rebuild(tenantID:contentType:)`):
    /// a content type's published items, or every product.
    public func rebuild(tenantID: TenantID, collection: SearchCollection) throws(IndexSyncError) {
        let lock = try lock(tenantID)
        defer { lock.release() }
        let scope: any TenantStore
        do throws(StoreError) { scope = try store.tenant(tenantID) } catch { throw .store(error) }
        let key = CollectionKey(tenantID: tenantID, collection: collection)
        switch collection {
        case .products:
            _ = try rebuildProducts(key, scope: scope)
        case .content(let typeName):
            let type: ContentTypeRecord?
            do throws(StoreError) { type = try scope.contentType(named: typeName) } catch { throw .store(error) }
            guard let type else { throw .store(.notFound(entity: "content type", key: typeName)) }
            _ = try rebuild(key, type: type, mapping: ContentIndexMapping(contentType: type), scope: scope)
        }
    }

    /// Rebuilds every index of a tenant (every content type and the products) and removes the
    /// indexes of types that no longer exist.
    public func rebuild(tenantID: TenantID) throws(IndexSyncError) {
        let lock = try lock(tenantID)
        defer { lock.release() }
        let scope: any TenantStore
        let types: [ContentTypeRecord]
        do throws(StoreError) {
            scope = try store.tenant(tenantID)
            types = try scope.contentTypes()
        } catch {
            throw .store(error)
        }
        for type in types {
            let key = CollectionKey(tenantID: tenantID, collection: .content(typeName: type.name))
            _ = try rebuild(key, type: type, mapping: ContentIndexMapping(contentType: type), scope: scope)
        }
        _ = try rebuildProducts(CollectionKey(tenantID: tenantID, collection: .products), scope: scope)
        let contentFolder = root + "/tenants/\(tenantID.rawValue)/content"
        let existing = (try? FileSystem.listDirectory(contentFolder)) ?? []
        let names = Set(types.map(\.name))
        for stale in existing where !names.contains(stale) {
            let key = CollectionKey(tenantID: tenantID, collection: .content(typeName: stale))
            close(key)
            do throws(IndexError) { try location(tenantID: tenantID, collection: key.collection).remove() } catch {
                throw .index(collection: "\(tenantID)/\(key.collection)", error)
            }
        }
    }

    private func rebuild(
        _ key: CollectionKey, type: ContentTypeRecord, mapping: ContentIndexMapping, scope: any TenantStore
    )
        throws(IndexSyncError) -> OpenCollection
    {
        guard let typeID = type.id else { preconditionFailure("a stored content type has an id") }
        let rebuilt = try rebuildGeneration(key, mapping: .content(mapping)) {
            (collection) throws(IndexSyncError) -> CollectionMapping? in
            // Items created after the position come as events (see `rebuildProducts`).
            let last: ContentItemID?
            do throws(StoreError) { last = try scope.lastContentItemID() } catch { throw .store(error) }
            guard let last else { return .content(mapping) }
            try forEachPage(through: last.rawValue) { (cursor) throws(StoreError) in
                try scope.contentItems(
                    of: typeID, status: .published, after: cursor.map(ContentItemID.init), limit: rebuildPageSize)
            } id: {
                $0.id?.rawValue ?? 0
            } _: { (page) throws(IndexSyncError) -> Bool in
                try add(
                    page.map { (item) throws(IndexSyncError) in try Self.pending(item, mapping: mapping, key: key) },
                    to: collection, key: key)
                return true
            }
            return .content(mapping)
        }
        guard let rebuilt else { preconditionFailure("a content rebuild is never abandoned") }
        return rebuilt
    }

    /// Rebuilds the products index from the whole catalog in one pass: the schema grows as
    /// pages bring attributes (columns in the order found). A page that widens a kind seen in an
    /// earlier page abandons the pass and starts over with every kind seen so far (columns in
    /// name order); each restart widens a kind, so restarts are few.
    private func rebuildProducts(_ key: CollectionKey, scope: any TenantStore) throws(IndexSyncError) -> OpenCollection
    {
        var start = ProductIndexMapping()
        while true {
            var retyped: ProductIndexMapping?
            let rebuilt = try rebuildGeneration(key, mapping: .products(start)) {
                (collection) throws(IndexSyncError) -> CollectionMapping? in
                var mapping = start
                // Products created after the position (read before `fill`) come as events; read
                // here as well, a rebuild racing a bulk load would chase the load's tail and
                // index it twice (once here, once from those events).
                let last: ProductID?
                do throws(StoreError) { last = try scope.lastProductID() } catch { throw .store(error) }
                guard let last else { return .products(mapping) }
                try forEachPage(through: last.rawValue) { (cursor) throws(StoreError) in
                    try scope.productIndexSources(after: cursor.map(ProductID.init), limit: rebuildPageSize)
                } id: {
                    $0.id.rawValue
                } _: { (page) throws(IndexSyncError) -> Bool in
                    let including = mapping.including(page)
                    if including != mapping {
                        guard including.schema.extends(mapping.schema) else {
                            retyped = including
                            return false
                        }
                        do throws(SchemaError) { try collection.writer.extendSchema(to: including.schema) } catch {
                            preconditionFailure("an extending schema is refused: \(error)")
                        }
                        mapping = including
                    }
                    // One memo per page: the mapping may grow between pages.
                    var memo = ProductIndexMapping.DocumentMemo()
                    var documents: [PendingDocument] = []
                    documents.reserveCapacity(page.count)
                    for product in page {
                        documents.append(try Self.pending(product, mapping: mapping, key: key, memo: &memo))
                    }
                    try add(documents, to: collection, key: key)
                    return true
                }
                return retyped == nil ? .products(mapping) : nil
            }
            if let rebuilt { return rebuilt }
            start = ProductIndexMapping(attributes: retyped?.attributes ?? [:])
        }
    }

    /// Calls `body` with the records `read` gives up to id `last`, a page (`read(cursor)`: the
    /// records after the cursor id, in id order) at a time, until the pages end or `body` returns
    /// false. Records with larger ids were created after the rebuild read its position: their
    /// events follow, and reading them here too would index them twice.
    private func forEachPage<Record>(
        through last: Int64, read: (Int64?) throws(StoreError) -> [Record], id: (Record) -> Int64,
        _ body: ([Record]) throws(IndexSyncError) -> Bool
    ) throws(IndexSyncError) {
        var cursor: Int64?
        while true {
            var page: [Record]
            do throws(StoreError) { page = try read(cursor) } catch { throw .store(error) }
            let beyond = page.firstIndex { id($0) > last }
            if let beyond { page.removeSubrange(beyond...) }
            guard let lastRecord = page.last, try body(page) else { return }
            afterRebuildPage?()
            guard beyond == nil else { return }
            cursor = id(lastRecord)
        }
    }

    /// Fills a new generation of the collection with `fill`, commits it recording the outbox
    /// position read before filling (everything up to it is in), and swaps it in. `fill`
    /// returns the mapping the generation ended with (it may have grown the schema), or nil to
    /// abandon it: then nothing is swapped (the next swap removes the folder) and this returns nil.
    private func rebuildGeneration(
        _ key: CollectionKey, mapping: CollectionMapping,
        fill: (OpenCollection) throws(IndexSyncError) -> CollectionMapping?
    ) throws(IndexSyncError) -> OpenCollection? {
        // The old writer goes first: its merges must not outlive the swap that removes its folder.
        close(key)
        let location = self.location(tenantID: key.tenantID, collection: key.collection)
        let name = "\(key.tenantID)/\(key.collection)"
        let position: OutboxEventID
        do throws(StoreError) { position = try store.outboxPosition() } catch { throw .store(error) }
        let collection: OpenCollection
        do throws(IndexError) {
            let directory = try location.makeNextGeneration()
            collection = OpenCollection(
                writer: try IndexWriter(directory: directory, schema: mapping.schema, options: options.writerOptions),
                mapping: mapping)
        } catch {
            throw .index(collection: name, error)
        }
        collection.writer.ramBudgetBytes = options.bulkRAMBudgetBytes
        guard let filled = try fill(collection) else {
            collection.writer.waitForMerges()
            return nil
        }
        do throws(IndexError) {
            try collection.writer.commit(userData: [Self.eventIDKey: String(position.rawValue)])
            try location.swap(to: collection.writer.directory)
        } catch {
            throw .index(collection: name, error)
        }
        collection.writer.ramBudgetBytes = options.writerOptions.ramBudgetBytes
        let rebuilt = OpenCollection(writer: collection.writer, mapping: filled)
        open[key] = rebuilt
        return rebuilt
    }

    /// The consumer fell behind retention: events it never saw are gone, so every index is
    /// rebuilt from the store and the checkpoint moved to the position read before the
    /// rebuild (changes after it come again as events; replaying them is harmless).
    private func recoverFromPruning() throws(IndexSyncError) {
        let position: OutboxEventID
        let tenants: [TenantRecord]
        do throws(StoreError) {
            position = try store.outboxPosition()
            tenants = try store.tenants()
        } catch {
            throw .store(error)
        }
        // The rebuilds hold every change of the batches not yet committed.
        pending = PendingCommit()
        for tenant in tenants {
            guard let tenantID = tenant.id else { continue }
            try rebuild(tenantID: tenantID)
        }
        do throws(StoreError) { try consumer.resetCheckpoint(to: position) } catch { throw .store(error) }
    }

    /// The tenant's scope; nil when the tenant is gone (its events have nothing left to index).
    private func scope(of tenantID: TenantID) throws(IndexSyncError) -> (any TenantStore)? {
        do throws(StoreError) {
            return try store.tenant(tenantID)
        } catch .notFound {
            return nil
        } catch {
            throw .store(error)
        }
    }

    private struct ItemPayload: Decodable { let contentType: String }
    private static func decode<T: Decodable>(_ payload: String, as type: T.Type) -> T? {
        try? JSONDecoder().decode(type, from: Data(payload.utf8))
    }
    private struct TypePayload: Decodable { let name: String }
}
