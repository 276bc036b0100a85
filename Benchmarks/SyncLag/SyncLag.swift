// Publish → searchable lag of the index-sync worker, measured outside the test suite (a timed
// test would be flaky on shared cores). Build in release and run:
//   swift run -c release sync-lag [items]
// Two phases on a real store file and real indexes in a temporary folder:
// - idle: one publish at a time, the next once the previous is applied;
// - load: a writer publishes back to back while the worker runs.
// Lag = from the start of the publishing call (its transaction and fsync included) until the
// worker has committed the index and acknowledged the event: the item is then searchable.
import Foundation
import Synchronization
import TalyIndex
import TalyIngest
import TalyStore

@main
struct SyncLag {
    static func main() async throws {
        let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 500 : 500
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("taly-sync-lag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Store(path: folder.appendingPathComponent("taly.sqlite").path)
        let bootstrap = try store.createTenant(name: "lag", adminEmail: "owner@example.com")
        let scope = try store.tenant(bootstrap.tenant.id!)
        let type = try scope.createContentType(
            name: "article", displayName: "Article",
            fields: [
                ContentFieldDefinition(name: "body", type: .text, searchable: true),
                ContentFieldDefinition(name: "category", type: .keyword, filterable: true, facetable: true),
            ], by: .system)
        let worker = try IndexSyncWorker(store: store, root: folder.appendingPathComponent("data").path)
        let loop = Task { try await worker.run() }

        @Sendable func publish(_ index: Int) throws -> OutboxEventID {
            let draft = try scope.createContentItem(
                of: type.id!,
                ContentItemDraft(
                    title: "Item \(index)",
                    fields: [
                        "body": .string("words of item \(index) for the lag run"), "category": .string("c\(index % 7)"),
                    ]),
                by: .system)
            _ = try scope.publishContentItem(draft.id!, expectedVersion: draft.version, by: .system)
            return try store.outboxPosition()
        }

        var idle: [Double] = []
        var writes: [Double] = []
        for index in 0..<count {
            let start = ContinuousClock.now
            let eventID = try publish(index)
            writes.append(milliseconds(ContinuousClock.now - start))
            while (worker.appliedEventID(tenantID: scope.tenantID)?.rawValue ?? 0) < eventID.rawValue {
                try await Task.sleep(for: .microseconds(100))
            }
            idle.append(milliseconds(ContinuousClock.now - start))
        }
        report("idle: store writes alone (create + publish, two fsynced transactions)", writes)
        report("idle: publish → searchable (one publish at a time)", idle)

        let started = Mutex<[(eventID: Int64, start: ContinuousClock.Instant)]>([])
        let writer = Task.detached {
            for index in 0..<count {
                let start = ContinuousClock.now
                let eventID = try publish(count + index)
                started.withLock { $0.append((eventID.rawValue, start)) }
            }
        }
        var loaded: [Double] = []
        var seen = 0
        while loaded.count < count {
            let applied = worker.appliedEventID(tenantID: scope.tenantID)?.rawValue ?? 0
            let now = ContinuousClock.now
            started.withLock { entries in
                while seen < entries.count, entries[seen].eventID <= applied {
                    loaded.append(milliseconds(now - entries[seen].start))
                    seen += 1
                }
            }
            try await Task.sleep(for: .microseconds(200))
        }
        try await writer.value
        report("load (publishing back to back, \(count) items)", loaded)
        let differences = try worker.verify(tenantID: scope.tenantID)
        print("verify: \(differences.count) differences")
        loop.cancel()
        try await loop.value
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func report(_ phase: String, _ lags: [Double]) {
        let sorted = lags.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        func text(_ value: Double) -> String { String(format: "%.2f ms", value) }
        print(
            "\(phase): n=\(sorted.count) p50=\(text(percentile(0.5))) p99=\(text(percentile(0.99)))"
                + " max=\(text(sorted.last ?? 0))")
    }
}
