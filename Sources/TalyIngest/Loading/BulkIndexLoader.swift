import Foundation
import TalyIndex

/// Loads JSON Lines into an index: one document per line, validated against the index's schema,
/// added in batches, committed every `commitEvery` documents and at the end. A bad line is
/// reported with its line number and skipped; it never stops the load.
public struct BulkIndexLoader {
    /// The writer documents go to.
    public let writer: IndexWriter
    /// Documents per `add` call (each batch is analyzed on the writer's threads).
    public var batchSize: Int
    /// Commit after this many accepted documents (nil: only at the end).
    public var commitEvery: Int?

    /// A loader into `writer`.
    public init(writer: IndexWriter, batchSize: Int = 1000, commitEvery: Int? = nil) {
        precondition(batchSize > 0)
        self.writer = writer
        self.batchSize = batchSize
        self.commitEvery = commitEvery
    }

    /// What a load did.
    public struct Report: Sendable, Equatable {
        /// Lines read (blank lines included).
        public var lines = 0
        /// Documents accepted into the index.
        public var added = 0
        /// Lines rejected.
        public var rejected = 0
        /// Commits made.
        public var commits = 0
        /// Bytes read.
        public var bytes = 0
    }

    /// One batch of parsed lines, handed from the reading thread to the indexing thread.
    struct ParsedBatch: Sendable {
        var documents: [ValidatedDocument] = []
        var lineNumbers: [Int] = []
        /// Lines refused while reading (bad JSON, schema violations, too long).
        var rejected: [(line: Int, problem: String)] = []
        var lines = 0
        var bytes = 0
        /// A read error that ended the input early.
        var readFailure: String?
    }

    /// Reads `handle` to its end. A reading thread parses and validates lines while the calling
    /// thread indexes the previous batch, so JSON parsing overlaps analysis. `rejected(line,
    /// problem)` hears about each bad line; `progress` is called after each batch; both run on
    /// the calling thread.
    public func load(
        from handle: FileHandle,
        rejected: (Int, String) -> Void,
        progress: (Report) -> Void = { _ in }
    ) throws -> Report {
        let schema = writer.schema
        // A commit can only follow a batch, so batches never outgrow the commit interval.
        let batchLimit = min(batchSize, commitEvery ?? batchSize)
        let queue = BoundedQueue<ParsedBatch>(capacity: 2)
        let reading = Thread {
            Self.read(handle, schema: schema, batchLimit: batchLimit, into: queue)
        }
        reading.stackSize = 1 << 20
        reading.start()

        var report = Report()
        var sinceCommit = 0
        var readFailure: String?
        while let batch = queue.take() {
            report.lines += batch.lines
            report.bytes += batch.bytes
            for (line, problem) in batch.rejected { rejected(line, problem) }
            report.rejected += batch.rejected.count
            if !batch.documents.isEmpty {
                let failures = try writer.add(validated: batch.documents)
                for failure in failures { rejected(batch.lineNumbers[failure.index], failure.error.description) }
                report.rejected += failures.count
                report.added += batch.documents.count - failures.count
                sinceCommit += batch.documents.count - failures.count
            }
            if let commitEvery, sinceCommit >= commitEvery {
                try writer.commit()
                report.commits += 1
                sinceCommit = 0
            }
            progress(report)
            if let failure = batch.readFailure { readFailure = failure }
        }
        if sinceCommit > 0 || report.commits == 0 {
            try writer.commit()
            report.commits += 1
        }
        if let readFailure { throw LoadError.readFailed(readFailure) }
        return report
    }

    /// The reading thread: lines to parsed batches until the end of the input or a read error.
    private static func read(
        _ handle: FileHandle, schema: Schema, batchLimit: Int, into queue: BoundedQueue<ParsedBatch>
    ) {
        defer { queue.close() }
        var reader = LineReader(handle: handle)
        var batch = ParsedBatch()
        do {
            while let line = try reader.next() {
                batch.lines += 1
                switch line {
                case .tooLong(let length):
                    batch.bytes += length + 1
                    batch.rejected.append(
                        (
                            reader.lineNumber,
                            "line is \(length) bytes, longer than the \(reader.maximumLineLength)-byte limit"
                        )
                    )
                case .line(let bytes):
                    batch.bytes += bytes.count + 1
                    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                    do {
                        batch.documents.append(try document(bytes, schema: schema))
                        batch.lineNumbers.append(reader.lineNumber)
                    } catch {
                        batch.rejected.append((reader.lineNumber, error.description))
                    }
                }
                if batch.documents.count >= batchLimit {
                    queue.put(batch)
                    batch = ParsedBatch()
                }
            }
        } catch {
            batch.readFailure =
                "reading the input failed after line \(reader.lineNumber): \(error.localizedDescription)"
        }
        queue.put(batch)
    }

    /// One line as a document: flat objects of strings take the fast parser when every member
    /// is a text or keyword field; everything else, and every error message, goes through the
    /// schema's general JSON conversion.
    static func document(_ bytes: ArraySlice<UInt8>, schema: Schema) throws(DocumentError) -> ValidatedDocument {
        let members = bytes.withUnsafeBytes { FlatJSONObject.parse($0) }
        if let members {
            var document = Document()
            var fast = true
            for (key, value) in members {
                switch schema.field(named: key)?.type {
                case .text?: document[key] = .text(value)
                case .keyword?: document[key] = .keyword([value])
                default: fast = false
                }
                if !fast { break }
            }
            if fast && document.values.count == members.count { return try schema.validate(document) }
        }
        return try schema.document(fromJSON: Data(bytes))
    }
}

/// Why a load stopped before the end of its input.
public enum LoadError: Error, CustomStringConvertible {
    /// The input could not be read; everything read before was indexed and committed.
    case readFailed(String)

    public var description: String {
        switch self {
        case .readFailed(let reason): reason
        }
    }
}
