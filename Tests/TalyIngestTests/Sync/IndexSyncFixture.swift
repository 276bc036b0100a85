import Foundation
import Synchronization
import TalyIndex
import TalyIngest
import TalyStore
import TalyTestSupport

/// A clock that moves only when a test says so (outbox retention without sleeping).
final class SyncTestClock: StoreClock {
    private let current = Mutex(Date(timeIntervalSince1970: 1_750_000_000))

    func now() -> Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A real store file and a data root in one temporary directory, with an `article` type in a
/// tenant `acme`.
struct IndexSyncFixture {
    let directory: TemporaryDirectory
    let clock = SyncTestClock()
    let store: Store
    let acme: TenantScope
    let article: ContentTypeRecord

    static let articleFields: [ContentFieldDefinition] = [
        ContentFieldDefinition(name: "body", type: .richText, required: true, searchable: true),
        ContentFieldDefinition(
            name: "category", type: .keyword, searchable: true, filterable: true, facetable: true, sortable: true),
        ContentFieldDefinition(name: "rating", type: .number, filterable: true, sortable: true),
        ContentFieldDefinition(name: "event_date", type: .date, filterable: true),
        ContentFieldDefinition(name: "featured", type: .boolean, facetable: true),
        ContentFieldDefinition(name: "tags", type: .list(.keyword), searchable: true, filterable: true),
        ContentFieldDefinition(name: "internal_note", type: .text),
    ]

    var root: String { directory.path("data") }

    init(retention: TimeInterval = OutboxEvent.defaultRetention) throws {
        directory = try TemporaryDirectory()
        store = try Store(path: directory.path("taly.sqlite"), clock: clock, outboxRetention: retention)
        acme = try Self.tenant("acme", in: store)
        article = try acme.createContentType(
            name: "article", displayName: "Article", fields: Self.articleFields, by: .system)
    }

    static func tenant(_ name: String, in store: Store) throws -> TenantScope {
        let bootstrap = try store.createTenant(name: name, adminEmail: "owner@example.com")
        return try store.tenant(bootstrap.tenant.id!)
    }

    func worker(
        batchSize: Int = 500, commitInterval: Duration = .seconds(1),
        beforeAcknowledge: (@Sendable (OutboxEventID) -> Bool)? = nil
    ) throws -> IndexSyncWorker {
        try IndexSyncWorker(
            store: store, root: root,
            options: IndexSyncWorker.Options(
                batchSize: batchSize, pollInterval: .seconds(1), commitInterval: commitInterval),
            beforeAcknowledge: beforeAcknowledge)
    }

    /// A published article with `body`, returned at its current version.
    @discardableResult
    func publishedArticle(_ title: String, body: String, in scope: TenantScope? = nil, type: ContentTypeRecord? = nil)
        throws -> ContentItemRecord
    {
        let scope = scope ?? acme
        let draft = try scope.createContentItem(
            of: (type ?? article).id!, ContentItemDraft(title: title, fields: ["body": .string(body)]), by: .system)
        return try scope.publishContentItem(draft.id!, expectedVersion: draft.version, by: .system)
    }

    /// The ids the collection's current index returns for `text` (forgiving syntax, all hits).
    func search(
        _ text: String, tenant: TenantScope? = nil, type: String = "article", collection: SearchCollection? = nil
    ) throws -> [String] {
        let location = CollectionIndexLocation(
            root: root, tenantID: (tenant ?? acme).tenantID, collection: collection ?? .content(typeName: type))
        guard let reader = try location.openReader() else { return [] }
        return try Self.search(text, in: reader)
    }

    static func search(_ text: String, in reader: IndexReader) throws -> [String] {
        let hits = try IndexSearcher(reader: reader).search(QueryParser().parseForgiving(text), limit: 1000).hits
        return try hits.map { hit in
            guard case .keyword(let ids)? = try reader.segments[hit.segment].storedFields(hit.document)["id"] else {
                return "?"
            }
            return ids[0]
        }
    }

    /// Every live id of the collection's current index with its version, and the number of live
    /// documents (more documents than ids would be a duplicate).
    func indexContents(
        tenant: TenantScope? = nil, type: String = "article", collection: SearchCollection? = nil
    ) throws -> (versions: [String: Int64], documents: Int) {
        let location = CollectionIndexLocation(
            root: root, tenantID: (tenant ?? acme).tenantID, collection: collection ?? .content(typeName: type))
        guard let reader = try location.openReader() else { return ([:], 0) }
        var versions: [String: Int64] = [:]
        for segment in reader.segments {
            for document in 0..<segment.documentCount where segment.isLive(document) {
                let stored = try segment.storedFields(document)
                guard case .keyword(let ids)? = stored["id"], case .int64(let version)? = stored["version"] else {
                    continue
                }
                versions[ids[0]] = version
            }
        }
        return (versions, reader.documentCount)
    }

    /// A product of `acme` (or `scope`) priced in euros.
    @discardableResult
    func product(
        _ sku: String, title: String, description: String = "", cents: Int64 = 1000,
        attributes: [String: AttributeValue] = [:], status: ProductStatus = .active, in scope: TenantScope? = nil
    ) throws -> ProductRecord {
        try (scope ?? acme).createProduct(
            ProductDraft(
                sku: sku, title: title, description: description, price: Money(amount: cents, currency: "EUR"),
                attributes: attributes, status: status),
            by: .system)
    }
}
