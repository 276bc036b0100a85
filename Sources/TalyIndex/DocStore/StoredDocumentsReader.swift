import Synchronization

/// The `.store` file of a segment, opened: the block index is loaded and checked, and each
/// fetch decompresses at most one block.
///
/// Readers are shared across query threads. The last ``cachedBlockLimit`` decompressed blocks
/// are cached behind a `Mutex` (held only to look up or insert, never while decompressing), so
/// fetching several hits from one block, the usual case for a page of nearby results, pays for
/// one decompression. Decompression contexts come from a process-wide pool
/// (``ZstdDecompressor``), so concurrent fetches never wait for each other's zstd work and none
/// pays for creating a context.
public final class StoredDocumentsReader: Sendable {
    /// The verified file, which keeps the mapping alive.
    public let file: IndexFile
    /// Documents in the segment.
    public let docCount: Int
    private let blocks: [StoredBlock]
    private let cache = Mutex(BlockCache())

    /// Decompressed blocks kept per reader. On the 962 bench-game queries (top 10 hits each)
    /// a fetch finds its block among the last 4 more often than in the last one only, and more
    /// than 4 adds little (BENCHMARKS.md, "Stored-document fetch"); 4 blocks are at most 128 KiB.
    public static let cachedBlockLimit = 4

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

    /// The numbers of the cached blocks, least recently used first (for tests).
    var cachedBlockNumbers: [Int] { cache.withLock { $0.numbers } }

    /// The stored bytes of `doc`, decompressing its block unless it is the cached one.
    public func document(_ doc: UInt32) throws(IndexError) -> [UInt8] {
        precondition(Int(doc) < docCount, "doc \(doc) out of range 0..<\(docCount)")
        let number = blockNumber(containing: doc)
        if let hit = cache.withLock({ $0.document(doc, inBlock: number) }) {
            return hit
        }
        let decoded = try decode(number)
        let result = decoded.document(doc)
        cache.withLock { $0.insert(decoded, limit: Self.cachedBlockLimit) }
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

    /// The block whose doc range holds `doc` (binary search over first doc ids); public so that
    /// benchmarks can replay a fetch sequence against other cache sizes.
    public func blockNumber(containing doc: UInt32) -> Int {
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

/// The most recently used decompressed blocks, most recent last.
private struct BlockCache: Sendable {
    private var blocks: [DecodedBlock] = []

    var numbers: [Int] { blocks.map(\.number) }

    /// The bytes of `doc` if block `number` is cached, marking it most recently used.
    mutating func document(_ doc: UInt32, inBlock number: Int) -> [UInt8]? {
        for index in blocks.indices where blocks[index].number == number {
            let block = blocks.remove(at: index)
            blocks.append(block)
            return block.document(doc)
        }
        return nil
    }

    /// Adds `block` as the most recently used, evicting the least recently used beyond `limit`.
    mutating func insert(_ block: DecodedBlock, limit: Int) {
        // Two threads may decode the same block at once; keep one copy.
        blocks.removeAll { $0.number == block.number }
        if blocks.count >= limit { blocks.removeFirst(blocks.count - limit + 1) }
        blocks.append(block)
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
