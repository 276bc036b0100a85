import Foundation
import TalyIndex
import TalyStore

/// How a tenant's products become search documents.
///
/// Every document has the product's own fields: `id` (the product id, the index's unique id),
/// `title` and `description` (text, standard analyzer, stored), `sku`, `status` and `currency`
/// (keywords), `price_amount` (int64, minor units), `version` (int64), `created_at` and
/// `updated_at` (dates). Every product is indexed whatever its status: `status` is a filter.
///
/// Attributes have no declared schema, so the mapping derives one from the values the catalog
/// holds: attribute `name` becomes the column `attributes.<name>`, typed by the widest kind
/// seen across products (`AttributeKind.widened(with:)`): integers are int64, numbers (or a
/// mix of integers and numbers) doubles, strings and booleans (`true`/`false`) keywords, other
/// mixes of scalars keywords of their text, and any list a multi-valued keyword. A name that cannot be an index field name (see
/// `Schema.isValidName`, 64 bytes at most) is not indexed.
///
/// A product bringing a new attribute grows the schema: its column is added after the existing
/// ones, so the open index takes it as it is (`Schema.extends`; older segments simply lack it).
/// A product that widens a kind retypes a column: the worker then rebuilds the products index
/// with the mapping of the whole catalog (columns in name order).
public struct ProductIndexMapping: Sendable, Equatable {
    /// The kind of an attribute's column, from the narrowest to the widest.
    public enum AttributeKind: Sendable, Hashable {
        /// Whole numbers only: an int64 column.
        case integer
        /// Numbers, some fractional: a double column.
        case number
        /// Strings, booleans (`true`/`false`), or scalars of mixed kinds: a single-valued
        /// keyword column.
        case string
        /// Lists: a multi-valued keyword column.
        case list

        /// The kind of one value.
        public init(of value: AttributeValue) {
            switch value {
            case .integer: self = .integer
            case .number: self = .number
            case .bool, .string: self = .string
            case .array: self = .list
            }
        }

        /// The narrowest kind that holds the values of both.
        public func widened(with other: AttributeKind) -> AttributeKind {
            if self == other { return self }
            if self == .list || other == .list { return .list }
            if (self == .integer && other == .number) || (self == .number && other == .integer) { return .number }
            return .string
        }

        var fieldType: FieldType {
            switch self {
            case .integer: .int64(stored: true)
            case .number: .double(stored: true)
            case .string: .keyword(stored: true, multiValued: false)
            case .list: .keyword(stored: true, multiValued: true)
            }
        }
    }

    /// The prefix of attribute columns.
    public static let attributePrefix = "attributes."

    /// The derived index schema: attribute columns after the product's own fields, in the order
    /// they were added. One that extends an index's schema grows the index; any other change
    /// means a rebuild.
    public let schema: Schema
    /// The indexed attributes and the kind of each.
    public let attributes: [String: AttributeKind]
    /// Each indexed attribute's field number in `schema` and kind.
    private let columns: [String: (number: Int, kind: AttributeKind)]

    /// The text fields, for a searcher's default fields: `title`, `description`.
    public var textFields: [String] { ["title", "description"] }

    /// The product's own fields, in the order `ownFieldValues` fills them by position.
    static let ownFields: [Schema.Field] = [
        Schema.Field("id", .keyword(stored: true, multiValued: false)),
        Schema.Field("title", .text(analyzer: .standard, stored: true)),
        Schema.Field("description", .text(analyzer: .standard, stored: true)),
        Schema.Field("sku", .keyword(stored: true, multiValued: false)),
        Schema.Field("status", .keyword(stored: true, multiValued: false)),
        Schema.Field("currency", .keyword(stored: true, multiValued: false)),
        Schema.Field("price_amount", .int64(stored: true)),
        Schema.Field("version", .int64(stored: true)),
        Schema.Field("created_at", .date(stored: true)),
        Schema.Field("updated_at", .date(stored: true)),
    ]

