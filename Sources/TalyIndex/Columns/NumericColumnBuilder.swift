/// Collects the values of one numeric or date field, document by document, for ``ColumnsWriter``.
///
/// A document may have no value, one, or several (kept with duplicates, sorted ascending, like
/// Lucene's sorted-numeric doc values).
public struct NumericColumnBuilder {
    /// The field number the column belongs to.
    public let field: UInt32
    /// How readers interpret the stored Int64 values.
    public let valueType: NumericValueType
    private(set) var entryDocs: [UInt32] = []
    private(set) var entryValues: [Int64] = []

    /// An empty column for `field` holding values of `valueType`.
    public init(field: UInt32, valueType: NumericValueType) {
        self.field = field
        self.valueType = valueType
    }

    /// Adds the Int64 `value` (integer, date millis or sortable double bits) to `doc`; docs must
    /// be added in non-decreasing order.
    public mutating func add(_ value: Int64, doc: UInt32) {
        precondition(entryDocs.last.map { $0 <= doc } ?? true, "doc \(doc) added after doc \(entryDocs.last!)")
        entryDocs.append(doc)
        entryValues.append(value)
    }

    /// Adds a double to `doc` of a `.double` column (NaN policy: see ``SortableDouble``).
    public mutating func add(double value: Double, doc: UInt32) {
        precondition(valueType == .double, "a double added to a \(valueType) column")
        add(SortableDouble.bits(value), doc: doc)
    }
}
