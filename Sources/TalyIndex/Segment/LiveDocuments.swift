/// Which documents of a segment are still live, as a bitmap (bit set = live). Segments are
/// immutable; deletes are a new live-documents file per commit generation
/// (`<segment>_<generation>.live`), so readers of an older commit keep their own view.
///
/// Body layout: `document count u32 | deleted count u32 | ceil(count / 64) u64 words`, bit `d % 64`
/// of word `d / 64` for document `d`; bits past the document count are zero.
public struct LiveDocuments: Sendable, Hashable {
    /// Documents in the segment.
    public let documentCount: UInt32
    private var words: [UInt64]
    /// Documents deleted.
    public private(set) var deletedCount: UInt32

    /// Every document live.
    public init(documentCount: UInt32) {
        self.documentCount = documentCount
        let wordCount = (Int(documentCount) + 63) / 64
        words = Array(repeating: UInt64.max, count: wordCount)
        let tail = Int(documentCount) % 64
        if tail != 0 { words[wordCount - 1] = (1 << UInt64(tail)) - 1 }
        deletedCount = 0
    }

    /// The bitmap's words, for ``DocBitSet`` to share.
    var liveWords: [UInt64] { words }

    /// Whether `document` is live.
    @inline(__always)
    public func isLive(_ document: UInt32) -> Bool {
        words[Int(document >> 6)] & (1 << UInt64(document & 63)) != 0
    }

    /// Marks `document` deleted; returns false when it already was.
    @discardableResult
    public mutating func delete(_ document: UInt32) -> Bool {
        precondition(document < documentCount, "document \(document) is outside the segment")
        let bit: UInt64 = 1 << UInt64(document & 63)
        let index = Int(document >> 6)
        guard words[index] & bit != 0 else { return false }
        words[index] &= ~bit
        deletedCount += 1
        return true
    }

    /// The file name of the live documents of `segment` at `generation`.
    public static func fileName(segment: SegmentID, generation: UInt64) -> String {
        "\(segment)_\(generation).\(IndexFileKind.liveDocuments.fileExtension)"
    }

    /// Writes the bitmap for `segment` (framed, checksummed).
    public func write(to path: String, segment: SegmentID, sync: Bool) throws(IndexError) {
        let output = try IndexOutput(path: path, kind: .liveDocuments, segment: segment)
        output.writeUInt32(documentCount)
        output.writeUInt32(deletedCount)
        for word in words { output.writeUInt64(word) }
        try output.finish(sync: sync)
    }

    /// Reads a bitmap, checking it against the segment's document count.
    public init(path: String, segment: SegmentID, documentCount expected: UInt32) throws(IndexError) {
        let file = try IndexFile(path: path, kind: .liveDocuments, segment: segment)
        var input = file.input
        documentCount = try input.readUInt32()
        guard documentCount == expected else {
            throw .corrupt(
                file: file.fileName, reason: "covers \(documentCount) documents, the segment has \(expected)")
        }
        let stored = try input.readUInt32()
        let wordCount = (Int(documentCount) + 63) / 64
        try input.require(wordCount * 8)
        words = []
        words.reserveCapacity(wordCount)
        var live = 0
        for _ in 0..<wordCount {
            let word = try input.readUInt64()
            live += word.nonzeroBitCount
            words.append(word)
        }
        let tail = Int(documentCount) % 64
        if tail != 0, words[wordCount - 1] >> UInt64(tail) != 0 {
            throw .corrupt(file: file.fileName, reason: "bits set past the last document")
        }
        guard input.remaining == 0 else { throw .corrupt(file: file.fileName, reason: "trailing bytes") }
        guard Int(documentCount) - live == Int(stored) else {
            throw .corrupt(
                file: file.fileName,
                reason: "header says \(stored) deleted, the bitmap has \(Int(documentCount) - live)")
        }
        deletedCount = stored
    }
}
