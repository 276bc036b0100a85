// What this measures: TalyStore's content items through its public API (`TenantScope`) on a
// file-backed SQLite database (GRDB DatabasePool: WAL, `synchronous = FULL`, so every commit is
// fsynced) in a temporary directory: creating items with their revision, audit entry and outbox
// event, one transaction per item and 100 or 1,000 items per transaction; and point reads by id.
// One tenant and one content type (a required searchable text body of about 300 characters and a
// facetable keyword category) are created before the measurements, and 10,000 items to read
// from. Every created item gets a unique title, so its slug is free at the first try.
import Benchmark
import Foundation
import Synchronization
import TalyStore

struct Fixture: Sendable {
    let scope: TenantScope
    let type: ContentTypeID
    let readIDs: [ContentItemID]
}

let readCount = 1000
let nextTitle = Atomic<Int>(0)

func drafts(_ count: Int) -> [ContentItemDraft] {
    let first = nextTitle.add(count, ordering: .relaxed).oldValue
    return (first..<(first + count)).map { number in
        ContentItemDraft(
            title: "Article \(number)",
            fields: [
                "body": .string(
                    String(repeating: "Body text of article \(number), written for the benchmark. ", count: 5)),
                "category": .string("category-\(number % 20)"),
            ])
    }
}

let fixture: Fixture = {
    let directory = NSTemporaryDirectory() + "taly-bench-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let store = try! Store(path: directory + "/taly.sqlite")
    let tenant = try! store.createTenant(name: "bench", adminEmail: "admin@example.com")
    let scope = try! store.tenant(tenant.tenant.id!)
    let type = try! scope.createContentType(
        name: "article", displayName: "Article",
        fields: [
            ContentFieldDefinition(name: "body", type: .text, required: true, searchable: true),
            ContentFieldDefinition(
                name: "category", type: .keyword, searchable: true, filterable: true, facetable: true),
        ], by: .system)
    var ids: [ContentItemID] = []
    for _ in 0..<10 {
        ids += try! scope.createContentItems(of: type.id!, drafts(1000), by: .system).map { $0.id! }
    }
    // A fixed pseudo-random order, so reads do not walk the table in insertion order.
    var state: UInt64 = 7
    var readIDs: [ContentItemID] = []
    for _ in 0..<readCount {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        readIDs.append(ids[Int((state >> 33) % UInt64(ids.count))])
    }
    return Fixture(scope: scope, type: type.id!, readIDs: readIDs)
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 1000)

    Benchmark("create 1 content item (+ revision, audit entry, outbox event), one transaction") { benchmark in
        for _ in benchmark.scaledIterations {
            let draft = drafts(1)[0]
            benchmark.startMeasurement()
            let item = try fixture.scope.createContentItem(of: fixture.type, draft, by: .system)
            benchmark.stopMeasurement()
            precondition(item.version == 1)
        }
    }

    for batch in [100, 1000] {
        Benchmark("create \(batch) content items in one transaction (createContentItems)") { benchmark in
            for _ in benchmark.scaledIterations {
                let batchDrafts = drafts(batch)
                benchmark.startMeasurement()
                let items = try fixture.scope.createContentItems(of: fixture.type, batchDrafts, by: .system)
                benchmark.stopMeasurement()
                precondition(items.count == batch)
            }
        }
    }

    Benchmark("read \(readCount) content items by id (contentItem(_:)), one read transaction each") { benchmark in
        for _ in benchmark.scaledIterations {
            var versions: Int64 = 0
            for id in fixture.readIDs {
                versions += try fixture.scope.contentItem(id).version
            }
            precondition(versions == Int64(readCount))
        }
    }
}
