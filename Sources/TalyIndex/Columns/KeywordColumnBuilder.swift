/// Collects the values of one keyword field, document by document, for ``ColumnsWriter``.
///
/// A document may have any number of values (none, one, several); duplicates within a document
/// collapse, because a keyword column stores a set of ordinals per document.
public struct KeywordColumnBuilder {
    /// The field number the column belongs to.
    public let field: UInt32
    // Distinct values in first-seen order, and their position in `values`.
    private var ids: [[UInt8]: UInt32] = [:]
    private(set) var values: [[UInt8]] = []
    // One entry per added value: the doc, and the first-seen id of the value.
    private(set) var entryDocs: [UInt32] = []
    private(set) var entryIDs: [UInt32] = []
    /// The ids of `values` in byte order when the caller already knows it (a flush has sorted the
    /// same terms for the term dictionary), so the column is written without sorting them again.
    var idsInByteOrder: [UInt32]?

    /// An empty column for `field`.
    public init(field: UInt32) { self.field = field }

    /// A column from values already made distinct (by the segment builder's term hash, which
    /// has interned them): `documents[i]` holds value `distinctValues[valueIDs[i]]`, documents
    /// in non-decreasing order. Skips the per-value hashing of ``add(_:doc:)``.
    public init(field: UInt32, distinctValues: [[UInt8]], documents: [UInt32], valueIDs: [UInt32]) {
        precondition(documents.count == valueIDs.count, "one value id per entry")
        precondition(zip(documents, documents.dropFirst()).allSatisfy { $0 <= $1 }, "documents out of order")
        precondition(valueIDs.allSatisfy { Int($0) < distinctValues.count }, "value id out of range")
        self.field = field
        values = distinctValues
        entryDocs = documents
        entryIDs = valueIDs
    }

    /// Adds `value` to `doc`; docs must be added in non-decreasing order.
    public mutating func add(_ value: [UInt8], doc: UInt32) {
        precondition(entryDocs.last.map { $0 <= doc } ?? true, "doc \(doc) added after doc \(entryDocs.last!)")
        let id: UInt32
        if let known = ids[value] {
            id = known
        } else {
            precondition(values.count < Int(UInt32.max), "too many distinct values")
            id = UInt32(values.count)
            ids[value] = id
            values.append(value)
        }
        entryDocs.append(doc)
        entryIDs.append(id)
    }

    /// Adds the UTF-8 bytes of `value` to `doc`.
    public mutating func add(_ value: String, doc: UInt32) { add(Array(value.utf8), doc: doc) }
}
