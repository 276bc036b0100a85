/// Where one packed array lies in the body of a `.cols` file.
struct PackedSection: Equatable {
    /// Byte offset from the start of the body.
    var offset: Int
    /// Bits per value, 0 to 64.
    var bitWidth: Int
    /// Number of values.
    var count: Int

    /// Bytes the section takes, padding included.
    var byteCount: Int { PackedInts.byteCount(count: count, bitWidth: bitWidth) }
}

/// How the ordinals of a keyword column are laid out per document.
enum KeywordLayout: UInt8 {
    /// At most one value per document: `ordinal + 1` per doc, 0 when missing.
    case single = 0
    /// Any number of values: per-doc start offsets into a flat ordinal array.
    case multi = 1
}

/// How the values of a numeric column are laid out per document.
enum NumericLayout: UInt8 {
    /// No document has a value: nothing is stored.
    case empty = 0
    /// Every document has exactly one value.
    case dense = 1
    /// At most one value per document, with a presence bitmap.
    case sparse = 2
    /// Any number of values: per-doc start offsets into a flat value array.
    case multi = 3
}

/// The directory entry of one column: everything needed to find and read its sections.
enum ColumnDescriptor {
    /// A keyword column.
    case keyword(KeywordDescriptor)
    /// A numeric column.
    case numeric(NumericDescriptor)

    /// The field number.
    var field: UInt32 {
        switch self {
        case .keyword(let descriptor): descriptor.field
        case .numeric(let descriptor): descriptor.field
        }
    }
}

/// The directory entry of a keyword column.
struct KeywordDescriptor {
    var field: UInt32
    var layout: KeywordLayout
    /// Distinct values (dictionary size).
    var valueCount: Int
    /// The concatenated dictionary values: offset and length in the body.
    var dictionaryOffset: Int
    var dictionaryLength: Int
    /// `valueCount + 1` byte offsets into the dictionary bytes.
    var dictionaryStarts: PackedSection
    /// Multi layout only: `docCount + 1` offsets into `ordinals`.
    var docStarts: PackedSection?
    /// Single layout: `ordinal + 1` (0 = missing) per doc; multi: the flat ordinal array.
    var ordinals: PackedSection
}

/// The directory entry of a numeric column; a value is `min + packed · gcd` (wrapping).
struct NumericDescriptor {
    var field: UInt32
    var valueType: NumericValueType
    var layout: NumericLayout
    var minValue: Int64
    var maxValue: Int64
    var gcd: UInt64
    /// Sparse layout only: offset in the body of the `ceil(docCount / 8)`-byte presence bitmap.
    var presenceOffset: Int?
    /// Multi layout only: `docCount + 1` offsets into `values`.
    var docStarts: PackedSection?
    /// Dense and sparse: one per doc; multi: the flat value array; empty: count 0.
    var values: PackedSection
}

extension ColumnDescriptor {
    static let keywordKind: UInt8 = 1
    static let numericKind: UInt8 = 2

    /// Appends the entry (grammar in `docs/format/columns.md`).
    func write(to output: IndexOutput) {
        func section(_ section: PackedSection) {
            output.writeVarUInt64(UInt64(section.offset))
            output.writeUInt8(UInt8(section.bitWidth))
            output.writeVarUInt64(UInt64(section.count))
        }
        output.writeVarUInt64(UInt64(field))
        switch self {
        case .keyword(let column):
            output.writeUInt8(Self.keywordKind)
            output.writeUInt8(column.layout.rawValue)
            output.writeVarUInt64(UInt64(column.valueCount))
            output.writeVarUInt64(UInt64(column.dictionaryOffset))
            output.writeVarUInt64(UInt64(column.dictionaryLength))
            section(column.dictionaryStarts)
            if let docStarts = column.docStarts { section(docStarts) }
            section(column.ordinals)
        case .numeric(let column):
            output.writeUInt8(Self.numericKind)
            output.writeUInt8(column.valueType.rawValue)
            output.writeUInt8(column.layout.rawValue)
            guard column.layout != .empty else { return }
            output.writeUInt64(UInt64(bitPattern: column.minValue))
            output.writeUInt64(UInt64(bitPattern: column.maxValue))
            output.writeUInt64(column.gcd)
            if let presenceOffset = column.presenceOffset { output.writeVarUInt64(UInt64(presenceOffset)) }
            if let docStarts = column.docStarts { section(docStarts) }
            section(column.values)
        }
    }

