// What this measures: the record store's product writes and reads on a real SQLite file (WAL,
// synchronous = FULL, so every commit is an fsync): inserting products one transaction each,
// inserting them 1,000 to a transaction, and point reads by id through the tenant scope. Each
// insert is a product row plus its audit entry. Throughput is products (or reads) per second;
// the products written and read are counted so the work cannot be skipped.
import Benchmark
import Foundation
import TalyStore

func temporaryStore() -> (directory: String, store: Store, scope: TenantScope) {
    let directory = NSTemporaryDirectory() + "taly-bench-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let store = try! Store(path: directory + "/taly.sqlite")
    let tenant = try! store.createTenant(name: "bench", adminEmail: "bench@example.com")
    return (directory, store, try! store.tenant(tenant.tenant.id!))
}

func draft(_ index: Int) -> ProductDraft {
    try! ProductDraft(
        sku: "SKU-\(index)", title: "Product number \(index)", description: "A product used by the benchmark.",
        price: try! Money(amount: Int64(100 + index % 9_000), currency: "EUR"),
        attributes: ["color": .string(index % 2 == 0 ? "red" : "blue"), "size": .integer(Int64(index % 50))],
        status: .active)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 5
    )

    let singleCount = 500
    Benchmark("insert \(singleCount) products, one transaction each") { benchmark in
        for _ in benchmark.scaledIterations {
            let (directory, store, scope) = temporaryStore()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            benchmark.startMeasurement()
            for index in 0..<singleCount { _ = try scope.createProduct(draft(index), by: .system) }
            benchmark.stopMeasurement()
            let stored = try scope.products(limit: singleCount + 1).count
            precondition(stored == singleCount)
            _ = store
        }
    }

    let batchedCount = 50_000
    Benchmark("insert \(batchedCount) products, 1,000 per transaction") { benchmark in
        let drafts = (0..<batchedCount).map(draft)
        for _ in benchmark.scaledIterations {
            let (directory, store, scope) = temporaryStore()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            benchmark.startMeasurement()
            for start in stride(from: 0, to: batchedCount, by: 1_000) {
                _ = try scope.createProducts(Array(drafts[start..<(start + 1_000)]), by: .system)
            }
            benchmark.stopMeasurement()
            let stored = try scope.products(limit: batchedCount + 1).count
            precondition(stored == batchedCount)
            _ = store
        }
    }

    let readCount = 100_000
    Benchmark("\(readCount) point reads of products by id") { benchmark in
        let (directory, store, scope) = temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ids = try scope.createProducts((0..<10_000).map(draft), by: .system).map { $0.id! }
        var generator = SystemRandomNumberGenerator()
        let order = (0..<readCount).map { _ in ids[Int.random(in: 0..<ids.count, using: &generator)] }
        for _ in benchmark.scaledIterations {
            var found = 0
            benchmark.startMeasurement()
            for id in order {
                if try scope.product(id).id == id { found += 1 }
            }
            benchmark.stopMeasurement()
            precondition(found == readCount)
        }
        _ = store
    }
}
