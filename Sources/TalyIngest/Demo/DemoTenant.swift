import Foundation
import TalyStore

/// The demo tenant `taly serve --demo` loads on a first start: real products and articles from
/// `fixtures/demo/` (see its README), written through the same store calls and bulk ingest
/// pipeline as `taly admin create-tenant` and `taly ingest`, so the demo shows the product as it is.
public enum DemoTenant {
    /// The tenant's name.
    public static let name = "demo"
    /// The owner account's email address.
    public static let ownerEmail = "admin@demo.example"
    /// The content type of the articles.
    public static let articleType = "article"
    /// The fixture of products, in `taly ingest --type products` records.
    public static let productsFile = "products.jsonl.gz"
    /// The fixture of articles, in `taly ingest --type article` records.
    public static let articlesFile = "articles.jsonl.gz"

    /// The article type's fields: the ones `Benchmarks/ingest-convert.py doc` writes. Titles are
    /// searchable and `published_at` sortable in every content index already.
    public static let articleFields: [ContentFieldDefinition] = [
        ContentFieldDefinition(name: "body", type: .richText, searchable: true),
        ContentFieldDefinition(name: "package", type: .keyword, filterable: true, facetable: true),
        ContentFieldDefinition(name: "section", type: .keyword, filterable: true, facetable: true),
        ContentFieldDefinition(name: "lang", type: .keyword, filterable: true, facetable: true),
        ContentFieldDefinition(name: "source", type: .keyword, filterable: true, facetable: true),
        ContentFieldDefinition(name: "path", type: .text),
    ]

    /// What a first start created: the login (shown once, stored only as hashes) and the counts.
    public struct Created: Sendable {
        /// The tenant, its owner, password and admin API key, from `Store.createTenant`.
        public let bootstrap: TenantBootstrap
        /// The products fixture's ingest counters.
        public let products: BulkIngestSummary
        /// The articles fixture's ingest counters.
        public let articles: BulkIngestSummary
        /// Articles published after the ingest.
        public let publishedArticles: Int
        /// The first rejected record of either fixture (`file:line field: reason`), nil when none.
        public let firstReject: String?
    }

    /// What `loadIfFirstStart` did.
    public enum Outcome: Sendable {
        /// The data directory had no tenant: the demo tenant was created and loaded.
        case created(Created)
        /// The demo tenant was loaded by an earlier start; nothing was written.
        case alreadyLoaded
        /// The data directory holds other tenants (a real deployment): nothing was written.
        case skipped(tenants: Int)
    }

    /// Checks that both fixtures are readable in `fixtures`, whatever the store holds, so a
    /// wrong directory fails before the server starts rather than on a first start only.
    public static func checkFixtures(in fixtures: String) throws(DemoTenantError) {
        for file in [productsFile, articlesFile] {
            let path = (fixtures as NSString).appendingPathComponent(file)
            guard FileManager.default.isReadableFile(atPath: path) else { throw .fixtureMissing(path: path) }
        }
    }

    /// On a store without tenants, creates tenant ``name`` with its owner and admin key, the
    /// ``articleType`` content type, ingests both fixtures (upsert, as `taly ingest`) and publishes
    /// the articles; otherwise writes nothing.
    ///
    /// Not one transaction: a process killed midway leaves a partial demo tenant, which later
    /// starts report as loaded (delete the data directory to start over).
    public static func loadIfFirstStart(store: any RecordStore, fixtures: String) throws(DemoTenantError) -> Outcome {
        try checkFixtures(in: fixtures)
        let tenants: [TenantRecord]
        do { tenants = try store.tenants() } catch { throw .store(error) }
        if tenants.contains(where: { $0.name == name }) { return .alreadyLoaded }
        guard tenants.isEmpty else { return .skipped(tenants: tenants.count) }
        let bootstrap: TenantBootstrap
        let scope: any TenantStore
        let type: ContentTypeRecord
        do {
            bootstrap = try store.createTenant(name: name, adminEmail: ownerEmail)
            guard let tenantID = bootstrap.tenant.id else { preconditionFailure("a created tenant has an id") }
            scope = try store.tenant(tenantID)
            type = try scope.createContentType(
                name: articleType, displayName: "Article", fields: articleFields, by: .system)
        } catch {
            throw .store(error)
        }
        let sink = FirstRejectSink()
        let products = try ingest(fixtures, productsFile, into: scope, target: .products, sink: sink)
        let articles = try ingest(fixtures, articlesFile, into: scope, target: .content(type), sink: sink)
        var published = 0
        do {
            // The articles' publish_at is past: the store's scheduled publishing takes them all.
            var batch = 0
            repeat {
                batch = try scope.publishDueContentItems().count
                published += batch
            } while batch > 0
        } catch {
            throw .store(error)
        }
        return .created(
            Created(
                bootstrap: bootstrap, products: products, articles: articles, publishedArticles: published,
                firstReject: sink.firstReject))
    }

    private static func ingest(
        _ fixtures: String, _ file: String, into scope: any TenantBulkWrites, target: BulkIngestTarget,
        sink: FirstRejectSink
    ) throws(DemoTenantError) -> BulkIngestSummary {
        let path = (fixtures as NSString).appendingPathComponent(file)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fixtureMissing(path: path) }
        defer { close(descriptor) }
        sink.file = file
        let pipeline = BulkIngestPipeline(scope: scope, target: target, options: .init(mode: .upsert))
        do {
            return try pipeline.run(
                try DecompressingSource(FileDescriptorSource(descriptor: descriptor)), checkpointKey: nil, sink: sink)
        } catch {
            throw .ingest(path: path, error)
        }
    }
}

/// Why the demo tenant could not be loaded; each case renders as one line naming the problem.
public enum DemoTenantError: Error, CustomStringConvertible {
    /// A fixture file is missing or unreadable.
    case fixtureMissing(path: String)
    /// The store refused a step (tenant, content type, publishing).
    case store(StoreError)
    /// A fixture could not be ingested.
    case ingest(path: String, BulkIngestError)

    public var description: String {
        switch self {
        case .fixtureMissing(let path):
            "demo fixture \(path) is missing or unreadable (run from the repository root, or pass --demo-fixtures DIR)"
        case .store(let error): "demo tenant: \(error)"
        case .ingest(let path, let error): "demo fixture \(path): \(error)"
        }
    }
}

/// Keeps the first rejected record: the fixtures are expected to load whole, and one named
/// reject is enough to find a broken fixture.
private final class FirstRejectSink: BulkIngestSink {
    var file = ""
    private(set) var firstReject: String?

    func batchWillCommit(_ results: [BulkRecordResult]) throws -> Int64 {
        guard firstReject == nil else { return 0 }
        for result in results {
            if case .rejected(let field, let reason) = result.outcome {
                firstReject = "\(file):\(result.line) \(field): \(reason)"
                break
            }
        }
        return 0
    }

    func batchDidCommit(_ results: [BulkRecordResult], summary: BulkIngestSummary) {}
}
