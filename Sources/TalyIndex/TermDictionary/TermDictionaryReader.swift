/// Reads the `.terms` file of one segment: checks its directory and loads each field's sparse
/// block index into memory on open, then answers lookups and enumerations per field through
/// ``FieldTerms``. Immutable and `Sendable`: one reader serves every query on the segment.
public struct TermDictionaryReader: Sendable {
    /// The opened file; its mapping stays alive as long as the reader or any ``FieldTerms``.
    public let file: IndexFile
    /// The numbers of the fields present, in increasing order.
    public let fields: [UInt32]
    private let sections: [FieldTerms]

    /// Opens and verifies `path` as the term dictionary of `segment`.
    public init(path: String, segment: SegmentID) throws(IndexError) {
        try self.init(file: IndexFile(path: path, kind: .termDictionary, segment: segment))
    }

    /// Reads the directory and sparse indexes of an opened `.terms` file.
    public init(file: IndexFile) throws(IndexError) {
        self.file = file
        let name = file.fileName
        var header = IndexInput(bytes: file.mapping.bytes, fileName: name)
        let magic = try header.readUInt32()
        let expected = IndexFileKind.termDictionary.magic
        guard magic == expected else { throw .badMagic(file: name, expected: expected, found: magic) }
        let body = file.body
        guard body.count >= TermDictionaryLayout.trailerSize + 1 else {
            throw .truncated(
                file: name, offset: file.bodyOffset, needed: TermDictionaryLayout.trailerSize + 1,
                available: body.count)
        }
        var trailer = file.input
        trailer.position = body.count - TermDictionaryLayout.trailerSize
        let directoryEnd = trailer.position
        let storedOffset = try trailer.readUInt64()
        guard storedOffset < UInt64(directoryEnd) else {
            throw .corrupt(
                file: name, reason: "directory offset \(storedOffset) is outside the \(directoryEnd)-byte body")
        }
        let directoryOffset = Int(storedOffset)
        var directory = IndexInput(
            bytes: UnsafeRawBufferPointer(rebasing: body[directoryOffset..<directoryEnd]), fileName: name,
            baseOffset: file.bodyOffset + directoryOffset)
        // Each field takes at least 7 bytes, which bounds the count before anything is allocated.
        let fieldCount = try directory.readCount(limit: directory.remaining / 7, what: "field count")
        var numbers: [UInt32] = []
        var sections: [FieldTerms] = []
        numbers.reserveCapacity(fieldCount)
        sections.reserveCapacity(fieldCount)
        var previousEnd = 0
        for _ in 0..<fieldCount {
            let at = file.bodyOffset + directoryOffset + directory.position
            let number = try directory.readCount(limit: Int(UInt32.max), what: "field number")
            if let last = numbers.last, number <= Int(last) {
                throw .corrupt(file: name, reason: "field \(number) at byte \(at) follows field \(last)")
            }
            let termCount = try directory.readCount(limit: Int.max, what: "term count")
            let blockCount = try directory.readCount(limit: termCount, what: "block count")
            let maxTermLength = try directory.readCount(
                limit: TermDictionaryLayout.maxTermLength, what: "maximum term length")
            let blocksOffset = try directory.readCount(limit: directoryOffset, what: "blocks offset")
            let indexOffset = try directory.readCount(limit: directoryOffset, what: "sparse index offset")
            let indexLength = try directory.readCount(
                limit: directoryOffset - indexOffset, what: "sparse index length")
            guard blocksOffset >= previousEnd, indexOffset >= blocksOffset else {
                throw .corrupt(
                    file: name,
                    reason: "field \(number): blocks [\(blocksOffset), \(indexOffset)) overlap the previous field "
                        + "(which ends at \(previousEnd)) or are reversed")
            }
            guard (termCount == 0) == (blockCount == 0) else {
                throw .corrupt(file: name, reason: "field \(number): \(termCount) terms in \(blockCount) blocks")
            }
            previousEnd = indexOffset + indexLength
            let section = try FieldTerms(
                file: file, number: UInt32(number), termCount: termCount, blockCount: blockCount,
                maxTermLength: maxTermLength, blocksOffset: blocksOffset, indexOffset: indexOffset,
                indexLength: indexLength)
            numbers.append(UInt32(number))
            sections.append(section)
        }
        guard directory.remaining == 0 else {
            throw .corrupt(file: name, reason: "\(directory.remaining) unexpected bytes after the field directory")
        }
        fields = numbers
        self.sections = sections
    }

