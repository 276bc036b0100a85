import Foundation
import TalyStore

/// What happened to one input record.
public struct BulkRecordResult: Sendable {
    /// What the store did, or why the record was rejected.
    public enum Outcome: Sendable, Equatable {
        /// Created with this id.
        case created(Int64)
        /// The existing record with this id took the new values.
        case updated(Int64)
        /// The existing record with this id already held these values.
        case unchanged(Int64)
        /// Valid; not written (a validate-only run).
        case valid
        /// Not written: the field at fault and why.
        case rejected(field: String, reason: String)
    }

    /// The record's 0-based position among the input's records.
    public let ordinal: Int64
    /// The 1-based input line it starts on.
    public let line: Int
    /// The record's external id (content slug, product SKU) when it could be read.
    public let externalID: String?
    /// What happened.
    public let outcome: Outcome
    /// The record's bytes as read, for rejected records only (nil otherwise).
    public let original: [UInt8]?
}

/// Counters of a run (including what a resumed run's earlier attempts committed).
public struct BulkIngestSummary: Sendable, Equatable {
    /// Records created.
    public var created: Int64 = 0
    /// Existing records updated.
    public var updated: Int64 = 0
    /// Existing records already up to date.
    public var unchanged: Int64 = 0
    /// Records found valid by a validate-only run (nothing written).
    public var valid: Int64 = 0
    /// Records rejected.
    public var rejected: Int64 = 0
    /// Records done before this process started (from the checkpoint), 0 for a fresh run.
    public var resumedAt: Int64 = 0
    /// Bytes of input read by this process (compressed bytes for compressed input).
    public var rawBytes: Int = 0
    /// Seconds this process spent.
    public var elapsed: Double = 0

    /// Records written or found up to date.
    public var accepted: Int64 { created + updated + unchanged + valid }
    /// Every record consumed.
    public var records: Int64 { accepted + rejected }

    /// Records handled by this process per second.
    public var rate: Double { Double(records - resumedAt) / max(elapsed, 1e-9) }
}

/// Receives the results of each batch, in input order, on the pipeline's writer thread.
public protocol BulkIngestSink: AnyObject {
    /// Called inside the batch's transaction, before it commits: keep whatever must survive a
    /// crash together with the batch (the CLI appends rejects to its reject file) and return the
    /// reject file's new length, committed in the checkpoint (0 when there is none).
    func batchWillCommit(_ results: [BulkRecordResult]) throws -> Int64
    /// Called after the batch committed.
    func batchDidCommit(_ results: [BulkRecordResult], summary: BulkIngestSummary)
}

/// The bulk ingest pipeline: a reader thread decodes and cuts the input into records, parser
/// threads parse and validate them in parallel, and the calling thread puts the results back in
/// input order and writes them in batches, one transaction per batch with its checkpoint.
///
/// The CLI (`taly ingest`) and the HTTP bulk endpoint both drive this type; the input is any
/// `IngestByteSource`, the per-record results go to a `BulkIngestSink`.
public final class BulkIngestPipeline: Sendable {
    /// Options of a run.
    public struct Options: Sendable {
        /// What an existing external id means.
        public var mode: BulkWriteMode
        /// The input's framing.
        public var format: BulkInputFormat
        /// Records per transaction, at most `maximumBatchSize`.
        public var batchSize: Int
        /// The largest batch: the store looks a batch's external ids up in one query, and SQLite
        /// caps a statement's parameters.
        public static let maximumBatchSize = 10_000
        /// Parser threads.
        public var parallelism: Int
        /// How much the parser threads yield to the rest: their nice value is the writer's (the
        /// thread that runs the load) plus this, at most 19; 0 leaves them as they start.
        /// They only fill a queue ahead of the one writer thread, and on a machine with more
        /// runnable threads than cores an even share starved what bounds a load's end: the
        /// writer, and the index-sync worker beside it (two cores, worker live, medians of 7
        /// alternated runs end to end: pypi 74.2k → 82.1k records/s, debian-packages 32.4k →
        /// 34.6k, debian-docs 8.2k → 8.7k). With cores to spare it changes nothing. Lowering a
        /// thread's priority needs no privilege (raising it back would), so this is the default.
        public var parserNiceness: Int32
        /// Who the audit log names.
        public var actor: Actor
        /// Parse and validate only: nothing is written, no checkpoint is kept.
        public var validateOnly: Bool
        /// Whether content records may take effect in public (`publish_at`, changes to items that
        /// are not drafts): false for a caller without `content.publish`, whose such records are
        /// rejected (`TenantScope.bulkWriteContentItems`).
        public var mayPublish: Bool

