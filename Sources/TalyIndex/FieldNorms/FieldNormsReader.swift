/// The `.norms` file of a segment, opened: one zero-copy byte array per text field.
///
/// Immutable and `Sendable`: one reader serves every query thread of a segment.
public struct FieldNormsReader: Sendable {
    /// The verified file, which keeps the mapping alive.
    public let file: IndexFile
    /// Documents in the segment (bytes per field).
    public let docCount: Int
    /// Field numbers with norms, strictly ascending.
    public let fieldNumbers: [UInt32]
    private let normsStart: Int

    /// Opens and verifies the `.norms` file at `path`.
    public init(path: String, segment: SegmentID) throws(IndexError) {
        try self.init(file: IndexFile(path: path, kind: .fieldNorms, segment: segment))
    }

    /// Reads the structure of an already-verified file; its size must match exactly.
    public init(file: IndexFile) throws(IndexError) {
        self.file = file
        var input = file.input
        let docs = Int(try input.readUInt32())
        let fieldCount = Int(try input.readUInt32())
        // 64-bit products of two 32-bit values cannot overflow.
        let expected = 8 + 4 * fieldCount + fieldCount * docs
        guard expected == file.bodyLength else {
            throw .corrupt(
                file: file.fileName,
                reason:
                    "\(fieldCount) fields × \(docs) documents need a \(expected)-byte body, found \(file.bodyLength)"
            )
        }
        var numbers: [UInt32] = []
        numbers.reserveCapacity(fieldCount)
        for _ in 0..<fieldCount {
            let number = try input.readUInt32()
            if let last = numbers.last, number <= last {
                throw .corrupt(file: file.fileName, reason: "field numbers not ascending: \(number) after \(last)")
            }
            numbers.append(number)
        }
        docCount = docs
        fieldNumbers = numbers
        normsStart = input.position
    }

    /// The norms of `field`, or nil when the segment has none for it.
    public func norms(field: UInt32) -> FieldNorms? {
        // Binary search: a segment has few text fields, and this runs once per query term.
        var low = 0
        var high = fieldNumbers.count
        while low < high {
            let middle = (low + high) / 2
            if fieldNumbers[middle] < field { low = middle + 1 } else { high = middle }
        }
        guard low < fieldNumbers.count, fieldNumbers[low] == field else { return nil }
        let start = normsStart + low * docCount
        return FieldNorms(bytes: UnsafeRawBufferPointer(rebasing: file.body[start..<start + docCount]), file: file)
    }
}

/// The norm bytes of one field, indexed by doc id, read straight from the mapping.
// @unchecked: `bytes` points into a read-only mapping that `file` retains; nothing mutates it.
public struct FieldNorms: @unchecked Sendable {
    /// One byte per document (``SmallFloat`` codes); valid while this value (which retains the
    /// mapping) lives.
    public let bytes: UnsafeRawBufferPointer
    // Retains the mapping, so `bytes` cannot dangle.
    private let file: IndexFile

    init(bytes: UnsafeRawBufferPointer, file: IndexFile) {
        self.bytes = bytes
        self.file = file
    }

    /// Documents covered.
    public var count: Int { bytes.count }

    /// The norm byte of `doc`; `doc` must be below the segment's document count.
    @inline(__always)
    public subscript(doc: UInt32) -> UInt8 {
        precondition(Int(doc) < bytes.count, "doc \(doc) out of range 0..<\(bytes.count)")
        return bytes[Int(doc)]
    }

    /// The (quantized) length of the field in `doc`.
    public func length(doc: UInt32) -> UInt32 { SmallFloat.byte4ToInt(self[doc]) }
}
