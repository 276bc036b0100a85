import Dispatch
import Synchronization

/// The one writer of an index directory: adds, updates and deletes documents by id, flushes
/// segments when the RAM budget is reached, commits atomically and merges in the background.
///
/// - Uniqueness: adding a document replaces any earlier document with the same id, whether it
///   is committed, flushed or still buffered. Every add and delete takes the next operation
///   sequence number, and a delete (or replacing add) applies only to documents with a lower one.
/// - Durability: nothing is visible to readers or survives a crash before ``commit(userData:)``
///   returns; a commit fsyncs every new file, then publishes a new manifest atomically.
/// - Concurrency: calls are serialized by a lock; inside ``add(_:)`` batches the analysis runs
///   on ``IndexWriterOptions/indexingThreads`` threads, each filling its own segment. Merges run
///   on a background thread and never block adds.
public final class IndexWriter: @unchecked Sendable {
    /// The index directory.
    public let directory: String
    /// The index's schema: the one it was opened with, or the one ``extendSchema(to:)`` grew it to.
    public var schema: Schema { state.withLock { $0.schema } }
    /// The writer's settings.
    public let options: IndexWriterOptions
    private let writeLock: IndexLock
    let state: Mutex<WriterState>
    let merges: MergeScheduler
    /// One merge at a time: with two cores, a second concurrent merge would only slow indexing.
    let mergeQueue = DispatchQueue(label: "taly.index.merge")
    /// Set on ``mergeQueue`` only, so `deinit` can tell it runs there.
    private let onMergeQueue = DispatchSpecificKey<Bool>()

    /// Opens the index in `directory` for writing, creating it (and the directory) when there is
    /// none. An existing index must have been created with `schema` or with a schema `schema`
    /// extends (its fields followed by new ones, see ``Schema/extends(_:)``): the next commit
    /// records the grown schema.
    public init(directory: String, schema: Schema, options: IndexWriterOptions = IndexWriterOptions())
        throws(IndexError)
    {
        try FileSystem.createDirectory(directory)
        writeLock = try IndexLock(directory: directory)
        self.directory = directory
        self.options = options
        var manifest: Manifest
        do throws(IndexError) {
            manifest = try Manifest.load(from: directory)
            guard manifest.schema == schema || schema.extends(manifest.schema) else {
                throw IndexError.corrupt(
                    file: Manifest.fileName,
                    reason: "the index was created with another schema (fields: "
                        + manifest.schema.fields.map(\.name).joined(separator: ", ") + ")"
                )
            }
        } catch .noIndex {
            manifest = Manifest(generation: 1, schema: schema)
            try manifest.commit(to: directory)
        }
        var segments: [WriterSegment] = []
        for entry in manifest.segments {
            let reader = try SegmentReader(directory: directory, entry: entry, schema: schema)
            segments.append(WriterSegment(reader: reader, deletesGeneration: entry.deletesGeneration))
        }
        var builders: [SegmentBuilder] = []
        do {
            for _ in 0..<options.indexingThreads { builders.append(try SegmentBuilder(schema: schema)) }
        } catch {
            preconditionFailure("analyzers could not be created: \(error)")
        }
        state = Mutex(
            WriterState(
                schema: schema,
                generation: manifest.generation,
                userData: manifest.userData,
                segments: segments,
                builders: builders,
                ramBudgetBytes: options.ramBudgetBytes
            )
        )
        merges = MergeScheduler()
        mergeQueue.setSpecific(key: onMergeQueue, value: true)
        try removeUnreferencedFiles(manifest: manifest)
    }

    deinit {
        merges.stop()
        // A background merge holds the writer while it runs, so it may drop the last reference:
        // then this runs on the merge queue, the merge is over, and waiting for the queue from
        // inside it would deadlock (libdispatch traps).
        if DispatchQueue.getSpecific(key: onMergeQueue) != true { mergeQueue.sync {} }
    }

    // MARK: - Adding and deleting