    /// The mapping of these attribute kinds (names that cannot be field names are dropped), the
    /// columns in name order so that the same catalog always derives the same schema.
    public init(attributes: [String: AttributeKind] = [:]) {
        self.init(ordered: attributes.keys.sorted().map { ($0, attributes[$0]!) })
    }

    /// The mapping of these attribute columns in this order.
    private init(ordered: [(name: String, kind: AttributeKind)]) {
        let indexed = ordered.filter { Self.fieldName(ofAttribute: $0.name) != nil }
        var fields = Self.ownFields
        for (name, kind) in indexed {
            fields.append(Schema.Field(Self.attributePrefix + name, kind.fieldType))
        }
        do {
            schema = try Schema(fields: fields, idField: "id")
        } catch {
            // Attribute columns are checked names under a prefix no own field has.
            preconditionFailure("derived product schema is invalid: \(error)")
        }
        self.attributes = Dictionary(uniqueKeysWithValues: indexed.map { ($0.name, $0.kind) })
        columns = Dictionary(
            uniqueKeysWithValues: indexed.enumerated().map { ($1.name, (Self.ownFields.count + $0, $1.kind)) })
    }

    /// The mapping that holds every attribute of `products` (and nothing else).
    public init(products: some Sequence<ProductRecord>) {
        self = ProductIndexMapping().including(products)
    }

    /// The mapping an existing index was built with, nil when `schema` is not one this type
    /// derives (built by another version: rebuild it).
    public init?(schema: Schema) {
        var attributes: [(name: String, kind: AttributeKind)] = []
        for field in schema.fields.dropFirst(Self.ownFields.count) {
            guard field.name.hasPrefix(Self.attributePrefix) else { return nil }
            let kind: AttributeKind
            switch field.type {
            case .int64: kind = .integer
            case .double: kind = .number
            case .keyword(_, multiValued: true): kind = .list
            case .keyword: kind = .string
            case .text, .date: return nil
            }
            attributes.append((String(field.name.dropFirst(Self.attributePrefix.count)), kind))
        }
        let mapping = ProductIndexMapping(ordered: attributes)
        guard mapping.schema == schema else { return nil }
        self = mapping
    }

    public static func == (lhs: ProductIndexMapping, rhs: ProductIndexMapping) -> Bool { lhs.schema == rhs.schema }

    /// This mapping widened to hold every attribute of `products`; equal to `self` (same
    /// schema) when they bring nothing new. New attributes only add columns after the existing
    /// ones (in name order among themselves): the result's schema extends this one's
    /// (`Schema.extends`) unless a kind was widened.
    public func including(_ products: some Sequence<ProductRecord>) -> ProductIndexMapping {
        including(attributeLists: products.lazy.map(\.draft.attributes))
    }

    /// `including(_:)` of the products these sources read (``ProductIndexSource``).
    public func including(_ sources: some Sequence<ProductIndexSource>) -> ProductIndexMapping {
        including(attributeLists: sources.lazy.map(\.attributes))
    }

    /// `including(_:)` given each product's attributes, each name once per product.
    private func including<Attributes: Sequence<(key: String, value: AttributeValue)>>(
        attributeLists: some Sequence<Attributes>
    ) -> ProductIndexMapping {
        var kinds = attributes
        var added: [String] = []
        var widened = false
        // Products of one catalog list the same names in the same order: the kind known for the
        // name at each position of the previous list spares a lookup, until `kinds` changes.
        var memo = AttributeMemo<AttributeKind>()
        for list in attributeLists {
            var position = 0
            for (name, value) in list {
                defer { position += 1 }
                let kind = AttributeKind(of: value)
                guard let known = memo.value(at: position, name: name, else: { kinds[$0] }) else {
                    guard Self.fieldName(ofAttribute: name) != nil else { continue }
                    kinds[name] = kind
                    added.append(name)
                    memo = AttributeMemo()
                    continue
                }
                let wider = known.widened(with: kind)
                if wider != known {
                    kinds[name] = wider
                    memo = AttributeMemo()
                    // A column added by these products is not retyped: it is added as it ends.
                    if attributes[name] != nil { widened = true }
                }
            }
        }
        guard widened || !added.isEmpty else { return self }
        let existing = schema.fields.dropFirst(Self.ownFields.count).map {
            String($0.name.dropFirst(Self.attributePrefix.count))
        }
        return ProductIndexMapping(ordered: (existing + added.sorted()).map { ($0, kinds[$0]!) })
    }

