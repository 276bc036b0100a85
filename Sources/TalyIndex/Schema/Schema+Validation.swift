/// A document checked against a schema: values by field number, the id extracted.
public struct ValidatedDocument: Sendable, Hashable {
    /// The document's unique id.
    public let id: String
    /// Values indexed by field number; `nil` where the document has none.
    public let values: [FieldValue?]
}

extension Schema {
    /// The longest id accepted, in UTF-8 bytes.
    public static let maximumIDLength = 512

    /// Checks `document` against the schema: every field known, every value of its field's type,
    /// the id present and non-empty. The first problem found is thrown.
    public func validate(_ document: Document) throws(DocumentError) -> ValidatedDocument {
        var values = [FieldValue?](repeating: nil, count: fields.count)
        // Sorted so the error reported for a document with several problems is deterministic.
        for name in document.values.keys.sorted() {
            let value = document.values[name]!
            guard let number = fieldNumber(name) else {
                throw DocumentError(field: name, problem: "unknown field (the schema has \(fieldList))")
            }
            try check(value, field: number)
            values[number] = value
        }
        return ValidatedDocument(id: try validID(values), values: values)
    }

    /// Checks a document given by position, `values[n]` the value of field number `n` (nil where
    /// it has none), as ``validate(_:)`` checks one by name. For callers that map their records
    /// to fields once: no dictionary to build, sort and look every name up in per document.
    public func validate(values: [FieldValue?]) throws(DocumentError) -> ValidatedDocument {
        guard values.count == fields.count else {
            throw DocumentError(
                field: "", problem: "\(values.count) values for the \(fields.count) fields (\(fieldList))")
        }
        for number in values.indices {
            if let value = values[number] { try check(value, field: number) }
        }
        return ValidatedDocument(id: try validID(values), values: values)
    }

    /// The id among checked `values`.
    private func validID(_ values: [FieldValue?]) throws(DocumentError) -> String {
        guard case .keyword(let ids)? = values[idFieldNumber], let id = ids.first else {
            throw DocumentError(field: idField, problem: "missing: every document needs an id")
        }
        guard !id.isEmpty else { throw DocumentError(field: idField, problem: "the id is empty") }
        guard id.utf8.count <= Self.maximumIDLength else {
            throw DocumentError(
                field: idField, problem: "the id is \(id.utf8.count) bytes, longer than \(Self.maximumIDLength)")
        }
        return id
    }

    private var fieldList: String { fields.map(\.name).joined(separator: ", ") }

    /// Checks the value of field number `index`. The field's name is read only for an error: copying
    /// the `Field` retained and released it for every value of every document.
    private func check(_ value: FieldValue, field index: Int) throws(DocumentError) {
        let type = fields[index].type
        func mismatch(_ found: String) -> DocumentError {
            DocumentError(field: fields[index].name, problem: "expected \(type.name), found \(found)")
        }
        switch (type, value) {
        case (.text, .text), (.int64, .int64), (.date, .date):
            return
        case (.keyword(_, let multiValued), .keyword(let values)):
            if !multiValued && values.count != 1 {
                throw DocumentError(
                    field: fields[index].name, problem: "takes exactly one value, found \(values.count)")
            }
        case (.double, .double(let number)):
            if number.isNaN {
                throw DocumentError(
                    field: fields[index].name, problem: "NaN is not a number that can be filtered or sorted")
            }
        case (_, .text): throw mismatch("text")
        case (_, .keyword): throw mismatch("keyword")
        case (_, .int64): throw mismatch("int64")
        case (_, .double): throw mismatch("double")
        case (_, .date): throw mismatch("date")
        }
    }
}
