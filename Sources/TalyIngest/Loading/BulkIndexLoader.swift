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

    /// Reads `handle` to its end. `rejected(line, problem)` hears about each bad line;
    /// `progress` is called after each batch.
    public func load(
        from handle: FileHandle,
        rejected: (Int, String) -> Void,
        progress: (Report) -> Void = { _ in }
    ) throws -> Report {
        var reader = LineReader(handle: handle)
        var report = Report()
        var batch: [ValidatedDocument] = []
        var batchLines: [Int] = []
        var sinceCommit = 0
        let schema = writer.schema
        // A commit can only follow a batch, so batches never outgrow the commit interval.
        let batchLimit = min(batchSize, commitEvery ?? batchSize)

        func flushBatch() throws {
            guard !batch.isEmpty else { return }
            let failures = try writer.add(validated: batch)
            for failure in failures { rejected(batchLines[failure.index], failure.error.description) }
            report.rejected += failures.count
            report.added += batch.count - failures.count
            sinceCommit += batch.count - failures.count
            batch.removeAll(keepingCapacity: true)
            batchLines.removeAll(keepingCapacity: true)
            if let commitEvery, sinceCommit >= commitEvery {
                try writer.commit()
                report.commits += 1
                sinceCommit = 0
            }
            progress(report)
        }

        while let line = try reader.next() {
            report.lines += 1
            switch line {
            case .tooLong(let length):
                report.bytes += length + 1
                report.rejected += 1
                rejected(
                    reader.lineNumber, "line is \(length) bytes, longer than the \(reader.maximumLineLength)-byte limit"
                )
            case .line(let bytes):
                report.bytes += bytes.count + 1
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do {
                    batch.append(try Self.document(bytes, schema: schema))
                    batchLines.append(reader.lineNumber)
                } catch {
                    report.rejected += 1
                    rejected(reader.lineNumber, error.description)
                }
                if batch.count >= batchLimit { try flushBatch() }
            }
        }
        try flushBatch()
        if sinceCommit > 0 || report.commits == 0 {
            try writer.commit()
            report.commits += 1
        }
        return report
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