        /// Options; parallelism defaults to the machine's cores.
        public init(
            mode: BulkWriteMode = .upsert, format: BulkInputFormat = .auto, batchSize: Int = 2000,
            parallelism: Int = ProcessInfo.processInfo.activeProcessorCount, actor: Actor = .system,
            validateOnly: Bool = false, mayPublish: Bool = true, parserNiceness: Int32 = 10
        ) {
            self.parserNiceness = min(max(0, parserNiceness), 19)
            self.validateOnly = validateOnly
            self.mayPublish = mayPublish
            self.mode = mode
            self.format = format
            self.batchSize = min(max(1, batchSize), Self.maximumBatchSize)
            self.parallelism = max(1, parallelism)
            self.actor = actor
        }
    }

    /// Only the bulk-write capability: the store is crossed once per batch, never per record.
    private let scope: any TenantBulkWrites
    private let target: BulkIngestTarget
    private let options: Options

    /// A pipeline writing `target` records into the tenant of `scope`.
    public init(scope: any TenantBulkWrites, target: BulkIngestTarget, options: Options) {
        self.scope = scope
        self.target = target
        self.options = options
    }

    /// Runs over `source` to its end. With `checkpointKey`, each batch commits a checkpoint
    /// under that key, and the records an earlier run of the same key committed are skipped
    /// (their counters carry over); the checkpoint is cleared at the end.
    public func run<Source: IngestByteSource>(
        _ source: Source, checkpointKey: String?, sink: some BulkIngestSink
    ) throws(BulkIngestError) -> BulkIngestSummary {
        let start = Date()
        var summary = BulkIngestSummary()
        if let checkpointKey {
            let previous: IngestCheckpoint?
            do { previous = try scope.ingestCheckpoint(inputKey: checkpointKey) } catch { throw .store(error) }
            if let previous {
                summary.created = previous.created
                summary.updated = previous.updated
                summary.unchanged = previous.unchanged
                summary.rejected = previous.rejected
                summary.resumedAt = previous.recordsDone
            }
        }
        let shared = PipelineShared(
            source: source, format: options.format, skip: summary.resumedAt, target: target,
            parallelism: options.parallelism, parserNiceness: options.parserNiceness, batchSize: options.batchSize,
            validateOnly: options.validateOnly)
        shared.start()
        defer { shared.cancel() }

        var pending: [Int: ParsedChunk] = [:]
        var nextSequence = 0
        var batch: [ParsedRecord] = []
        batch.reserveCapacity(options.batchSize)
        while let chunk = shared.results.take() {
            // Consumed: a copy left behind would share the records, and moving them out of the
            // chunk below would copy them all instead.
            let sequence = chunk.sequence
            pending[sequence] = consume chunk
            while var ready = pending.removeValue(forKey: nextSequence) {
                nextSequence += 1
                // Moved, not copied, into the batch: `for record in ready.records` copied each
                // record (a retain of each of its draft's strings) and released the chunk's
                // originals later (so did `reverse()` and `popLast()`: `swapAt` copies).
                var records = ready.takeRecords()
                for index in records.indices {
                    batch.append(records[index].take())
                    if batch.count == options.batchSize {
                        try write(
                            &batch, summary: &summary, key: checkpointKey, sink: sink, shared: shared, start: start)
                    }
                }
            }
        }
        if let error = shared.failure { throw error }
        if !batch.isEmpty {
            try write(&batch, summary: &summary, key: checkpointKey, sink: sink, shared: shared, start: start)
        }
        if let checkpointKey {
            do { try scope.clearIngestCheckpoint(inputKey: checkpointKey) } catch { throw .store(error) }
        }
        summary.rawBytes = shared.rawBytesRead
        summary.elapsed = Date().timeIntervalSince(start)
        return summary
    }

