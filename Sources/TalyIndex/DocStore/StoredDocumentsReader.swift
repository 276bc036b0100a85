import Synchronization

/// The `.store` file of a segment, opened: the block index is loaded and checked, and each
/// fetch decompresses exactly one block.
///
/// Readers are shared across query threads. The last decompressed block is cached behind a
/// `Mutex` (held only to look up or replace the cache, never while decompressing), so
/// fetching several hits from one block, the usual case for a page of nearby results, pays for
/// one decompression.
public final class StoredDocumentsReader: Sendable {
    /// The verified file, which keeps the mapping alive.
    public let file: IndexFile
    /// Documents in the segment.
    public let docCount: Int
    private let blocks: [StoredBlock]
    private let cache = Mutex<DecodedBlock?>(nil)

    /// Bytes of the fixed trailer at the end of the body.
    static let trailerSize = 16

    /// Opens and verifies the `.store` file at `path`.
    public convenience init(path: String, segment: SegmentID) throws(IndexError) {
        try self.init(file: IndexFile(path: path, kind: .storedDocuments, segment: segment))
    }

    /// Loads and validates the block index of an already-verified file.
    public init(file: IndexFile) throws(IndexError) {
        self.file = file
        let name = file.fileName
        guard file.bodyLength >= Self.trailerSize else {
            throw .corrupt(file: name, reason: "body of \(file.bodyLength) bytes has no room for its trailer")
        }
        var input = file.input
        try input.seek(to: file.bodyLength - Self.trailerSize)
        let rawIndexOffset = try input.readUInt64()
        let blockCount = Int(try input.readUInt32())
        docCount = Int(try input.readUInt32())
        let indexEnd = file.bodyLength - Self.trailerSize
        guard rawIndexOffset <= UInt64(indexEnd), indexEnd - Int(rawIndexOffset) == blockCount * StoredBlock.size else {
            throw .corrupt(
                file: name,
                reason:
                    "block index of \(blockCount) entries at \(rawIndexOffset) does not end at the trailer (\(indexEnd))"
            )
        }
        let indexOffset = Int(rawIndexOffset)
        try input.seek(to: indexOffset)
        var blocks: [StoredBlock] = []
        blocks.reserveCapacity(blockCount)
        // Blocks must tile the documents and the bytes before the index exactly, in order.
        var nextDoc = 0
        var nextOffset = 0
        for number in 0..<blockCount {
            let block = StoredBlock(
                firstDoc: try input.readUInt32(), docCount: try input.readUInt32(),
                offset: Int(clamping: try input.readUInt64()), compressedLength: try input.readUInt32(),
                rawLength: try input.readUInt32())
            guard block.firstDoc == nextDoc, block.docCount > 0, block.offset == nextOffset,
                block.compressedLength > 0, block.rawLength >= block.docCount
            else {
                throw .corrupt(
                    file: name,
                    reason: "block \(number) (first doc \(block.firstDoc), \(block.docCount) docs, offset "
                        + "\(block.offset), \(block.compressedLength) → \(block.rawLength) bytes) does not follow "
                        + "doc \(nextDoc) at offset \(nextOffset)")
            }
            nextDoc += Int(block.docCount)
            nextOffset += Int(block.compressedLength)
            blocks.append(block)
        }
        guard nextDoc == docCount, nextOffset == indexOffset else {
            throw .corrupt(
                file: name,
                reason:
                    "blocks hold \(nextDoc) documents in \(nextOffset) bytes, expected \(docCount) in \(indexOffset)")
        }
        self.blocks = blocks
    }

    /// Number of compressed blocks.
    public var blockCount: Int { blocks.count }

    /// The stored bytes of `doc`, decompressing its block unless it is the cached one.
    public func document(_ doc: UInt32) throws(IndexError) -> [UInt8] {
        precondition(Int(doc) < docCount, "doc \(doc) out of range 0..<\(docCount)")
        let number = blockNumber(containing: doc)
        if let hit = cache.withLock({ cached in cached?.number == number ? cached?.document(doc) : nil }) {
            return hit
        }
        let decoded = try decode(number)
        let result = decoded.document(doc)
        cache.withLock { $0 = decoded }
        return result
    }

    /// Calls `body` with every document in doc-id order, decompressing each block once (merges).
    public func forEachDocument(
        _ body: (_ doc: UInt32, _ bytes: UnsafeRawBufferPointer) throws(IndexError) -> Void
    ) throws(IndexError) {
        for number in blocks.indices {
            let decoded = try decode(number)
            // `withUnsafeBytes` rethrows untyped errors, so carry the typed error out in a `Result`.
            let outcome = decoded.raw.withUnsafeBytes { raw in
                Result { () throws(IndexError) in
                    for index in 0..<decoded.starts.count - 1 {
                        let slice = UnsafeRawBufferPointer(
                            rebasing: raw[decoded.starts[index]..<decoded.starts[index + 1]])
                        try body(decoded.firstDoc + UInt32(index), slice)
                    }
                }
            }
            try outcome.get()
        }
    }

    /// The block whose doc range holds `doc` (binary search over first doc ids).
    private func blockNumber(containing doc: UInt32) -> Int {
        var low = 0
        var high = blocks.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if blocks[middle].firstDoc <= doc { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// Decompresses block `number` and splits it into documents, checking its inner structure.
    private func decode(_ number: Int) throws(IndexError) -> DecodedBlock {
        let block = blocks[number]
        let name = file.fileName
        let frame = UnsafeRawBufferPointer(
            rebasing: file.body[block.offset..<block.offset + Int(block.compressedLength)])
        let raw: [UInt8]
        do {
            raw = try Zstd.decompress(frame, expectedSize: Int(block.rawLength))
        } catch {
            throw .corrupt(file: name, reason: "block \(number) at body offset \(block.offset): \(error)")
        }
        var starts = [Int](repeating: 0, count: Int(block.docCount) + 1)
        let valid: Bool = raw.withUnsafeBytes { bytes in
            var position = 0
            var total = 0
            for index in 0..<Int(block.docCount) {
                guard let length = try? VByte.decode(from: bytes, at: &position) else { return false }
                total += Int(length)
                starts[index + 1] = total
            }
            guard total == bytes.count - position else { return false }
            for index in starts.indices { starts[index] += position }
            return true
        }
        guard valid else {
            throw .corrupt(
                file: name, reason: "block \(number): document lengths do not add up to its \(raw.count) raw bytes")
        }
        return DecodedBlock(number: number, firstDoc: block.firstDoc, raw: raw, starts: starts)
    }
}

/// One decompressed block: its bytes and where each document starts in them.
private struct DecodedBlock: Sendable {
    let number: Int
    let firstDoc: UInt32
    let raw: [UInt8]
    /// `docCount + 1` offsets into `raw`; document i is `starts[i]..<starts[i + 1]`.
    let starts: [Int]

    func document(_ doc: UInt32) -> [UInt8] {
        let index = Int(doc - firstDoc)
        return Array(raw[starts[index]..<starts[index + 1]])
    }
}
