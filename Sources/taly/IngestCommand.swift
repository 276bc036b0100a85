import ArgumentParser
import Foundation
import TalyIngest
import TalyStore

/// `taly ingest`: bulk-load content items or products into a tenant's record store.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Bulk-load content items of one type, or products, from JSON Lines, JSON arrays or CSV.",
        discussion: """
            FILE is read as it is or decompressed (gzip, zstd: told by the first bytes); `-` is \
            standard input. Content records are flat objects: slug (the external id), title, \
            optional publish_at, and the type's fields; products use the API's JSON shape \
            (sku, title, description, price {amount, currency}, attributes, status). CSV has a \
            header row of those names (products: price.amount, price.currency, attributes.NAME); \
            list cells separate their values with |. Invalid records go to FILE.rejects.jsonl. \
            A run stopped by Ctrl-C or a crash resumes where it stopped when started again on the \
            same file. Exit status: 0, 1 on an error, 2 when records were rejected (unless \
            --allow-rejects).
            """
    )
    @OptionGroup var data: DataDirectoryOption
    @Option(help: "The tenant's name.")
    var tenant: String
    @Option(name: .customLong("type"), help: "The content type's name, or `products`.")
    var type: String
    @Option(help: "insert (new records only), upsert (merge fields into existing ones) or replace.")
    var mode: String = "upsert"
    @Option(help: "auto, jsonl, json or csv.")
    var format: String = "auto"
    @Option(help: "Records per transaction.")
    var batchSize: Int = 2000
    @Option(help: "Parser threads (default: the machine's cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Parse and validate only: write nothing to the store (rejects are still listed).")
    var dryRun = false
    @Flag(help: "Exit with status 0 even when records were rejected.")
    var allowRejects = false
    @Argument(help: "Input files; - for standard input.")
    var files: [String]

    func run() throws {
        guard let mode = BulkWriteMode(rawValue: mode) else { fail("--mode must be insert, upsert or replace") }
        guard let format = BulkInputFormat(rawValue: format) else { fail("--format must be auto, jsonl, json or csv") }
        guard (1...BulkIngestPipeline.Options.maximumBatchSize).contains(batchSize), threads >= 1 else {
            fail("--batch-size must be 1 to \(BulkIngestPipeline.Options.maximumBatchSize) and --threads positive")
        }
        guard !files.isEmpty else { fail("name at least one FILE (- for standard input)") }
        let store = openStore(data)
        let scope = orFail { () throws(StoreError) in try store.tenant(named: tenant) }
        let target: BulkIngestTarget
        if type == "products" {
            target = .products
        } else {
            guard let found = orFail({ () throws(StoreError) in try scope.contentType(named: type) }) else {
                fail("tenant \(tenant) has no content type \(type)")
            }
            target = .content(found)
        }
        let pipeline = BulkIngestPipeline(
            scope: scope, target: target,
            options: .init(
                mode: mode, format: format, batchSize: batchSize, parallelism: threads, validateOnly: dryRun))
        var rejectedAny = false
        for file in files {
            let summary = ingest(file, scope: scope, target: target, mode: mode, pipeline: pipeline)
            rejectedAny = rejectedAny || summary.rejected > 0
        }
        if rejectedAny && !allowRejects { throw ExitCode(2) }
    }

    private func ingest(
        _ file: String, scope: any TenantStore, target: BulkIngestTarget, mode: BulkWriteMode,
        pipeline: BulkIngestPipeline
    ) -> BulkIngestSummary {
        let descriptor = file == "-" ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { fail("cannot open \(file): \(String(cString: strerror(errno)))") }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        let key = IngestInputKey.make(
            tenant: scope.tenantID, target: target, mode: mode, descriptor: descriptor)
        let checkpoint = key.flatMap { key in
            orFail { () throws(StoreError) in try scope.ingestCheckpoint(inputKey: key) }
        }
        let rejectPath = RejectFile.path(forInput: file)
        if let checkpoint {
            printError("resuming \(file) after \(checkpoint.recordsDone) records committed by an earlier run")
        } else {
            try? FileManager.default.removeItem(atPath: rejectPath)
        }
        var status = stat()
        let totalBytes =
            fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : nil
        let sink = CommandSink(
            rejectPath: rejectPath, resumeLength: checkpoint?.rejectsBytes ?? 0,
            progress: ProgressLine(unit: "records", totalBytes: totalBytes))
        let source = orFail { () throws(BulkIngestError) in
            try DecompressingSource(FileDescriptorSource(descriptor: descriptor))
        }
        let summary = orFail { () throws(BulkIngestError) in try pipeline.run(source, checkpointKey: key, sink: sink) }
        sink.progress.finish(count: Int(summary.records - summary.resumedAt), bytes: summary.rawBytes)
        let written =
            dryRun
            ? "\(summary.valid) valid, nothing written"
            : "\(summary.created) created, \(summary.updated) updated, \(summary.unchanged) unchanged"
        print(
            "\(file): \(summary.accepted) accepted (\(written)), \(summary.rejected) rejected, "
                + String(format: "%.2f s, %.0f records/s", summary.elapsed, summary.rate))
        if summary.rejected > 0 { print("rejected records are in \(rejectPath)") }
        return summary
    }
}

/// Appends rejects to the reject file (opened at the first one, or at once when resuming a run
/// that had some) and reports progress.
private final class CommandSink: BulkIngestSink {
    let rejectPath: String
    let resumeLength: Int64
    let progress: ProgressLine
    private var rejectFile: RejectFile?

    init(rejectPath: String, resumeLength: Int64, progress: ProgressLine) {
        self.rejectPath = rejectPath
        self.resumeLength = resumeLength
        self.progress = progress
    }

    func batchWillCommit(_ results: [BulkRecordResult]) throws -> Int64 {
        if rejectFile == nil {
            let hasReject = results.contains { if case .rejected = $0.outcome { true } else { false } }
            guard hasReject || resumeLength > 0 else { return 0 }
            rejectFile = try RejectFile(path: rejectPath, truncatingTo: resumeLength)
        }
        return try rejectFile!.append(results)
    }

    func batchDidCommit(_ results: [BulkRecordResult], summary: BulkIngestSummary) {
        progress.update(count: Int(summary.records - summary.resumedAt), bytes: summary.rawBytes)
    }
}