    /// Adds (or replaces, by id) a batch of documents. Each document is checked against the
    /// schema on its own: the result has one entry per document, `nil` when it was added, the
    /// error otherwise; the rest of the batch is unaffected.
    @discardableResult
    public func add(_ documents: [Document]) throws(IndexError) -> [DocumentError?] {
        var results = [DocumentError?](repeating: nil, count: documents.count)
        var validated: [(index: Int, document: ValidatedDocument)] = []
        validated.reserveCapacity(documents.count)
        let schema = self.schema
        for (index, document) in documents.enumerated() {
            do {
                validated.append((index, try schema.validate(document)))
            } catch {
                results[index] = error
            }
        }
        let failures = try state.withLock { state throws(IndexError) in
            try addValidated(validated, state: &state)
        }
        for (index, error) in failures { results[index] = error }
        try flushIfOverBudget()
        return results
    }

    /// Adds (or replaces, by id) documents already checked against this writer's schema (by
    /// ``Schema/validate(_:)`` or ``Schema/document(fromJSON:)``); returns the analysis failures
    /// as (index in `documents`, error).
    public func add(validated documents: [ValidatedDocument]) throws(IndexError) -> [(index: Int, error: DocumentError)]
    {
        let failures = try state.withLock { state throws(IndexError) in
            try addValidated(
                Array(documents.enumerated().map { (index: $0.offset, document: $0.element) }), state: &state)
        }
        try flushIfOverBudget()
        return failures.map { (index: $0.0, error: $0.1) }
    }

    /// Adds (or replaces) one document.
    public func add(_ document: Document) throws(IndexError) -> DocumentError? {
        try add([document])[0]
    }

    /// Deletes the document with id `id`, wherever it is; deleting an unknown id does nothing.
    ///
    /// Precondition: the schema's ids are unique (``Schema/IDMode/unique``); an append-only index
    /// has no way to find a document by id.
    public func delete(id: String) {
        state.withLock { state in
            precondition(state.schema.idMode == .unique, "delete(id:) on an append-only index: its ids are not indexed")
            state.sequence += 1
            state.pendingDeletes[id] = PendingDelete(sequence: state.sequence, mayBeBuffered: true)
        }
    }

    /// The RAM the buffered documents may use before they are flushed: the options' budget
    /// until set. A bulk load raises it so the index is written in a few large segments rather
    /// than many small ones that then have to be merged. Lowering it takes effect at the next
    /// add and releases the buffers of the builders that hold no document (buffers otherwise
    /// keep the capacity they grew to, see ``IndexWriterOptions/ramBudgetBytes``).
    public var ramBudgetBytes: Int {
        get { state.withLock { $0.ramBudgetBytes } }
        set {
            precondition(newValue >= 1 << 20, "the RAM budget must be at least 1 MiB")
            state.withLock { state in
                // Empty builders grown under a larger budget are replaced, so a writer left
                // open after a bulk load gives that memory back.
                if newValue < state.ramBudgetBytes {
                    for index in state.builders.indices where state.builders[index].documentCount == 0 {
                        do {
                            state.builders[index] = try SegmentBuilder(schema: state.schema)
                        } catch {
                            preconditionFailure("analyzers could not be created: \(error)")
                        }
                    }
                }
                state.ramBudgetBytes = newValue
            }
        }
    }

    /// Documents buffered in RAM and not yet flushed.
    public var bufferedDocumentCount: Int {
        state.withLock { state in
            (state.retiredBuilders + state.builders).reduce(0) { $0 + Int($1.documentCount) }
        }
    }

    /// Grows the schema to `schema`, which must extend the current one (the same fields first,
    /// then new ones; ``Schema/extends(_:)``): documents added from now on may have the new
    /// fields, existing segments simply lack them (no value, no term), and the next commit
    /// records the grown schema. Nothing is rewritten: documents buffered so far keep their
    /// segment builder, which is flushed with the next flush. Throws
    /// ``SchemaError/mismatch(reason:)`` when `schema` is not an extension; the same schema
    /// again does nothing.
    public func extendSchema(to schema: Schema) throws(SchemaError) {
        let threads = options.indexingThreads
        try state.withLock { state throws(SchemaError) in
            guard state.schema != schema else { return }
            guard schema.extends(state.schema) else {
                throw .mismatch(
                    reason: "the new schema does not keep the fields "
                        + state.schema.fields.map(\.name).joined(separator: ", ")
                        + " first, with the same types, id field and id mode")
            }
            // Builders never leave the lock (they are not Sendable): made here, under it.
            var builders: [SegmentBuilder] = []
            do {
                for _ in 0..<threads { builders.append(try SegmentBuilder(schema: schema)) }
            } catch {
                preconditionFailure("analyzers could not be created: \(error)")
            }
            state.retiredBuilders.append(contentsOf: state.builders.filter { $0.documentCount > 0 })
            state.builders = builders
            state.schema = schema
        }
    }