    /// The index field of attribute `name`, nil when the name cannot be a field name.
    public static func fieldName(ofAttribute name: String) -> String? {
        let field = attributePrefix + name
        return Schema.isValidName(field) ? field : nil
    }

    /// The search document of `product`; attributes this mapping does not hold are left out.
    public func document(of product: ProductRecord) -> Document {
        var document = Document()
        for (field, value) in zip(schema.fields, fieldValues(of: product)) {
            if let value { document[field.name] = value }
        }
        return document
    }

    /// `schema.validate(document(of: product))`, built by field number rather than by name: the
    /// index-sync worker maps every product a bulk load writes.
    public func validatedDocument(of product: ProductRecord) throws(DocumentError) -> ValidatedDocument {
        try schema.validate(values: fieldValues(of: product))
    }

    /// The document of the product `source` reads, validated: the same as
    /// `validatedDocument(of:)` of its ``ProductRecord``, without the record's draft and dictionary.
    public func validatedDocument(of source: ProductIndexSource) throws(DocumentError) -> ValidatedDocument {
        var memo = DocumentMemo()
        return try validatedDocument(of: source, memo: &memo)
    }

    /// `validatedDocument(of:)` of one of many products in a row, sharing `memo` with the others
    /// (one memo per mapping): each attribute's column is looked up once per position of the
    /// product's attribute names rather than per product, and a keyword value equal to the
    /// previous product's (a status, a currency, a catalog's source) reuses its one-value array.
    func validatedDocument(of source: ProductIndexSource, memo: inout DocumentMemo) throws(DocumentError)
        -> ValidatedDocument
    {
        var values = ownFieldValues(
            id: source.id.rawValue, title: source.title, description: source.description, sku: source.sku,
            status: source.status, currency: source.currency, priceAmount: source.priceAmount,
            version: source.version, createdAt: source.createdAt, updatedAt: source.updatedAt, memo: &memo)
        fill(&values, attributes: source.attributes, memo: &memo)
        return try schema.validate(values: values)
    }

    /// What consecutive documents of one mapping share (see `validatedDocument(of:memo:)`).
    struct DocumentMemo {
        fileprivate var columns = AttributeMemo<(number: Int, kind: AttributeKind)>()
        /// Per field number, the last single keyword value array built.
        fileprivate var keywords: [[String]] = []

        /// An empty memo.
        init() {}

        /// `.keyword([value])`, the previous array of field `number` when it holds `value`.
        fileprivate mutating func keyword(_ value: String, field number: Int, fieldCount: Int) -> FieldValue {
            if keywords.count != fieldCount { keywords = Array(repeating: [], count: fieldCount) }
            if keywords[number].first == value { return .keyword(keywords[number]) }
            let array = [value]
            keywords[number] = array
            return .keyword(array)
        }
    }

    /// The document's values by field number (`ownFields` first, then the attribute columns).
    private func fieldValues(of product: ProductRecord) -> [FieldValue?] {
        var memo = DocumentMemo()
        var values = ownFieldValues(
            id: product.id?.rawValue ?? 0, title: product.draft.title, description: product.draft.description,
            sku: product.sku, status: product.status, currency: product.price.currency.code,
            priceAmount: product.price.amount, version: product.version, createdAt: product.createdAt,
            updatedAt: product.updatedAt, memo: &memo)
        fill(&values, attributes: product.draft.attributes, memo: &memo)
        return values
    }

