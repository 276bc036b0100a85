// Publish → searchable lag of the index-sync worker, measured outside the test suite (a timed
// test would be flaky on shared cores): `cd Benchmarks && swift run -c release SyncLag [items]
// [--other-store]` (a plain executable of the benchmarks package, not a package-benchmark suite).
// `--other-store`: the publishes go through a second `Store` on the same file, whose commits the
// worker's store learns of as another process's would (no in-process notification): a
// `taly serve` or `taly ingest` beside a `taly worker`.
// Phases, on a real store file and real indexes in a temporary folder:
// - idle: one publish at a time, the next once the previous is applied;
// - load: a writer publishes back to back, then every 20 ms, while the worker runs;
// - catch-up: a backlog of publishes drained in batches (throughput).
// Lag = from the start of the publishing calls (create + publish, two fsynced transactions)
// until the worker has committed the index and acknowledged the event: then it is searchable.
import Foundation
import Synchronization
import TalyIndex
import TalyIngest
import TalyStore

@main
struct SyncLag {
    static func main() async throws {
        let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 500 : 500
        let otherStore = CommandLine.arguments.contains("--other-store")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("taly-sync-lag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Store(path: folder.appendingPathComponent("taly.sqlite").path)
        let bootstrap = try store.createTenant(name: "lag", adminEmail: "owner@example.com")
        let writerStore = otherStore ? try Store(path: store.path) : store
        let scope = try writerStore.tenant(bootstrap.tenant.id!)
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
            return try writerStore.outboxPosition()
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

        // Back to back (saturation on this machine), then paced at 50 publishes/s.
        for (phase, pause) in [("back to back", Duration.zero), ("every 20 ms", Duration.milliseconds(20))] {
            let first = count * (phase == "back to back" ? 1 : 3)
            let started = Mutex<[(eventID: Int64, start: ContinuousClock.Instant)]>([])
            let writer = Task.detached {
                for index in 0..<count {
                    let start = ContinuousClock.now
                    let eventID = try publish(first + index)
                    started.withLock { $0.append((eventID.rawValue, start)) }
                    if pause > .zero { try await Task.sleep(for: pause) }
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
            report("load, publishing \(phase) (\(count) items)", loaded)
        }
        let differences = try worker.verify(tenantID: scope.tenantID)
        print("verify: \(differences.count) differences")
        loop.cancel()
        try await loop.value

        // Throughput without a concurrent writer: a backlog of publishes applied in batches.
        for index in 0..<count { _ = try publish(2 * count + index) }
        let catchUpStart = ContinuousClock.now
        let applied = try await worker.drain()
        let seconds = milliseconds(ContinuousClock.now - catchUpStart) / 1000
        print(
            "catch-up: \(applied) events (\(count) publishes) in "
                + String(format: "%.2f s, %.0f publishes/s", seconds, Double(count) / seconds))
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