    private func addValidated(
        _ documents: [(index: Int, document: ValidatedDocument)],
        state: inout WriterState
    ) throws(IndexError) -> [(Int, DocumentError)] {
        guard !documents.isEmpty else { return [] }
        // A document validated against the schema before it grew lacks the new fields' slots.
        let fieldCount = state.schema.fields.count
        var documents = documents
        for position in documents.indices where documents[position].document.values.count != fieldCount {
            let document = documents[position].document
            precondition(document.values.count < fieldCount, "a document validated against another schema")
            documents[position].document = ValidatedDocument(
                id: document.id,
                values: document.values + Array(repeating: nil, count: fieldCount - document.values.count))
        }
        let firstSequence = state.sequence + 1
        state.sequence += UInt64(documents.count)
        // Small batches are not worth waking a second thread for.
        let builders = documents.count < 64 ? [state.builders[0]] : state.builders
        // Contiguous slices per thread keep each builder's documents in sequence order.
        let chunk = (documents.count + builders.count - 1) / builders.count
        let failures = Mutex<[(Int, DocumentError)]>([])
        let work = { (thread: Int) in
            let builder = builders[thread]
            let start = thread * chunk
            let end = min(start + chunk, documents.count)
            guard start < end else { return }
            for position in start..<end {
                let (index, document) = documents[position]
                do throws(AnalysisError) {
                    try builder.add(document, sequence: firstSequence + UInt64(position))
                } catch {
                    failures.withLock {
                        $0.append((index, DocumentError(field: "", problem: String(describing: error))))
                    }
                }
            }
        }
        runConcurrently(builders.count, work)
        let failed = failures.withLock { $0 }
        let failedIndexes = Set(failed.map(\.0))
        // The newest operation on an id wins; an add replaces older copies (append-only: never).
        // Only the id is read: a copy of the whole document retained and released its values.
        for position in documents.indices
        where state.schema.idMode == .unique && !failedIndexes.contains(documents[position].index) {
            state.pendingDeletes[
                documents[position].document.id, default: PendingDelete(sequence: 0, mayBeBuffered: false)
            ]
            .add(sequence: firstSequence + UInt64(position))
        }
        return failed
    }

    // MARK: - Flushing and committing

    private func flushIfOverBudget() throws(IndexError) {
        let flushed = try state.withLock { state throws(IndexError) -> Bool in
            let used =
                (state.retiredBuilders + state.builders).reduce(0) { $0 + $1.usedBytes }
                + state.pendingDeletes.count * 64
            guard used >= state.ramBudgetBytes else { return false }
            try flush(state: &state)
            return true
        }
        // Long loads merge as they go rather than facing hundreds of segments at the end.
        if flushed { scheduleBackgroundMerges() }
    }