    /// The values of `ownFields`, the attribute columns left empty.
    private func ownFieldValues(
        id: Int64, title: String, description: String, sku: String, status: ProductStatus, currency: String,
        priceAmount: Int64, version: Int64, createdAt: Date, updatedAt: Date, memo: inout DocumentMemo
    ) -> [FieldValue?] {
        let count = schema.fields.count
        var values = [FieldValue?](repeating: nil, count: count)
        values[0] = .keyword([String(id)])
        values[1] = .text(title)
        if !description.isEmpty { values[2] = .text(description) }
        values[3] = .keyword([sku])
        values[4] = memo.keyword(status.rawValue, field: 4, fieldCount: count)
        values[5] = memo.keyword(currency, field: 5, fieldCount: count)
        values[6] = .int64(priceAmount)
        values[7] = .int64(version)
        values[8] = .date(milliseconds: ContentIndexMapping.milliseconds(createdAt))
        values[9] = .date(milliseconds: ContentIndexMapping.milliseconds(updatedAt))
        return values
    }

    /// Sets the attribute columns this mapping holds; attributes it does not hold are left out.
    private func fill(
        _ values: inout [FieldValue?], attributes: some Sequence<(key: String, value: AttributeValue)>,
        memo: inout DocumentMemo
    ) {
        var position = 0
        for (name, value) in attributes {
            defer { position += 1 }
            guard let column = memo.columns.value(at: position, name: name, else: { columns[$0] }) else { continue }
            if column.kind == .string {
                // `fieldValue(_:as: .string)`, the array shared with the previous product's when equal.
                guard let text = Self.scalarText(value) else { continue }
                values[column.number] = memo.keyword(text, field: column.number, fieldCount: values.count)
            } else if let indexed = Self.fieldValue(value, as: column.kind) {
                values[column.number] = indexed
            }
        }
    }

    /// A value in a column of `kind`; nil when the kind cannot hold it (a mapping built before
    /// the value was written) or there is nothing to index (an empty list).
    static func fieldValue(_ value: AttributeValue, as kind: AttributeKind) -> FieldValue? {
        switch (kind, value) {
        case (.integer, .integer(let number)): return .int64(number)
        case (.number, .integer(let number)): return .double(Double(number))
        case (.number, .number(let number)): return .double(number)
        case (.string, .array): return nil
        case (.string, _): return scalarText(value).map { .keyword([$0]) }
        case (.list, _):
            let parts = texts(value)
            return parts.isEmpty ? nil : .keyword(parts)
        case (.integer, _), (.number, _): return nil
        }
    }

    /// An attribute's scalar values as strings: integers plainly, numbers without a needless
    /// fraction, booleans as `true`/`false`, a list's elements in order.
    static func texts(_ value: AttributeValue) -> [String] {
        if case .array(let elements) = value { return elements.flatMap { texts($0) } }
        return scalarText(value).map { [$0] } ?? []
    }

    /// A scalar attribute's text, nil for a list: a string column takes one per product, without
    /// the array `texts` builds.
    private static func scalarText(_ value: AttributeValue) -> String? {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        case .number(let number): Int64(exactly: number).map { String($0) } ?? String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .array: nil
        }
    }
}

/// What was found for the attribute name at each position of the previous product's list, so
/// that the next product listing the same names in the same order (a catalog's products do)
/// skips a dictionary lookup per attribute.
struct AttributeMemo<Value> {
    private var names: [String] = []
    private var values: [Value?] = []

    /// What `lookup(name)` gives, from the memo when the previous list had `name` at `position`.
    mutating func value(at position: Int, name: String, else lookup: (String) -> Value?) -> Value? {
        if position < names.count, names[position] == name { return values[position] }
        let value = lookup(name)
        if position < names.count {
            names[position] = name
            values[position] = value
        } else if position == names.count {
            names.append(name)
            values.append(value)
        }
        return value
    }
}
