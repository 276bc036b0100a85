/// The column of one numeric or date field: per document zero, one or several Int64 values,
/// stored as `(value − min) / gcd` at the width of the largest quotient.
///
/// Doubles are stored as ``SortableDouble`` bits, so ``value(_:)`` order is numeric order for
/// every ``NumericValueType``; ``doubleValue(_:)`` converts back.
// @unchecked: every pointer is into a read-only mapping that `file` retains.
public struct NumericColumn: @unchecked Sendable {
    /// The field number.
    public let field: UInt32
    /// How the Int64 values are to be read.
    public let valueType: NumericValueType
    /// Documents covered (doc ids `0..<docCount`).
    public let docCount: Int
    /// The smallest stored value, or nil when no document has one.
    public let minValue: Int64?
    /// The largest stored value, or nil when no document has one.
    public let maxValue: Int64?
    /// True when some document has more than one value.
    public var isMultiValued: Bool { docStarts != nil }

    private let file: IndexFile
    let base: Int64
    let gcd: UInt64
    let values: PackedIntsReader
    // Sparse layout: one bit per doc, set when the doc has a value.
    let presence: UnsafeRawPointer?
    let docStarts: PackedIntsReader?
    let isEmpty: Bool

    init(_ entry: NumericDescriptor, file: IndexFile, docCount: Int) throws(IndexError) {
        field = entry.field
        valueType = entry.valueType
        self.docCount = docCount
        self.file = file
        isEmpty = entry.layout == .empty
        minValue = isEmpty ? nil : entry.minValue
        maxValue = isEmpty ? nil : entry.maxValue
        base = entry.minValue
        gcd = entry.gcd
        values = PackedIntsReader(entry.values, in: file)
        presence = entry.presenceOffset.map { file.body.baseAddress! + $0 }
        if let section = entry.docStarts {
            let starts = PackedIntsReader(section, in: file)
            try starts.validateStarts(
                total: values.count, file: file.fileName, what: "numeric column \(entry.field) documents")
            docStarts = starts
        } else {
            docStarts = nil
        }
    }

    /// True when `doc` has at least one value.
    @inline(__always)
    public func hasValue(_ doc: UInt32) -> Bool {
        precondition(Int(doc) < docCount, "doc \(doc) out of range 0..<\(docCount)")
        if isEmpty { return false }
        if let presence { return presence.load(fromByteOffset: Int(doc &>> 3), as: UInt8.self) &>> (doc & 7) & 1 != 0 }
        if let docStarts { return docStarts[unchecked: Int(doc)] != docStarts[unchecked: Int(doc) + 1] }
        return true
    }

    /// The value of `doc` (its smallest, when several), or nil when it has none. O(1).
    @inline(__always)
    public func value(_ doc: UInt32) -> Int64? {
        guard hasValue(doc) else { return nil }
        let index = docStarts.map { Int($0[unchecked: Int(doc)]) } ?? Int(doc)
        return decode(values[unchecked: index])
    }

    /// The value of `doc` as a double, for `.double` columns; nil when the doc has none.
    public func doubleValue(_ doc: UInt32) -> Double? { value(doc).map(SortableDouble.double) }

    /// All values of `doc`, ascending; empty when it has none. O(1), no allocation.
    public func values(_ doc: UInt32) -> NumericValues {
        guard hasValue(doc) else {
            return NumericValues(packed: values, base: base, gcd: gcd, startIndex: 0, endIndex: 0)
        }
        if let docStarts {
            return NumericValues(
                packed: values, base: base, gcd: gcd, startIndex: Int(docStarts[unchecked: Int(doc)]),
                endIndex: Int(docStarts[unchecked: Int(doc) + 1]))
        }
        return NumericValues(packed: values, base: base, gcd: gcd, startIndex: Int(doc), endIndex: Int(doc) + 1)
    }

    @inline(__always)
    private func decode(_ packed: UInt64) -> Int64 { base &+ Int64(bitPattern: packed &* gcd) }
}

/// The values of one document, ascending, decoded from the packed column in place.
public struct NumericValues: RandomAccessCollection, Sendable {
    let packed: PackedIntsReader
    let base: Int64
    let gcd: UInt64
    /// Position of the first value.
    public let startIndex: Int
    /// Position past the last value.
    public let endIndex: Int

    /// The value at `position`.
    @inline(__always)
    public subscript(position: Int) -> Int64 {
        precondition(position >= startIndex && position < endIndex, "value position out of range")
        return base &+ Int64(bitPattern: packed[unchecked: position] &* gcd)
    }
}