    /// The terms of field `number`, or nil when the segment indexed no such field.
    public func terms(forField number: UInt32) -> FieldTerms? {
        sectionIndex(ofField: number).map { sections[$0] }
    }

    /// The entry of `term` in field `number`, or nil when the segment has no such field or the field no such
    /// term.
    public func lookup(_ term: UnsafeRawBufferPointer, field number: UInt32) throws(IndexError) -> TermInfo? {
        guard let index = sectionIndex(ofField: number) else { return nil }
        return try sections[index].lookup(term)
    }

    /// The index in ``fields`` (and the sections) of field `number`.
    private func sectionIndex(ofField number: UInt32) -> Int? {
        var low = 0
        var high = fields.count
        while low < high {
            let middle = (low + high) / 2
            if fields[middle] < number { low = middle + 1 } else { high = middle }
        }
        return low < fields.count && fields[low] == number ? low : nil
    }
}

/// One entry of a field's in-memory sparse index: where a block is and what it starts with.
struct TermBlockEntry {
    /// Body offset of the block's first term (inside the sparse index section of the file).
    var keyOffset: Int
    /// Body offset of the block.
    var blockOffset: Int
    /// Ordinal of the block's first term within the field.
    var ordinal: Int
    /// Length of the block's first term.
    var keyLength: UInt32
    /// Number of terms in the block.
    var termCount: UInt32
}

extension FieldTerms {
    /// Reads the sparse index of a field described by the directory, checking that blocks tile
    /// the block area exactly, counts add up, and first terms strictly increase.
    convenience init(
        file: IndexFile, number: UInt32, termCount: Int, blockCount: Int, maxTermLength: Int, blocksOffset: Int,
        indexOffset: Int, indexLength: Int
    ) throws(IndexError) {
        let name = file.fileName
        let body = file.body
        var input = IndexInput(
            bytes: UnsafeRawBufferPointer(rebasing: body[indexOffset..<indexOffset + indexLength]), fileName: name,
            baseOffset: file.bodyOffset + indexOffset)
        // Each entry takes at least 3 bytes, which bounds the allocation before reading.
        guard blockCount <= indexLength / 3 else {
            throw .corrupt(
                file: name, reason: "field \(number): \(blockCount) blocks cannot fit a \(indexLength)-byte index")
        }
        var entries: [TermBlockEntry] = []
        entries.reserveCapacity(blockCount)
        var blockOffset = blocksOffset
        var ordinal = 0
        for block in 0..<blockCount {
            let keyLength = try input.readCount(limit: maxTermLength, what: "first-term length")
            let keyOffset = indexOffset + input.position
            let key = try input.readBytes(keyLength)
            let blockLength = try input.readCount(limit: indexOffset - blockOffset, what: "block length")
            let count = try input.readCount(limit: TermDictionaryLayout.maxBlockSize, what: "block term count")
            guard blockLength >= 1, count >= 1 else {
                throw .corrupt(
                    file: name, reason: "field \(number) block \(block): \(count) terms in \(blockLength) bytes")
            }
            if let previous = entries.last {
                let previousKey = UnsafeRawBufferPointer(
                    rebasing: body[previous.keyOffset..<previous.keyOffset + Int(previous.keyLength)])
                guard TermBytes.compareBuffers(previousKey, key) < 0 else {
                    throw .corrupt(
                        file: name,
                        reason: "field \(number): sparse index unsorted, block \(block) starts with a term not "
                            + "greater than block \(block - 1)'s")
                }
            }
            entries.append(
                TermBlockEntry(
                    keyOffset: keyOffset, blockOffset: blockOffset, ordinal: ordinal, keyLength: UInt32(keyLength),
                    termCount: UInt32(count)))
            blockOffset += blockLength
            ordinal += count
        }
        guard blockOffset == indexOffset, ordinal == termCount, input.remaining == 0 else {
            throw .corrupt(
                file: name,
                reason: "field \(number): sparse index covers \(blockOffset - blocksOffset) bytes and \(ordinal) "
                    + "terms with \(input.remaining) bytes left, directory says \(indexOffset - blocksOffset) "
                    + "bytes and \(termCount) terms")
        }
        self.init(
            file: file, fieldNumber: number, termCount: termCount, maxTermLength: maxTermLength, blocks: entries,
            blocksEnd: indexOffset)
    }
}

extension TermBytes {
    /// ``compare(_:_:_:_:)`` over buffers that may be empty (and then have no base address).
    static func compareBuffers(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        guard let aBase = a.baseAddress, let bBase = b.baseAddress else {
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        }
        return compare(aBase, a.count, bBase, b.count)
    }
}