    private func write(
        _ batch: inout [ParsedRecord], summary: inout BulkIngestSummary, key: String?, sink: some BulkIngestSink,
        shared: PipelineShared, start: Date
    ) throws(BulkIngestError) {
        if options.validateOnly {
            try validate(&batch, summary: &summary, sink: sink, shared: shared, start: start)
            return
        }
        var contentDrafts: [ContentItemDraft] = []
        var productDrafts: [ProductDraft] = []
        // Each draft is moved out of its record: copying it retained each of its strings, and
        // released them again when the batch was emptied.
        for index in batch.indices {
            switch batch[index].takeValid() {
            case .content(let draft): contentDrafts.append(draft)
            case .product(let draft): productDrafts.append(draft)
            case nil: break
            }
        }
        var results: [BulkRecordResult] = []
        var after = summary
        let before = summary
        let records = batch
        var sinkError: (any Error)?
        let makeCheckpoint = { (outcomes: [BulkWriteOutcome]) throws -> IngestCheckpoint? in
            results = Self.results(records, outcomes: outcomes)
            after = before
            for result in results {
                switch result.outcome {
                case .created: after.created += 1
                case .updated: after.updated += 1
                case .unchanged: after.unchanged += 1
                case .valid: after.valid += 1
                case .rejected: after.rejected += 1
                }
            }
            let rejectsBytes: Int64
            do {
                rejectsBytes = try sink.batchWillCommit(results)
            } catch {
                sinkError = error
                throw error
            }
            return key.map {
                IngestCheckpoint(
                    inputKey: $0, recordsDone: after.records, created: after.created, updated: after.updated,
                    unchanged: after.unchanged, rejected: after.rejected, rejectsBytes: rejectsBytes)
            }
        }
        do {
            switch target {
            case .content(let type):
                guard let typeID = type.id else { preconditionFailure("a stored type has an id") }
                _ = try scope.bulkWriteContentItems(
                    of: typeID, contentDrafts, mode: options.mode, by: options.actor, mayPublish: options.mayPublish,
                    checkpoint: makeCheckpoint)
            case .products:
                _ = try scope.bulkWriteProducts(
                    productDrafts, mode: options.mode, by: options.actor, checkpoint: makeCheckpoint)
            }
        } catch {
            // The sink's own errors come back wrapped by the store's transaction.
            if let sinkError = sinkError as? BulkIngestError { throw sinkError }
            if let sinkError { throw .cannotWriteRejects(path: "", reason: String(describing: sinkError)) }
            throw .store(error)
        }
        summary = after
        summary.rawBytes = shared.rawBytesRead
        summary.elapsed = Date().timeIntervalSince(start)
        sink.batchDidCommit(results, summary: summary)
        batch.removeAll(keepingCapacity: true)
    }

    /// A validate-only batch: the parsers' verdicts, nothing written.
    private func validate(
        _ batch: inout [ParsedRecord], summary: inout BulkIngestSummary, sink: some BulkIngestSink,
        shared: PipelineShared, start: Date
    ) throws(BulkIngestError) {
        let results = batch.map { record in
            guard let rejection = record.rejection else {
                summary.valid += 1
                return BulkRecordResult(
                    ordinal: record.ordinal, line: record.line, externalID: record.externalID, outcome: .valid,
                    original: nil)
            }
            summary.rejected += 1
            return BulkRecordResult(
                ordinal: record.ordinal, line: record.line, externalID: nil,
                outcome: .rejected(field: rejection.field, reason: rejection.reason), original: record.original)
        }
        do {
            _ = try sink.batchWillCommit(results)
        } catch let error as BulkIngestError {
            throw error
        } catch {
            throw .cannotWriteRejects(path: "", reason: String(describing: error))
        }
        summary.rawBytes = shared.rawBytesRead
        summary.elapsed = Date().timeIntervalSince(start)
        sink.batchDidCommit(results, summary: summary)
        batch.removeAll(keepingCapacity: true)
    }

