/// The metadata of one segment: its document count and the per-field statistics BM25 needs
/// (documents with the field, the sum of field lengths for the average), saved in `<id>.seg`.
///
/// Body layout (varints are LEB128):
/// ```
/// document count    u32
/// schema field count varint   (fields known when the segment was written)
/// stats count       varint
/// per indexed field: field number varint | documents with field varint | sum of term frequencies varint
///                    | sum of document frequencies varint | distinct terms varint
/// ```
public struct SegmentInfo: Sendable, Hashable {
    /// Statistics of one indexed field in one segment.
    public struct FieldStatistics: Sendable, Hashable {
        /// The field.
        public var field: UInt32
        /// Documents with at least one token (or value) in the field.
        public var documentCount: UInt64
        /// Tokens in the field over all documents: the numerator of the average field length.
        public var sumTotalTermFrequency: UInt64
        /// Postings in the field: the sum of every term's document frequency.
        public var sumDocumentFrequency: UInt64
        /// Distinct terms.
        public var termCount: UInt64

        /// Statistics of `field`.
        public init(
            field: UInt32, documentCount: UInt64, sumTotalTermFrequency: UInt64, sumDocumentFrequency: UInt64,
            termCount: UInt64
        ) {
            self.field = field
            self.documentCount = documentCount
            self.sumTotalTermFrequency = sumTotalTermFrequency
            self.sumDocumentFrequency = sumDocumentFrequency
            self.termCount = termCount
        }
    }

    /// The segment.
    public var id: SegmentID
    /// Documents in the segment (deleted ones included).
    public var documentCount: UInt32
    /// How many schema fields existed when the segment was written.
    public var schemaFieldCount: Int
    /// Per indexed field, in field order.
    public var fields: [FieldStatistics]

    /// Metadata of a segment.
    public init(id: SegmentID, documentCount: UInt32, schemaFieldCount: Int, fields: [FieldStatistics]) {
        self.id = id
        self.documentCount = documentCount
        self.schemaFieldCount = schemaFieldCount
        self.fields = fields
    }

    /// The statistics of `field`, if the segment has it.
    public func statistics(field: UInt32) -> FieldStatistics? { fields.first { $0.field == field } }

    /// The name of one of the segment's files: `<32 hex digits>.<extension>`.
    public static func fileName(segment: SegmentID, kind: IndexFileKind) -> String {
        "\(segment).\(kind.fileExtension)"
    }

    /// The path of one of the segment's files in `directory`.
    public static func path(directory: String, segment: SegmentID, kind: IndexFileKind) -> String {
        directory + "/" + fileName(segment: segment, kind: kind)
    }

    /// Writes `<id>.seg` in `directory`.
    public func write(directory: String, sync: Bool) throws(IndexError) {
        let output = try IndexOutput(
            path: Self.path(directory: directory, segment: id, kind: .segmentInfo), kind: .segmentInfo, segment: id)
        output.writeUInt32(documentCount)
        output.writeVarUInt64(UInt64(schemaFieldCount))
        output.writeVarUInt64(UInt64(fields.count))
        for stats in fields {
            output.writeVarUInt64(UInt64(stats.field))
            output.writeVarUInt64(stats.documentCount)
            output.writeVarUInt64(stats.sumTotalTermFrequency)
            output.writeVarUInt64(stats.sumDocumentFrequency)
            output.writeVarUInt64(stats.termCount)
        }
        try output.finish(sync: sync)
    }

    /// Reads `<id>.seg` from `directory`, checking it against the manifest's document count.
    public init(directory: String, segment: SegmentID, expectedDocumentCount: UInt32) throws(IndexError) {
        let file = try IndexFile(
            path: Self.path(directory: directory, segment: segment, kind: .segmentInfo), kind: .segmentInfo,
            segment: segment)
        var input = file.input
        id = segment
        documentCount = try input.readUInt32()
        guard documentCount == expectedDocumentCount else {
            throw .corrupt(
                file: file.fileName,
                reason: "has \(documentCount) documents, the manifest says \(expectedDocumentCount)")
        }
        schemaFieldCount = try input.readCount(limit: 1 << 16, what: "schema field count")
        let count = try input.readCount(limit: schemaFieldCount, what: "field statistics count")
        fields = []
        for _ in 0..<count {
            let field = try input.readCount(limit: schemaFieldCount - 1, what: "field number")
            let stats = FieldStatistics(
                field: UInt32(field),
                documentCount: try input.readVarUInt64(),
                sumTotalTermFrequency: try input.readVarUInt64(),
                sumDocumentFrequency: try input.readVarUInt64(),
                termCount: try input.readVarUInt64()
            )
            guard stats.documentCount <= UInt64(documentCount),
                stats.sumDocumentFrequency <= stats.sumTotalTermFrequency
            else {
                throw .corrupt(file: file.fileName, reason: "statistics of field \(field) are inconsistent")
            }
            if let last = fields.last, last.field >= stats.field {
                throw .corrupt(file: file.fileName, reason: "field statistics out of order")
            }
            fields.append(stats)
        }
        guard input.remaining == 0 else { throw .corrupt(file: file.fileName, reason: "trailing bytes") }
    }
}
