/// Every file of one committed segment, opened and verified: the term dictionary, postings,
/// positions, norms, columns and stored documents, plus the live-documents bitmap of the commit
/// it was opened for. Immutable and `Sendable`: any number of searches share one.
///
/// Files are memory-mapped. On Linux a mapping stays valid after its file is unlinked, so a
/// reader keeps working on its snapshot while merges and commits remove files it uses.
public final class SegmentReader: Sendable {
    /// The segment's metadata.
    public let info: SegmentInfo
    /// The schema the index was opened with.
    public let schema: Schema
    /// Terms of every indexed field.
    public let terms: TermDictionaryReader
    /// Postings and positions.
    public let postings: PostingsReader
    /// Quantized field lengths of text fields.
    public let norms: FieldNormsReader
    /// Keyword and numeric columns.
    public let columns: ColumnsReader
    /// Stored documents.
    public let storedDocuments: StoredDocumentsReader
    /// Which documents are live in this snapshot (`nil` when none is deleted).
    public let liveDocuments: LiveDocuments?
    /// The id ordinal of each document, for sort tie-breaks; shared by every snapshot of the segment.
    let idOrdinals: IDOrdinals

    /// The segment's id.
    public var id: SegmentID { info.id }
    /// Documents in the segment, deleted included.
    public var documentCount: UInt32 { info.documentCount }
    /// Live documents.
    public var liveCount: UInt32 { info.documentCount - (liveDocuments?.deletedCount ?? 0) }

    /// Opens the segment `entry` of a manifest in `directory`.
    public init(directory: String, entry: Manifest.SegmentEntry, schema: Schema) throws(IndexError) {
        let segment = entry.id
        let path = { (kind: IndexFileKind) in SegmentInfo.path(directory: directory, segment: segment, kind: kind) }
        info = try SegmentInfo(directory: directory, segment: segment, expectedDocumentCount: entry.documentCount)
        guard info.schemaFieldCount <= schema.fields.count else {
            throw .corrupt(
                file: "\(segment).seg",
                reason: "written with \(info.schemaFieldCount) fields, the schema has \(schema.fields.count)"
            )
        }
        self.schema = schema
        idOrdinals = IDOrdinals()
        terms = try TermDictionaryReader(path: path(.termDictionary), segment: segment)
        let positionsPath = path(.positions)
        postings = PostingsReader(
            postings: try IndexFile(path: path(.postings), kind: .postings, segment: segment),
            positions: FileSystem.exists(positionsPath)
                ? try IndexFile(path: positionsPath, kind: .positions, segment: segment) : nil
        )
        norms = try FieldNormsReader(path: path(.fieldNorms), segment: segment)
        columns = try ColumnsReader(path: path(.columns), segment: segment)
        storedDocuments = try StoredDocumentsReader(path: path(.storedDocuments), segment: segment)
        guard norms.docCount == Int(entry.documentCount), columns.docCount == Int(entry.documentCount),
            storedDocuments.docCount == Int(entry.documentCount)
        else {
            throw .corrupt(file: "\(segment).*", reason: "the segment's files disagree on the document count")
        }
        if entry.deletesGeneration > 0 {
            let live = try LiveDocuments(
                path: directory + "/" + LiveDocuments.fileName(segment: segment, generation: entry.deletesGeneration),
                segment: segment,
                documentCount: entry.documentCount
            )
            guard live.deletedCount == entry.deletedCount else {
                throw .corrupt(
                    file: LiveDocuments.fileName(segment: segment, generation: entry.deletesGeneration),
                    reason: "has \(live.deletedCount) deletes, the manifest says \(entry.deletedCount)"
                )
            }
            liveDocuments = live
        } else {
            liveDocuments = nil
        }
    }

    /// The same segment files with another live-documents bitmap (a newer commit's deletes).
    init(_ other: SegmentReader, liveDocuments: LiveDocuments?) {
        info = other.info
        schema = other.schema
        terms = other.terms
        postings = other.postings
        norms = other.norms
        columns = other.columns
        storedDocuments = other.storedDocuments
        idOrdinals = other.idOrdinals
        self.liveDocuments = liveDocuments
    }

    /// Whether `document` is live in this snapshot.
    @inline(__always)
    public func isLive(_ document: UInt32) -> Bool { liveDocuments?.isLive(document) ?? true }

    /// Every document (live or not) whose id is `id`; ``IndexError/idsNotIndexed(operation:)`` on
    /// an append-only index.
    public func documents(withID id: String) throws(IndexError) -> [UInt32] {
        try documents(withSortedIDs: [Array(id.utf8)]).map(\.document)
    }

    /// The documents (live or not) of the ids in `sortedIDs` (byte order, no duplicates), as
    /// pairs of (index in `sortedIDs`, document). One cursor walks the id field forward, so a
    /// batch costs about one block scan per dictionary block touched rather than one lookup each.
    public func documents(withSortedIDs sortedIDs: [[UInt8]]) throws(IndexError) -> [(index: Int, document: UInt32)] {
        guard schema.idMode == .unique else { throw .idsNotIndexed(operation: "looking documents up") }
        guard let fieldTerms = terms.terms(forField: UInt32(schema.idFieldNumber)) else { return [] }
        var cursor = fieldTerms.makeCursor()
        var found: [(index: Int, document: UInt32)] = []
        for (index, id) in sortedIDs.enumerated() {
            switch try cursor.seekCeil(id) {
            case .end: return found
            case .notFound: continue
            case .found:
                let postingsCursor = try postings.cursor(for: try cursor.info())
                var document = postingsCursor.doc
                while document != PostingsCursor.exhausted {
                    found.append((index, document))
                    document = try postingsCursor.next()
                }
            }
        }
        return found
    }

    /// The stored fields of `document`, by field name.
    public func storedFields(_ document: UInt32) throws(IndexError) -> Document {
        var result = Document()
        for (field, value) in try storedValues(document) { result[schema.fields[field].name] = value }
        return result
    }

    /// The stored fields of `document` by field number, in increasing field number (the order
    /// they are stored in): for callers that write them out in schema order without hashing
    /// each name into a `Document`.
    public func storedValues(_ document: UInt32) throws(IndexError) -> [(field: Int, value: FieldValue)] {
        let payload = try storedDocuments.document(document)
        return try payload.withIndexBytes { bytes throws(IndexError) in
            try StoredFieldsCodec.decode(
                bytes, fieldCount: schema.fields.count, version: storedDocuments.file.version, fileName: "\(id).store")
        }
    }
}