    /// The batch's results: parse rejections where the parser rejected, store outcomes in order
    /// for the others.
    private static func results(_ records: [ParsedRecord], outcomes: [BulkWriteOutcome]) -> [BulkRecordResult] {
        var next = outcomes.makeIterator()
        var results: [BulkRecordResult] = []
        results.reserveCapacity(records.count)
        // By index, reading only the fields a result needs: `records.map` copied every record
        // (its chunk, external id and draft) into the closure and destroyed the copy.
        for index in records.indices {
            let outcome: BulkRecordResult.Outcome
            if let rejection = records[index].rejection {
                outcome = .rejected(field: rejection.field, reason: rejection.reason)
            } else {
                switch next.next() {
                case .created(let id): outcome = .created(id)
                case .updated(let id): outcome = .updated(id)
                case .unchanged(let id): outcome = .unchanged(id)
                case .conflict(let field, let reason): outcome = .rejected(field: field, reason: reason)
                case nil: preconditionFailure("one store outcome per valid record")
                }
            }
            let rejected: Bool
            if case .rejected = outcome { rejected = true } else { rejected = false }
            results.append(
                BulkRecordResult(
                    ordinal: records[index].ordinal, line: records[index].line, externalID: records[index].externalID,
                    outcome: outcome, original: rejected ? records[index].original : nil))
        }
        return results
    }
}

/// One record after the parallel stage.
struct ParsedRecord: Sendable {
    let ordinal: Int64
    let line: Int
    /// The decoded record until the writer takes it (`takeValid()`); nil for a rejected record.
    private var valid: ValidRecord?
    /// Why the parser rejected the record; nil for a decoded one.
    let rejection: RecordRejection?
    /// The chunk's bytes (shared, not copied) and the record's range in them: the original is
    /// needed for any record the store may still reject.
    let chunkBytes: [UInt8]
    let range: Range<Int>
    /// The slug or SKU of a record that decoded, taken once on the parser thread: reading it
    /// out of `result` on the writer copied the whole draft (a retain and release of each of
    /// its strings) for every record's result.
    let externalID: String?

    init(
        ordinal: Int64, line: Int, result: Result<ValidRecord, RecordRejection>, chunkBytes: [UInt8], range: Range<Int>
    ) {
        self.ordinal = ordinal
        self.line = line
        self.chunkBytes = chunkBytes
        self.range = range
        switch result {
        case .success(let record):
            switch record {
            case .content(let draft): externalID = draft.slug
            case .product(let draft): externalID = draft.sku
            }
            valid = record
            rejection = nil
        case .failure(let failure):
            externalID = nil
            valid = nil
            rejection = failure
        }
    }

    var original: [UInt8] { Array(chunkBytes[range]) }

    /// The decoded record, moved out (nil afterwards, and for a rejected record).
    mutating func takeValid() -> ValidRecord? { valid.take() }

    /// This record, moved out; what is left holds nothing (no chunk, no draft).
    mutating func take() -> ParsedRecord {
        var taken = ParsedRecord(hollow: ())
        swap(&self, &taken)
        return taken
    }

    private init(hollow: Void) {
        ordinal = 0
        line = 0
        valid = nil
        rejection = nil
        chunkBytes = []
        range = 0..<0
        externalID = nil
    }
}

struct ParsedChunk: Sendable {
    let sequence: Int
    private var records: [ParsedRecord]

    init(sequence: Int, records: [ParsedRecord]) {
        self.sequence = sequence
        self.records = records
    }

    /// The records, moved out of the chunk (which keeps none).
    mutating func takeRecords() -> [ParsedRecord] {
        var taken: [ParsedRecord] = []
        swap(&taken, &records)
        return taken
    }
}

/// The threads of one run and what they share; the input source is used by the reader thread only.
private final class PipelineShared: @unchecked Sendable {
    let chunks: BoundedQueue<RecordChunk>
    let results: BoundedQueue<ParsedChunk>
    private let lock = NSLock()
    private var error: BulkIngestError?
    private var bytesRead = 0
    private var cancelled = false
    private var decoder: BulkRecordDecoder
    private var isCSV = false
    private let parallelism: Int
    /// The nice value parser threads take: the writer's (the thread that runs the load) plus
    /// `Options.parserNiceness`; nil to leave them as they start.
    private let parserNice: Int32?
    private let readInput: (PipelineShared) -> Void
    private let workersLeft = NSCondition()
    private var runningWorkers = 0

