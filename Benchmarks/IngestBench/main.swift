import Foundation
import TalyIndex
import TalyIngest
import TalyStore

extension BulkIngestTarget {
    var collection: SearchCollection {
        switch self {
        case .products: .products
        case .content(let type): .content(typeName: type.name)
        }
    }
}

// Measures the bulk ingest pipeline end to end (read, decompress, parse, validate, write with
// revisions, audit and outbox) on a fresh store, the way `taly ingest` runs it, without building
// the HTTP stack. Usage:
//   ingest-bench STORE_PATH products|doc FILE [--batch-size N] [--threads N] [--mode M] [--validate-only]
//       [--parser-nice N] [--index live|live-poll|drain|rebuild] [--sync-batch N] [--index-threads N]
//       [--stored-level N]
// `--parser-nice`: how much the parser threads yield (`BulkIngestPipeline.Options.parserNiceness`;
// 0 runs them at the writer's priority).
// `doc` is a content type created here for the debian-docs slice (see ingest-convert.py).
// `--index` adds the search side, indexes under STORE_PATH.indexes: `live` runs the index-sync
// worker during the ingest and times until every record is searchable (store + index end to
// end; `live-poll` the same with the worker polling, as from another process); `drain` applies the outbox after the ingest; `rebuild` rebuilds the tenant's indexes.

let arguments = CommandLine.arguments
guard arguments.count >= 4 else {
    FileHandle.standardError.write(
        Data("usage: ingest-bench STORE products|doc FILE [--batch-size N] [--threads N] [--mode M]\n".utf8))
    exit(1)
}
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let store = try Store(path: arguments[1])
let scope: TenantScope
if let existing = try? store.tenant(named: "bench") {
    scope = existing
} else {
    scope = try store.tenant(try store.createTenant(name: "bench", adminEmail: "bench@example.com").tenant.id!)
}
let target: BulkIngestTarget
if arguments[2] == "products" {
    target = .products
} else if let type = try scope.contentType(named: arguments[2]) {
    target = .content(type)
} else {
    let fields = [
        ContentFieldDefinition(name: "body", type: .richText, searchable: true),
        ContentFieldDefinition(name: "source", type: .keyword, facetable: true),
        ContentFieldDefinition(name: "package", type: .keyword, facetable: true),
        ContentFieldDefinition(name: "lang", type: .keyword, facetable: true),
        ContentFieldDefinition(name: "section", type: .keyword, facetable: true),
        ContentFieldDefinition(name: "path", type: .text),
    ]
    target = .content(try scope.createContentType(name: arguments[2], displayName: "Doc", fields: fields, by: .system))
}

final class CountingSink: BulkIngestSink {
    var rejects: [String: Int] = [:]
    func batchWillCommit(_ results: [BulkRecordResult]) throws -> Int64 {
        for result in results {
            if case .rejected(let field, _) = result.outcome { rejects[field, default: 0] += 1 }
        }
        return 0
    }
    func batchDidCommit(_ results: [BulkRecordResult], summary: BulkIngestSummary) {}
}

let descriptor = open(arguments[3], O_RDONLY)
guard descriptor >= 0 else { fatalError("cannot open \(arguments[3])") }
let options = BulkIngestPipeline.Options(
    mode: BulkWriteMode(rawValue: option("--mode") ?? "upsert") ?? .upsert,
    batchSize: Int(option("--batch-size") ?? "") ?? 2000,
    parallelism: Int(option("--threads") ?? "") ?? ProcessInfo.processInfo.activeProcessorCount,
    validateOnly: arguments.contains("--validate-only"),
    parserNiceness: Int32(option("--parser-nice") ?? "") ?? BulkIngestPipeline.Options().parserNiceness)
let sink = CountingSink()
let indexMode = option("--index")
// `--index-threads`: the analysis threads of each collection's writer (the worker's default is one).
// `--stored-level`: the zstd level of its stored documents (default zstd's 3).
let syncOptions = IndexSyncWorker.Options(
    batchSize: Int(option("--sync-batch") ?? "") ?? IndexSyncWorker.Options().batchSize,
    writerOptions: IndexWriterOptions(
        ramBudgetBytes: IndexSyncWorker.Options().writerOptions.ramBudgetBytes,
        indexingThreads: max(1, Int(option("--index-threads") ?? "") ?? 1),
        storedCompressionLevel: Int32(option("--stored-level") ?? "") ?? Zstd.defaultLevel))
// `live-poll`: the worker on a Store of its own, as `taly serve`'s worker beside a `taly ingest`
// process: no in-process wake-up per committed batch; it sees the commits through SQLite's data
// version, checked every 20 ms while it waits (it polled every second before).
let worker = try indexMode.map { mode in
    try IndexSyncWorker(
        store: mode == "live-poll" ? try Store(path: arguments[1]) : store, root: arguments[1] + ".indexes",
        options: syncOptions)
}
// Detached: top-level code runs on the main actor, which the synchronous pipeline below holds
// until the load ends, so a plain `Task` would start the worker only then (store, then index).
let live = indexMode?.hasPrefix("live") == true ? Task.detached { [worker] in try await worker!.run() } : nil
let ingestStart = ContinuousClock.now
let summary = try BulkIngestPipeline(scope: scope, target: target, options: options).run(
    try DecompressingSource(FileDescriptorSource(descriptor: descriptor)), checkpointKey: "bench", sink: sink)
print(
    String(
        format:
            "%@: %lld records (%lld created, %lld updated, %lld unchanged, %lld rejected) in %.2f s: %.0f records/s, %.1f MB/s",
        arguments[3], summary.records, summary.created, summary.updated, summary.unchanged, summary.rejected,
        summary.elapsed, summary.rate, Double(summary.rawBytes) / summary.elapsed / 1e6))
if !sink.rejects.isEmpty { print("rejected by field: \(sink.rejects.sorted { $0.value > $1.value })") }
if let indexMode, !indexMode.hasPrefix("live") {
    let started = ContinuousClock.now
    if indexMode == "drain" {
        let events = try await worker!.drain()
        report("drain: \(events) events", count: events, since: started)
    } else {
        try await worker!.rebuild(tenantID: scope.tenantID)
        let documents =
            try worker!.location(tenantID: scope.tenantID, collection: target.collection).openReader()?
            .documentCount ?? 0
        report("rebuild: \(documents) documents", count: documents, since: started)
    }
} else if let worker {
    // Searchable once the worker applied the last event the ingest wrote.
    let last = try store.outboxPosition()
    while (worker.appliedEventID(tenantID: scope.tenantID)?.rawValue ?? 0) < last.rawValue {
        try await Task.sleep(for: .milliseconds(2))
    }
    live?.cancel()
    report("store + index (live worker): \(summary.records) records", count: Int(summary.records), since: ingestStart)
}

func report(_ what: String, count: Int, since start: ContinuousClock.Instant) {
    let seconds =
        Double((ContinuousClock.now - start).components.attoseconds) / 1e18
        + Double((ContinuousClock.now - start).components.seconds)
    print(String(format: "%@ in %.2f s: %.0f per second", what, seconds, Double(count) / seconds))
}