    /// Reads one entry, checking every section lies inside `dataEnd` bytes of body and has the
    /// count its layout requires; value-level checks are the readers' job.
    static func read(from input: inout IndexInput, docCount: Int, dataEnd: Int) throws(IndexError) -> ColumnDescriptor {
        let file = input.fileName
        // Far above any real count, low enough that count × 64 bits cannot overflow.
        let countLimit = 1 << 40
        func section(_ what: String, expectedCount: Int?) throws(IndexError) -> PackedSection {
            let offset = try input.readCount(limit: dataEnd, what: "\(what) offset")
            let width = Int(try input.readUInt8())
            guard width <= 64 else { throw .corrupt(file: file, reason: "\(what) bit width \(width) exceeds 64") }
            let count = try input.readCount(limit: countLimit, what: "\(what) count")
            if let expectedCount, count != expectedCount {
                throw .corrupt(file: file, reason: "\(what) holds \(count) values, expected \(expectedCount)")
            }
            let result = PackedSection(offset: offset, bitWidth: width, count: count)
            guard result.byteCount <= dataEnd - offset else {
                throw .corrupt(
                    file: file,
                    reason:
                        "\(what) (\(result.byteCount) bytes at \(offset)) passes the end of the column data \(dataEnd)")
            }
            return result
        }

        let field = try input.readCount(limit: Int(UInt32.max), what: "field number")
        let kind = try input.readUInt8()
        let name = "field \(field)"
        switch kind {
        case keywordKind:
            let rawLayout = try input.readUInt8()
            guard let layout = KeywordLayout(rawValue: rawLayout) else {
                throw .corrupt(file: file, reason: "\(name): unknown keyword layout \(rawLayout)")
            }
            let valueCount = try input.readCount(limit: Int(UInt32.max) - 1, what: "\(name) value count")
            let dictionaryOffset = try input.readCount(limit: dataEnd, what: "\(name) dictionary offset")
            let dictionaryLength = try input.readCount(
                limit: dataEnd - dictionaryOffset, what: "\(name) dictionary length")
            let starts = try section("\(name) dictionary offsets", expectedCount: valueCount + 1)
            let docStarts = layout == .multi ? try section("\(name) doc offsets", expectedCount: docCount + 1) : nil
            let ordinals = try section("\(name) ordinals", expectedCount: layout == .single ? docCount : nil)
            return .keyword(
                KeywordDescriptor(
                    field: UInt32(field), layout: layout, valueCount: valueCount, dictionaryOffset: dictionaryOffset,
                    dictionaryLength: dictionaryLength, dictionaryStarts: starts, docStarts: docStarts,
                    ordinals: ordinals))
        case numericKind:
            let rawType = try input.readUInt8()
            guard let valueType = NumericValueType(rawValue: rawType) else {
                throw .corrupt(file: file, reason: "\(name): unknown numeric value type \(rawType)")
            }
            let rawLayout = try input.readUInt8()
            guard let layout = NumericLayout(rawValue: rawLayout) else {
                throw .corrupt(file: file, reason: "\(name): unknown numeric layout \(rawLayout)")
            }
            var column = NumericDescriptor(
                field: UInt32(field), valueType: valueType, layout: layout, minValue: 0, maxValue: 0, gcd: 1,
                presenceOffset: nil, docStarts: nil, values: PackedSection(offset: 0, bitWidth: 0, count: 0))
            guard layout != .empty else { return .numeric(column) }
            column.minValue = Int64(bitPattern: try input.readUInt64())
            column.maxValue = Int64(bitPattern: try input.readUInt64())
            column.gcd = try input.readUInt64()
            guard column.gcd > 0, column.minValue <= column.maxValue else {
                throw .corrupt(
                    file: file,
                    reason:
                        "\(name): min \(column.minValue), max \(column.maxValue), gcd \(column.gcd) are inconsistent")
            }
            if layout == .sparse {
                let offset = try input.readCount(limit: dataEnd, what: "\(name) presence offset")
                guard (docCount + 7) / 8 <= dataEnd - offset else {
                    throw .corrupt(file: file, reason: "\(name): presence bitmap passes the end of the column data")
                }
                column.presenceOffset = offset
            }
            if layout == .multi { column.docStarts = try section("\(name) doc offsets", expectedCount: docCount + 1) }
            column.values = try section("\(name) values", expectedCount: layout == .multi ? nil : docCount)
            return .numeric(column)
        default:
            throw .corrupt(file: file, reason: "\(name): unknown column kind \(kind)")
        }
    }
}