    /// Writes every buffered document as new segments (one per indexing thread) and applies the
    /// buffered deletes to all segments. Flushed segments become visible at the next commit.
    private func flush(state: inout WriterState) throws(IndexError) {
        // Builders retired by a schema extension write segments with the fields they knew.
        let builders = (state.retiredBuilders + state.builders).filter { $0.documentCount > 0 }
        var flushed: [WriterSegment] = []
        if !builders.isEmpty {
            let results = Mutex<[Result<WriterSegment, IndexError>]>([])
            let directory = self.directory
            let level = options.storedCompressionLevel
            let schema = state.schema
            let pending = state.pendingDeletes
            let work = { (index: Int) in
                let builder = builders[index]
                let segment = SegmentID.random()
                let result = Result { () throws(IndexError) -> WriterSegment in
                    let info = try builder.flush(directory: directory, segment: segment, compressionLevel: level)
                    let entry = Manifest.SegmentEntry(id: segment, documentCount: info.documentCount)
                    let reader = try SegmentReader(directory: directory, entry: entry, schema: schema)
                    var writerSegment = WriterSegment(
                        reader: reader, deletesGeneration: 0, idFilter: try SegmentIDFilter(segment: reader))
                    // Deletes issued after a document was added remove it before it is ever seen.
                    var deleted: [UInt32] = []
                    for (id, delete) in pending where delete.mayBeBuffered {
                        builder.documents(withID: id, before: delete.sequence, into: &deleted)
                        for document in deleted { writerSegment.delete(document) }
                    }
                    return writerSegment
                }
                results.withLock { $0.append(result) }
            }
            runConcurrently(builders.count, work)
            for result in results.withLock({ $0 }) {
                switch result {
                case .success(let segment): flushed.append(segment)
                case .failure(let error): throw error
                }
            }
            for builder in state.builders where builder.documentCount > 0 { builder.reset() }
            state.retiredBuilders.removeAll()
        }
        // Every document in an older segment predates every pending operation.
        if !state.pendingDeletes.isEmpty && !state.segments.isEmpty {
            let ids = state.pendingDeletes.keys.map { Array($0.utf8) }
            let hashes = ids.map { $0.withUnsafeBytes { TermHash.hash($0) } }
            var allSorted: [[UInt8]]?
            for index in state.segments.indices {
                let sortedIDs: [[UInt8]]
                if let filter = state.segments[index].idFilter {
                    // Only the ids the segment may hold (in a bulk load of new ids: ~1%).
                    var candidates: [[UInt8]] = []
                    for position in ids.indices where filter.mayContain(hash: hashes[position]) {
                        candidates.append(ids[position])
                    }
                    if candidates.isEmpty { continue }
                    sortedIDs = candidates.sorted { $0.lexicographicallyPrecedes($1) }
                } else {
                    if allSorted == nil { allSorted = ids.sorted { $0.lexicographicallyPrecedes($1) } }
                    sortedIDs = allSorted!
                }
                for (_, document) in try state.segments[index].reader.documents(withSortedIDs: sortedIDs) {
                    state.segments[index].delete(document)
                }
            }
        }
        state.pendingDeletes.removeAll(keepingCapacity: true)
        state.segments.append(contentsOf: flushed)
    }

    /// Makes every add and delete so far durable and visible to new readers, storing `userData`
    /// with the commit (replacing the previous commit's); returns the commit's generation.
    @discardableResult
    public func commit(userData: [String: String]? = nil) throws(IndexError) -> UInt64 {
        let manifest = try state.withLock { state throws(IndexError) -> Manifest in
            if let failure = state.mergeFailure {
                state.mergeFailure = nil
                throw failure
            }
            try flush(state: &state)
            let generation = state.generation + 1
            var entries: [Manifest.SegmentEntry] = []
            var kept: [WriterSegment] = []
            for var segment in state.segments {
                let deleted = segment.liveDocuments?.deletedCount ?? 0
                // A segment with every document deleted is dropped whole.
                if deleted == segment.reader.documentCount { continue }
                if segment.deletesDirty, let live = segment.liveDocuments {
                    let name = LiveDocuments.fileName(segment: segment.reader.id, generation: generation)
                    try live.write(to: directory + "/" + name, segment: segment.reader.id, sync: true)
                    segment.deletesGeneration = generation
                    segment.deletesDirty = false
                }
                entries.append(
                    Manifest.SegmentEntry(
                        id: segment.reader.id,
                        documentCount: segment.reader.documentCount,
                        deletedCount: deleted,
                        deletesGeneration: segment.deletesGeneration
                    )
                )
                kept.append(segment)
            }
            if let userData { state.userData = userData }
            let manifest = Manifest(
                generation: generation, schema: state.schema, segments: entries, userData: state.userData)
            try manifest.commit(to: directory)
            state.generation = generation
            state.segments = kept
            return manifest
        }
        try removeUnreferencedFiles(manifest: manifest)
        scheduleBackgroundMerges()
        return manifest.generation
    }

