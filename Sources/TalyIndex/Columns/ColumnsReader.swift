/// The `.cols` file of a segment, opened: its directory parsed and every column's structure
/// validated, so column reads afterwards need no checks against the mapping.
///
/// Opening costs time linear in the column data (every ordinal and offset is range-checked once,
/// so a crafted file cannot make a later read trap); reads are O(1). Immutable and `Sendable`.
public struct ColumnsReader: Sendable {
    /// The verified file, which keeps the mapping alive.
    public let file: IndexFile
    /// Documents in the segment.
    public let docCount: Int
    private let keyword: [UInt32: KeywordColumn]
    private let numeric: [UInt32: NumericColumn]

    /// Bytes of the fixed trailer at the end of the body.
    static let trailerSize = 16

    /// Opens and verifies the `.cols` file at `path`.
    public init(path: String, segment: SegmentID) throws(IndexError) {
        try self.init(file: IndexFile(path: path, kind: .columns, segment: segment))
    }

    /// Reads and validates the directory and every column of an already-verified file.
    public init(file: IndexFile) throws(IndexError) {
        self.file = file
        let name = file.fileName
        guard file.bodyLength >= Self.trailerSize else {
            throw .corrupt(file: name, reason: "body of \(file.bodyLength) bytes has no room for its trailer")
        }
        var input = file.input
        try input.seek(to: file.bodyLength - Self.trailerSize)
        let directoryEnd = input.position
        let rawDirectoryOffset = try input.readUInt64()
        let columnCount = Int(try input.readUInt32())
        docCount = Int(try input.readUInt32())
        guard rawDirectoryOffset <= UInt64(directoryEnd) else {
            throw .corrupt(file: name, reason: "directory offset \(rawDirectoryOffset) is past its end \(directoryEnd)")
        }
        let directoryOffset = Int(rawDirectoryOffset)
        var directory = IndexInput(
            bytes: UnsafeRawBufferPointer(rebasing: file.body[directoryOffset..<directoryEnd]), fileName: name,
            baseOffset: file.bodyOffset + directoryOffset)
        var keyword: [UInt32: KeywordColumn] = [:]
        var numeric: [UInt32: NumericColumn] = [:]
        var previous: UInt32?
        for _ in 0..<columnCount {
            let descriptor = try ColumnDescriptor.read(from: &directory, docCount: docCount, dataEnd: directoryOffset)
            if let previous, descriptor.field <= previous {
                throw .corrupt(file: name, reason: "column fields not ascending: \(descriptor.field) after \(previous)")
            }
            previous = descriptor.field
            switch descriptor {
            case .keyword(let entry): keyword[entry.field] = try KeywordColumn(entry, file: file, docCount: docCount)
            case .numeric(let entry): numeric[entry.field] = try NumericColumn(entry, file: file, docCount: docCount)
            }
        }
        guard directory.remaining == 0 else {
            throw .corrupt(file: name, reason: "\(directory.remaining) stray bytes after the column directory")
        }
        self.keyword = keyword
        self.numeric = numeric
    }

    /// Field numbers that have a column, ascending.
    public var fieldNumbers: [UInt32] { (Array(keyword.keys) + Array(numeric.keys)).sorted() }

    /// The keyword column of `field`, or nil when the field has none (or a numeric one).
    public func keywordColumn(field: UInt32) -> KeywordColumn? { keyword[field] }

    /// The numeric column of `field`, or nil when the field has none (or a keyword one).
    public func numericColumn(field: UInt32) -> NumericColumn? { numeric[field] }
}

extension PackedIntsReader {
    /// A view of `section` in `file`'s body; the section was bounds-checked by the directory.
    init(_ section: PackedSection, in file: IndexFile) {
        self.init(base: file.body.baseAddress! + section.offset, count: section.count, bitWidth: section.bitWidth)
    }

    /// Throws unless the values are `0`, non-decreasing and end at `total`: the shape of a
    /// per-document start-offset array.
    func validateStarts(total: Int, file: String, what: String) throws(IndexError) {
        var previous: UInt64 = 0
        for index in 0..<count {
            let value = self[unchecked: index]
            guard value >= previous, index > 0 || value == 0 else {
                throw .corrupt(file: file, reason: "\(what): offset \(value) at \(index) goes backwards")
            }
            previous = value
        }
        guard previous == UInt64(total) else {
            throw .corrupt(file: file, reason: "\(what) end at \(previous), expected \(total)")
        }
    }
}