    init<Source: IngestByteSource>(
        source: Source, format: BulkInputFormat, skip: Int64, target: BulkIngestTarget, parallelism: Int,
        parserNiceness: Int32, batchSize: Int, validateOnly: Bool
    ) {
        chunks = BoundedQueue(capacity: parallelism * 4)
        // Room for two batches of parsed chunks: while the writer writes one batch the parsers
        // fill the next, so the writer finds it ready. With a fixed 4 chunks per parser (1,024
        // records per parser) a batch larger than the queue waited on the parsing of its remainder.
        let chunksPerBatch =
            (batchSize + RecordSplitter<Source>.defaultChunkRecords - 1)
            / RecordSplitter<Source>.defaultChunkRecords
        results = BoundedQueue(capacity: max(parallelism * 4, 2 * chunksPerBatch + parallelism))
        decoder = BulkRecordDecoder(target: target, serializesForWrite: !validateOnly)
        self.parallelism = parallelism
        parserNice = parserNiceness > 0 ? Self.currentThreadNice().map { min($0 + parserNiceness, 19) } : nil
        readInput = { shared in shared.read(RecordSplitter(source: source, format: format), skip: skip) }
    }

    var failure: BulkIngestError? { lock.withLock { error } }
    var rawBytesRead: Int { lock.withLock { bytesRead } }

    func start() {
        Thread.detachNewThread { [self] in readInput(self) }
    }

    /// Stops the threads: closed queues no longer block, so every thread runs to its end.
    func cancel() {
        lock.withLock { cancelled = true }
        chunks.close()
        results.close()
    }

    private func fail(_ failure: BulkIngestError) {
        lock.withLock { if error == nil { error = failure } }
    }

    private func read<Source: IngestByteSource>(_ splitter: RecordSplitter<Source>, skip: Int64) {
        var workersStarted = false
        defer {
            if !workersStarted { results.close() }
            chunks.close()
        }
        do {
            while true {
                if lock.withLock({ cancelled }) { return }
                guard var chunk = try splitter.nextChunk() else { break }
                lock.withLock { bytesRead = splitter.rawBytesRead }
                if !workersStarted {
                    // The decoder is complete once the format (and a CSV header) is known.
                    isCSV = splitter.format == .csv
                    if let header = splitter.csvHeader {
                        try decoder.useCSVHeader(header, line: 1)
                    }
                    startWorkers()
                    workersStarted = true
                }
                if chunk.records.first.map({ $0.ordinal < skip }) == true {
                    chunk.records.removeAll { $0.ordinal < skip }
                    if chunk.records.isEmpty {
                        chunk = RecordChunk(sequence: chunk.sequence)
                    }
                }
                chunks.put(chunk)
            }
            lock.withLock { bytesRead = splitter.rawBytesRead }
        } catch {
            fail(error)
        }
    }

    /// The name parser threads carry (`top -H`, `perf`, `/proc/PID/task/TID/comm`).
    static let parserThreadName = "taly-parse"

    /// Names the calling thread a parser and gives it the nice value `nice` (`parserNice`).
    /// Linux's `setpriority` of "this process" (0) sets the calling thread's; should it fail,
    /// the thread keeps the priority it started with. Set, not added to what the thread
    /// inherited: a new thread's nice value is not always its creator's.
    private static func becomeParserThread(nice: Int32?) {
        Thread.current.name = parserThreadName
        guard let nice else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
    }

    /// The calling thread's nice value (Linux), nil when it cannot be read.
    private static func currentThreadNice() -> Int32? {
        errno = 0
        let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        return errno == 0 ? nice : nil
    }

    private func startWorkers() {
        runningWorkers = parallelism
        let decoder = decoder
        let isCSV = isCSV
        for _ in 0..<parallelism {
            Thread.detachNewThread { [self] in
                Self.becomeParserThread(nice: parserNice)
                while let chunk = chunks.take() {
                    var parsed: [ParsedRecord] = []
                    parsed.reserveCapacity(chunk.records.count)
                    for span in chunk.records {
                        let bytes = chunk.bytes[span.start..<span.end]
                        let result: Result<ValidRecord, RecordRejection> =
                            span.tooLong
                            ? .failure(
                                RecordRejection(
                                    field: "record",
                                    reason: "longer than \(maximumRecordLength) bytes"))
                            : decoder.decode(bytes, isCSV: isCSV)
                        parsed.append(
                            ParsedRecord(
                                ordinal: span.ordinal, line: span.line, result: result, chunkBytes: chunk.bytes,
                                range: span.start..<span.end))
                    }
                    results.put(ParsedChunk(sequence: chunk.sequence, records: parsed))
                }
                workersLeft.lock()
                runningWorkers -= 1
                let last = runningWorkers == 0
                workersLeft.unlock()
                if last { results.close() }
            }
        }
    }
}