    /// Removes files of this index that the manifest does not reference: segments merged away or
    /// dropped, older live-documents generations, leftovers of a crash. Open readers keep their
    /// mappings, which stay valid after the files are unlinked.
    private func removeUnreferencedFiles(manifest: Manifest) throws(IndexError) {
        var referenced: Set<String> = [Manifest.fileName, IndexLock.fileName]
        for entry in manifest.segments {
            for kind in IndexFileKind.allCases where kind != .manifest && kind != .liveDocuments {
                referenced.insert(SegmentInfo.fileName(segment: entry.id, kind: kind))
            }
            if entry.deletesGeneration > 0 {
                referenced.insert(LiveDocuments.fileName(segment: entry.id, generation: entry.deletesGeneration))
            }
        }
        // Segments flushed but not yet committed, and merges in progress, are not garbage. The
        // order of the three reads matters: a merge claims its target before writing a file of
        // it and swaps the target into the state before releasing the claim, and a flush writes
        // under the state lock. So a listed file's segment is still claimed when the claims are
        // read, or already in the state when that is read next. Read the other way round, a
        // merge starting or ending in between had its new files removed under it.
        let names = try FileSystem.listDirectory(directory)
        let claimed = merges.segmentsInProgress
        let live = state.withLock { state in Set(state.segments.map(\.reader.id)) }.union(claimed)
        for name in names where !referenced.contains(name) {
            if let stem = name.split(separator: ".").first, let id = SegmentID(stem.prefix(32)), live.contains(id),
                !name.hasSuffix(".live")
            {
                continue
            }
            guard Self.isIndexFile(name) else { continue }
            try FileSystem.removeFile(directory + "/" + name)
        }
    }

    /// Whether `name` looks like a file this library writes (never remove anything else).
    static func isIndexFile(_ name: String) -> Bool {
        if name == Manifest.fileName + ".tmp" { return true }
        guard let dot = name.lastIndex(of: "."), SegmentID(name.prefix(32)) != nil else { return false }
        let fileExtension = String(name[name.index(after: dot)...])
        return IndexFileKind.allCases.contains { $0.fileExtension == fileExtension }
    }

    /// The committed generation.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// The user data of the last commit.
    public var userData: [String: String] { state.withLock { $0.userData } }
}

/// A segment as the writer tracks it: its reader and the deletes not yet committed.
struct WriterSegment {
    var reader: SegmentReader
    var liveDocuments: LiveDocuments?
    var deletesGeneration: UInt64
    var deletesDirty = false
    /// The segment's ids for a flush's lookups, for segments this writer flushed or merged (nil:
    /// every pending id is looked up).
    var idFilter: SegmentIDFilter?

    init(reader: SegmentReader, deletesGeneration: UInt64, idFilter: SegmentIDFilter? = nil) {
        self.reader = reader
        self.liveDocuments = reader.liveDocuments
        self.deletesGeneration = deletesGeneration
        self.idFilter = idFilter
    }

    mutating func delete(_ document: UInt32) {
        var live = liveDocuments ?? LiveDocuments(documentCount: reader.documentCount)
        if live.delete(document) {
            deletesDirty = true
        }
        liveDocuments = live
    }
}

/// The newest operation on an id since the last flush: its sequence number removes the copies
/// added before it (in older segments: every copy).
struct PendingDelete: Equatable {
    var sequence: UInt64
    /// Whether a document with the id may be buffered in a builder from an earlier operation:
    /// false for an id whose only operation since the last flush is the add that set it.
    var mayBeBuffered: Bool

    /// Records an add at `sequence` (never 0). An id's first operation since the last flush (the
    /// entry just made, sequence 0) finds no buffered document with the id, as each buffered add
    /// left an entry: the flush need not look it up in the builders.
    mutating func add(sequence: UInt64) {
        if self.sequence != 0 { mayBeBuffered = true }
        self.sequence = sequence
    }
}

/// What the lock protects.
struct WriterState {
    var schema: Schema
    var generation: UInt64
    var userData: [String: String]
    var segments: [WriterSegment]
    var builders: [SegmentBuilder]
    /// See ``IndexWriter/ramBudgetBytes``.
    var ramBudgetBytes: Int
    /// Builders of the schema before ``IndexWriter/extendSchema(to:)`` that still hold
    /// documents; flushed (then dropped) with the next flush.
    var retiredBuilders: [SegmentBuilder] = []
    var sequence: UInt64 = 0
    var pendingDeletes: [String: PendingDelete] = [:]
    /// The error of a background merge, reported by the next commit.
    var mergeFailure: IndexError?
}
