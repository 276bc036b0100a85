/// Writes the `.store` file of a segment: opaque per-document payloads, in doc-id order, in
/// zstd-compressed blocks of about ``defaultBlockSize`` raw bytes (layout in
/// `docs/format/stored-documents.md`).
///
/// A block is flushed once its raw bytes reach the block size; a document at least that large
/// is flushed alone, so fetching a small document never decompresses a huge neighbour.
public final class StoredDocumentsWriter {
    /// The raw bytes a block gathers before it is compressed: big enough for zstd to find
    /// repetition across documents, small enough that fetching one document stays cheap (one
    /// block of at most 32 KiB plus the document that filled it: about 20 µs of zstd). On the
    /// bench-game feed (stored ids of about 21 bytes) 32 KiB blocks are 2% smaller than 16 KiB.
    public static let defaultBlockSize = 32 * 1024

    /// Documents added so far; the next one gets this doc id.
    public private(set) var docCount = 0
    private let output: IndexOutput
    private let blockSize: Int
    private let level: Int32
    private var lengths: [Int] = []
    private var payload: [UInt8] = []
    private var index: [StoredBlock] = []
    private var scratch: [UInt8] = []

    /// Creates the `.store` file of `segment` at `path`, compressing blocks of `blockSize` raw
    /// bytes at zstd `level`.
    public init(
        path: String, segment: SegmentID, blockSize: Int = defaultBlockSize, level: Int32 = Zstd.defaultLevel
    ) throws(IndexError) {
        precondition(blockSize > 0, "block size must be positive")
        self.blockSize = blockSize
        self.level = level
        output = try IndexOutput(path: path, kind: .storedDocuments, segment: segment)
        payload.reserveCapacity(blockSize * 2)
    }

    /// Appends the next document's stored bytes.
    public func add(_ document: UnsafeRawBufferPointer) throws(IndexError) {
        precondition(docCount < Int(UInt32.max), "too many documents")
        precondition(document.count <= Int(UInt32.max), "a document of \(document.count) bytes exceeds 4 GiB")
        if document.count >= blockSize, !lengths.isEmpty { try flush() }
        lengths.append(document.count)
        payload.append(contentsOf: document)
        docCount += 1
        if payload.count >= blockSize { try flush() }
    }

    /// Appends the next document's stored bytes.
    public func add(_ document: [UInt8]) throws(IndexError) {
        // `withUnsafeBytes` rethrows untyped errors, so carry the typed error out in a `Result`.
        let outcome = document.withUnsafeBytes { bytes in Result { () throws(IndexError) in try add(bytes) } }
        try outcome.get()
    }

    /// Compresses the buffered documents as one block: their lengths as varints, then their bytes.
    private func flush() throws(IndexError) {
        guard !lengths.isEmpty else { return }
        scratch.removeAll(keepingCapacity: true)
        for length in lengths { VByte.append(UInt32(length), to: &scratch) }
        scratch.append(contentsOf: payload)
        precondition(scratch.count <= Int(UInt32.max), "a block of \(scratch.count) raw bytes exceeds 4 GiB")
        let frame = scratch.withUnsafeBytes { Zstd.compress($0, level: level) }
        index.append(
            StoredBlock(
                firstDoc: UInt32(docCount - lengths.count), docCount: UInt32(lengths.count),
                offset: output.offset - IndexFileLayout.headerSize, compressedLength: UInt32(frame.count),
                rawLength: UInt32(scratch.count)))
        output.writeBytes(frame)
        lengths.removeAll(keepingCapacity: true)
        payload.removeAll(keepingCapacity: true)
    }

    /// Flushes the last block, writes the block index and trailer, then the footer; `sync`
    /// fsyncs the file.
    public func finish(sync: Bool) throws(IndexError) {
        try flush()
        let indexOffset = output.offset - IndexFileLayout.headerSize
        for block in index {
            output.writeUInt32(block.firstDoc)
            output.writeUInt32(block.docCount)
            output.writeUInt64(UInt64(block.offset))
            output.writeUInt32(block.compressedLength)
            output.writeUInt32(block.rawLength)
        }
        output.writeUInt64(UInt64(indexOffset))
        output.writeUInt32(UInt32(index.count))
        output.writeUInt32(UInt32(docCount))
        try output.finish(sync: sync)
    }
}

/// One entry of the block index of a `.store` file.
struct StoredBlock: Equatable {
    /// Doc id of the block's first document.
    var firstDoc: UInt32
    /// Documents in the block (at least one).
    var docCount: UInt32
    /// Offset of the zstd frame from the start of the body.
    var offset: Int
    /// Bytes of the zstd frame.
    var compressedLength: UInt32
    /// Bytes of the decompressed block (length varints and payloads).
    var rawLength: UInt32

    /// Bytes of one serialized entry.
    static let size = 24
}
