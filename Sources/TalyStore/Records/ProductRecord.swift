import Foundation
import GRDB

/// The id of a product.
public typealias ProductID = RecordID<ProductRecord>

/// Where a product is in its life: only `active` products are for sale.
public enum ProductStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// For sale.
    case active
    /// Being prepared; not for sale.
    case draft
    /// No longer sold; kept for orders and history.
    case archived
}

/// The editable fields of a product, validated: every value of this type is a valid product.
///
/// It is the API's JSON shape, `{"sku","title","description","price":{"amount","currency"},
/// "attributes","status"}`; decoding refuses unknown fields and names the field at fault.
public struct ProductDraft: Sendable, Equatable {
    /// The stock-keeping unit, unique in the tenant: 1 to 64 characters, no spaces.
    public let sku: String
    /// The name shown to people: 1 to 500 characters.
    public let title: String
    /// Free text, at most 20 000 characters.
    public let description: String
    /// The price in minor units with its currency.
    public let price: Money
    /// Named values for filters and facets.
    public let attributes: [String: AttributeValue]
    /// Active, draft or archived.
    public let status: ProductStatus
    /// The texts a write of this draft stores when `serializedForWrite()` made them ahead of the
    /// write (bulk ingest, on its parser threads); nil otherwise.
    private(set) var encoded: Encoded?

    /// The JSON texts of a draft's write, the same bytes the writer would serialize.
    struct Encoded: Sendable {
        /// `ProductRecord.attributesTexts(attributes)`.
        let attributes: (column: String, payload: String)
        /// The audit details of a creation, `TenantScope.json(["sku": sku])`.
        let creationDetails: String
        /// The `product.created` payload but for the id and the time.
        let creationEvent: CreationEventTemplate
    }

    /// Drafts are equal when their fields are; `encoded` is derived from them.
    public static func == (lhs: ProductDraft, rhs: ProductDraft) -> Bool {
        lhs.sku == rhs.sku && lhs.title == rhs.title && lhs.description == rhs.description && lhs.price == rhs.price
            && lhs.attributes == rhs.attributes && lhs.status == rhs.status
    }

    /// A product's fields, checked; errors name the field (`sku`, `price.currency`…).
    public init(
        sku: String, title: String, description: String = "", price: Money,
        attributes: [String: AttributeValue] = [:], status: ProductStatus = .draft
    ) throws(StoreError) {
        self.sku = try Self.validSKU(sku)
        self.title = try Self.validTitle(title)
        self.description = try Self.validDescription(description)
        try AttributeValue.validate(attributes)
        self.price = price
        self.attributes = attributes
        self.status = status
        encoded = nil
    }

    /// A product's fields, checked, but for its attributes, which the caller has checked as
    /// `init(sku:title:description:price:attributes:status:)` would: bulk ingest reads from a
    /// record's bytes that every attribute is valid (ASCII names of 1 to 64 bytes without
    /// controls, strings of at most 2000 bytes, finite numbers, arrays of at most 100 such
    /// scalars) and skips the walk over the dictionary.
    package init(
        sku: String, title: String, description: String, price: Money, checkedAttributes: [String: AttributeValue],
        status: ProductStatus
    ) throws(StoreError) {
        self.sku = try Self.validSKU(sku)
        self.title = try Self.validTitle(title)
        self.description = try Self.validDescription(description)
        self.price = price
        attributes = checkedAttributes
        self.status = status
        encoded = nil
    }

    /// This draft with the JSON texts a write of it stores (the attributes column and payload,
    /// the audit details and most of the event payload of a creation) serialized now, on the
    /// calling thread. Bulk ingest calls it on its parser threads, which idle while its one
    /// writer thread bounds the run, so the writer only binds the texts. Valid attributes always
    /// serialize; should they not, the write serializes them again and reports the error there.
    public func serializedForWrite() -> ProductDraft {
        var draft = self
        draft.serializeForWrite()
        return draft
    }

    /// `serializedForWrite()` in place, without a copy of the draft (a retain and release of
    /// each of its strings).
    public mutating func serializeForWrite() {
        guard encoded == nil, let texts = try? ProductRecord.attributesTexts(attributes) else { return }
        encode(attributes: texts)
    }

    /// `serializeForWrite()` from the attributes' payload text the caller already wrote, byte for
    /// byte what `CanonicalJSONWriter(escapesSlashes: false).object(attributes)` writes: bulk
    /// ingest writes it from the record's own bytes while it reads them, without sorting a
    /// dictionary's members or escaping texts that need no escape (its tests compare the two).
    package mutating func serializeForWrite(attributesPayload: String) {
        encode(attributes: ProductRecord.attributesTexts(payload: attributesPayload))
    }

    private mutating func encode(attributes texts: (column: String, payload: String)) {
        encoded = Encoded(
            attributes: texts, creationDetails: Self.creationDetails(sku: sku),
            creationEvent: CreationEventTemplate(self, attributesJSON: texts.payload))
    }

    /// The audit details of a product's creation, `TenantScope.json(["sku": sku])`, written
    /// without the one-key dictionary and its sorting.
    static func creationDetails(sku: String) -> String {
        // A SKU has no control or white space; with no quote or backslash either (nearly every
        // SKU), its bytes are its JSON text, copied without a writer's buffer.
        var sku = sku
        if let details = sku.withUTF8({ utf8 -> String? in
            guard !utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) else {
                return nil
            }
            let prefix: StaticString = "{\"sku\":\""
            let count = prefix.utf8CodeUnitCount + utf8.count + 2
            return String(unsafeUninitializedCapacity: count) { buffer in
                var at = 0
                for byte in UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount) {
                    buffer[at] = byte
                    at += 1
                }
                for byte in utf8 {
                    buffer[at] = byte
                    at += 1
                }
                buffer[at] = UInt8(ascii: "\"")
                buffer[at + 1] = UInt8(ascii: "}")
                return count
            }
        }) {
            return details
        }
        var writer = CanonicalJSONWriter(escapesSlashes: false, capacity: sku.utf8.count + 12)
        writer.raw("{\"sku\":")
        writer.string(sku)
        writer.raw("}")
        return writer.text
    }

    static func validSKU(_ sku: String) throws(StoreError) -> String {
        guard !sku.isEmpty, TextRules.fits(sku, characters: 64), !TextRules.hasWhitespaceOrControl(sku) else {
            throw .invalid(field: "sku", reason: "must be 1 to 64 characters without spaces or control characters")
        }
        return sku
    }

    /// The title without surrounding white space.
    static func validTitle(_ title: String) throws(StoreError) -> String {
        let title = TextRules.trimmed(title)
        guard !title.isEmpty, TextRules.fits(title, characters: 500), !TextRules.hasControlCharacter(title) else {
            throw .invalid(field: "title", reason: "must be 1 to 500 characters without control characters")
        }
        return title
    }

    static func validDescription(_ description: String) throws(StoreError) -> String {
        guard TextRules.fits(description, characters: 20_000) else {
            throw .invalid(field: "description", reason: "at most 20000 characters")
        }
        return description
    }

    /// Every problem of one product body, thrown by `init(from:)` so that a client can fix all
    /// its fields at once.
    public struct Problems: Error, Sendable {
        /// Each bad field, in the order of the shape (`sku`, `title`, …, `status`).
        public let errors: [StoreError]
    }

    /// Decodes the API's JSON; any problem is a `StoreError.invalid` naming the field.
    public static func decode(json: Data) throws(StoreError) -> ProductDraft {
        do {
            return try JSONDecoder().decode(ProductDraft.self, from: json)
        } catch let error as StoreError {
            throw error
        } catch let problems as Problems {
            throw problems.errors.first ?? .invalid(field: "body", reason: "is not a valid product")
        } catch let error as DecodingError {
            throw translate(error)
        } catch {
            throw .invalid(field: "body", reason: String(describing: error))
        }
    }

    static func translate(_ error: DecodingError) -> StoreError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(field: fieldPath(context.codingPath + [key]), reason: "is required")
        case .valueNotFound(_, let context):
            return .invalid(field: fieldPath(context.codingPath), reason: "must not be null")
        case .typeMismatch(_, let context):
            let field = fieldPath(context.codingPath)
            return .invalid(
                field: field.isEmpty ? "body" : field,
                reason: field.isEmpty ? "must be a JSON object" : "has the wrong type")
        case .dataCorrupted(let context):
            let field = fieldPath(context.codingPath)
            return .invalid(
                field: field.isEmpty ? "body" : field,
                reason: field.isEmpty ? "is not a JSON object" : "is not a valid value")
        @unknown default:
            return .invalid(field: "body", reason: String(describing: error))
        }
    }
}

extension ProductDraft: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case sku, title, description, price, attributes, status
    }

    enum PriceKeys: String, CodingKey, CaseIterable {
        case amount, currency
    }

    /// Decodes and validates every field, throwing `Problems` with all that are wrong; unknown
    /// fields are refused so a misspelt one is not silently lost.
    public init(from decoder: any Decoder) throws {
        var problems = Self.unknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), path: [])
        func collect<T>(_ body: () throws -> T) -> T? {
            do {
                return try body()
            } catch let error as StoreError {
                problems.append(error)
            } catch let error as Problems {
                problems += error.errors
            } catch {
                problems.append(.invalid(field: "body", reason: "is not a valid product"))
            }
            return nil
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let sku = collect {
            try Self.validSKU(try Self.field("sku", "a string") { try container.decode(String.self, forKey: .sku) })
        }
        let title = collect {
            try Self.validTitle(
                try Self.field("title", "a string") { try container.decode(String.self, forKey: .title) })
        }
        let description = collect {
            try Self.validDescription(
                try Self.field("description", "a string") {
                    try container.decodeIfPresent(String.self, forKey: .description)
                } ?? "")
        }
        let price = collect { try Self.decodePrice(container) }
        let attributes = collect { try Self.decodeAttributes(container) }
        var status: ProductStatus?
        if let text = collect({
            try Self.field("status", "a string") { try container.decodeIfPresent(String.self, forKey: .status) }
        }) {
            status = ProductStatus(rawValue: text ?? ProductStatus.draft.rawValue)
            if status == nil { problems.append(.invalid(field: "status", reason: "must be active, draft or archived")) }
        }
        guard problems.isEmpty, let sku, let title, let description, let price, let attributes, let status else {
            throw Problems(errors: problems)
        }
        try self.init(
            sku: sku, title: title, description: description, price: price, attributes: attributes, status: status)
    }

    /// The price; `Problems` names each bad part (`price`, `price.amount`, `price.currency`).
    private static func decodePrice(_ container: KeyedDecodingContainer<CodingKeys>) throws -> Money {
        guard container.contains(.price) else { throw StoreError.invalid(field: "price", reason: "is required") }
        let priceDecoder = try container.superDecoder(forKey: .price)
        let price = try field("price", "an object") { try priceDecoder.container(keyedBy: PriceKeys.self) }
        var problems = unknownKeys(priceDecoder, known: PriceKeys.allCases.map(\.rawValue), path: ["price"])
        var amount: Int64?
        do {
            amount = try Money.validAmount(
                try field("price.amount", "an integer") { try price.decode(Int64.self, forKey: .amount) },
                field: "price.amount")
        } catch let error as StoreError {
            problems.append(error)
            amount = nil
        }
        var currency: String?
        do {
            currency = try CurrencyCode(
                validating: try field("price.currency", "a string") {
                    try price.decode(String.self, forKey: .currency)
                }, field: "price.currency"
            ).code
        } catch let error as StoreError {
            problems.append(error)
            currency = nil
        }
        guard problems.isEmpty, let amount, let currency else { throw Problems(errors: problems) }
        return try Money(amount: amount, currency: currency)
    }

    /// The attributes; `Problems` names each bad one (`attributes.<name>`).
    private static func decodeAttributes(_ container: KeyedDecodingContainer<CodingKeys>) throws -> [String:
        AttributeValue]
    {
        guard container.contains(.attributes), try !container.decodeNil(forKey: .attributes) else { return [:] }
        let values = try field("attributes", "an object") {
            try container.nestedContainer(keyedBy: DynamicCodingKey.self, forKey: .attributes)
        }
        var attributes: [String: AttributeValue] = [:]
        var problems: [StoreError] = []
        for key in values.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            do {
                attributes[key.stringValue] = try values.decode(AttributeValue.self, forKey: key)
            } catch let error as StoreError {
                problems.append(error)
            } catch {
                problems.append(
                    .invalid(
                        field: "attributes.\(key.stringValue)", reason: "must be a string, number, boolean or array"))
            }
        }
        problems += AttributeValue.problems(attributes)
        guard problems.isEmpty else { throw Problems(errors: problems) }
        return attributes
    }

    /// Runs one field's decoding, naming `name` in any error: the decoder's own coding paths are
    /// not reliable across nested and super decoders.
    private static func field<T>(_ name: String, _ expected: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch DecodingError.keyNotFound {
            throw StoreError.invalid(field: name, reason: "is required")
        } catch DecodingError.valueNotFound {
            throw StoreError.invalid(field: name, reason: "must not be null")
        } catch let error as StoreError {
            throw error
        } catch {
            // Foundation reports some mismatches (a fraction read as an integer) with an error
            // of its own that only becomes a path-less DecodingError at the top.
            throw StoreError.invalid(field: name, reason: "must be \(expected)")
        }
    }

    /// Encodes the API's JSON shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try encodeFields(into: &container)
    }

    func encodeFields(into container: inout KeyedEncodingContainer<CodingKeys>) throws {
        try container.encode(sku, forKey: .sku)
        try container.encode(title, forKey: .title)
        try container.encode(description, forKey: .description)
        var price = container.nestedContainer(keyedBy: PriceKeys.self, forKey: .price)
        try price.encode(self.price.amount, forKey: .amount)
        try price.encode(self.price.currency.code, forKey: .currency)
        try container.encode(attributes, forKey: .attributes)
        try container.encode(status, forKey: .status)
    }

    /// A problem for each member of the object that is not one of `known`.
    private static func unknownKeys(_ decoder: any Decoder, known: [String], path: [String]) -> [StoreError] {
        let keys = (try? decoder.container(keyedBy: DynamicCodingKey.self).allKeys.map(\.stringValue)) ?? []
        return keys.sorted().filter { !known.contains($0) }.map {
            .invalid(field: (path + [$0]).joined(separator: "."), reason: "is not a known field")
        }
    }
}

/// A product of one tenant (table `product`).
///
/// Encodes to the API's JSON shape (the draft's fields plus `id`, `version`, `created_at`,
/// `updated_at`); the database row is mapped by hand because its columns are flat
/// (`price_amount`, `currency`, `attributes` as JSON text) while the API nests `price`.
public struct ProductRecord: Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "product"

    /// The product's id; nil before insertion.
    public internal(set) var id: ProductID?
    /// The tenant that owns the product.
    public internal(set) var tenantID: TenantID
    /// The editable fields.
    public internal(set) var draft: ProductDraft
    /// When the product was created.
    public internal(set) var createdAt: Date
    /// When the product last changed.
    public internal(set) var updatedAt: Date
    /// Optimistic-concurrency version, 1 on creation and incremented by every change.
    public internal(set) var version: Int64

    /// The stock-keeping unit.
    public var sku: String { draft.sku }
    /// The price.
    public var price: Money { draft.price }
    /// The status.
    public var status: ProductStatus { draft.status }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column("id")
        /// `tenant_id`.
        public static let tenantID = Column("tenant_id")
        /// `sku`.
        public static let sku = Column("sku")
        /// `title`.
        public static let title = Column("title")
        /// `description`.
        public static let description = Column("description")
        /// `price_amount`, in minor units.
        public static let priceAmount = Column("price_amount")
        /// `currency`.
        public static let currency = Column("currency")
        /// `attributes`, a JSON object.
        public static let attributes = Column("attributes")
        /// `status`.
        public static let status = Column("status")
        /// `created_at`.
        public static let createdAt = Column("created_at")
        /// `updated_at`.
        public static let updatedAt = Column("updated_at")
        /// `version`.
        public static let version = Column("version")
    }

    init(id: ProductID?, tenantID: TenantID, draft: ProductDraft, createdAt: Date, updatedAt: Date, version: Int64) {
        self.id = id
        self.tenantID = tenantID
        self.draft = draft
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// Reads a row; a row that no longer passes validation (a currency withdrawn since) still
    /// loads, because the database already accepted it.
    public init(row: Row) throws {
        try self.init(
            id: row[Columns.id], tenantID: row[Columns.tenantID], sku: row[Columns.sku], title: row[Columns.title],
            description: row[Columns.description], priceAmount: row[Columns.priceAmount],
            currency: row[Columns.currency], attributesJSON: row[Columns.attributes], status: row[Columns.status],
            createdAt: row[Columns.createdAt], updatedAt: row[Columns.updatedAt], version: row[Columns.version])
    }

    /// The columns `init(selected:)` reads, in its order.
    static let selectedColumns = """
        id, tenant_id, sku, title, description, price_amount, currency, attributes, status, created_at, updated_at, \
        version
        """

    /// Reads a row of `SELECT <selectedColumns>` by position. Looking twelve columns up by name
    /// cost a third of decoding a product, and the index-sync worker reads back every product a
    /// bulk load writes.
    /// Ids and the status are read as the Int64 and String SQLite holds: through their own
    /// types GRDB looked up generic metadata (`RecordID<ProductRecord>`) and built a
    /// `DatabaseValue` per column, ~15% of reading a product.
    init(selected row: Row) throws {
        let statusText: String = row[8]
        guard let status = ProductStatus(rawValue: statusText) else {
            throw StoreError.invalid(field: "status", reason: "the stored value is not a product status")
        }
        try self.init(
            id: ProductID(row[0] as Int64), tenantID: TenantID(row[1] as Int64), sku: row[2], title: row[3],
            description: row[4], priceAmount: row[5], currency: row[6], attributesJSON: row[7], status: status,
            createdAt: row[9], updatedAt: row[10], version: row[11])
    }

    private init(
        id: ProductID, tenantID: TenantID, sku: String, title: String, description: String, priceAmount: Int64,
        currency: String, attributesJSON: String, status: ProductStatus, createdAt: DatabaseValue,
        updatedAt: DatabaseValue, version: Int64
    ) throws {
        let attributes =
            try StoredJSONReader.attributes(attributesJSON)
            ?? JSONDecoder().decode([String: AttributeValue].self, from: Data(attributesJSON.utf8))
        self.id = id
        self.tenantID = tenantID
        draft = ProductDraft(
            stored: sku, title: title, description: description,
            price: Money(stored: priceAmount, currency: currency), attributes: attributes, status: status)
        self.createdAt = try StoredDate.date(createdAt, column: "created_at")
        self.updatedAt = try StoredDate.date(updatedAt, column: "updated_at")
        self.version = version
    }

    /// Writes the row's columns.
    public func encode(to container: inout PersistenceContainer) throws {
        container[Columns.id] = id
        container[Columns.tenantID] = tenantID
        container[Columns.sku] = draft.sku
        container[Columns.title] = draft.title
        container[Columns.description] = draft.description
        container[Columns.priceAmount] = draft.price.amount
        container[Columns.currency] = draft.price.currency.code
        container[Columns.attributes] = try Self.attributesJSON(draft.attributes)
        container[Columns.status] = draft.status
        container[Columns.createdAt] = StoredDate.databaseText(createdAt)
        container[Columns.updatedAt] = StoredDate.databaseText(updatedAt)
        container[Columns.version] = version
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = ProductID(inserted.rowID) }

    /// The `attributes` column: the text `JSONEncoder` with `.sortedKeys` writes.
    static func attributesJSON(_ attributes: [String: AttributeValue]) throws -> String {
        var writer = CanonicalJSONWriter(escapesSlashes: true)
        try writer.object(attributes)
        return writer.text
    }

    /// The attributes as the column stores them (`/` written `\/`) and as event payloads write
    /// them (`/` bare), from one pass over the values: `/` only occurs inside JSON strings and
    /// no escape sequence contains it, so escaping every `/` byte of the bare text is exact.
    static func attributesTexts(_ attributes: [String: AttributeValue]) throws -> (column: String, payload: String) {
        var writer = CanonicalJSONWriter(escapesSlashes: false)
        try writer.object(attributes)
        return attributesTexts(payload: writer.text)
    }

    /// The attributes' column text from their payload text.
    static func attributesTexts(payload: String) -> (column: String, payload: String) {
        // `memchr` over the text: the generic `UTF8View.contains` walked it a byte at a time.
        let hasSlash =
            payload.utf8.withContiguousStorageIfAvailable {
                !$0.isEmpty && memchr($0.baseAddress!, 0x2F, $0.count) != nil
            }
            ?? payload.utf8.contains(UInt8(ascii: "/"))
        guard hasSlash else { return (payload, payload) }
        var column: [UInt8] = []
        column.reserveCapacity(payload.utf8.count + 8)
        for byte in payload.utf8 {
            if byte == UInt8(ascii: "/") { column.append(UInt8(ascii: "\\")) }
            column.append(byte)
        }
        return (String(decoding: column, as: UTF8.self), payload)
    }

    /// The `product.created` / `product.updated` payload, byte for byte what
    /// `TenantScope.json(self)` writes through `encode(to:)`, written by hand for every save;
    /// `dates` holds the write's time already formatted, `attributesJSON` the attributes'
    /// payload text when the caller has it (`attributesTexts(_:).payload`).
    func eventJSON(dates: RowDates, attributesJSON: String? = nil) throws -> String {
        try Self.eventJSON(
            draft, id: id?.rawValue, createdAt: createdAt, updatedAt: updatedAt, version: version, dates: dates,
            attributesJSON: attributesJSON)
    }

    /// `eventJSON(dates:attributesJSON:)` of the product with these fields, the draft borrowed.
    static func eventJSON(
        _ draft: ProductDraft, id: Int64?, createdAt: Date, updatedAt: Date, version: Int64, dates: RowDates,
        attributesJSON: String? = nil
    ) throws -> String {
        var writer = CanonicalJSONWriter(escapesSlashes: false, capacity: 512)
        try writeEventHead(draft, attributesJSON: attributesJSON, into: &writer)
        writer.string(dates.iso8601(createdAt))
        writeEventMiddle(draft, into: &writer)
        if let id { writer.integer(id) } else { writer.raw("null") }
        writeEventTail(draft, into: &writer)
        writer.string(dates.iso8601(updatedAt))
        writer.key("version")
        writer.integer(version)
        writer.raw("}")
        return writer.text
    }

    // The payload in three parts around its id and dates, members in name order; shared by
    // `eventJSON` and `CreationEventTemplate`, which writes them ahead of the write.

    /// `{"attributes":…,"created_at":`
    fileprivate static func writeEventHead(
        _ draft: ProductDraft, attributesJSON: String?, into writer: inout CanonicalJSONWriter
    ) throws {
        writer.raw("{")
        writer.key("attributes", first: true)
        if let attributesJSON = attributesJSON ?? draft.encoded?.attributes.payload {
            writer.raw(json: attributesJSON)
        } else {
            try writer.object(draft.attributes)
        }
        writer.key("created_at")
    }

    /// `,"description":…,"id":`
    fileprivate static func writeEventMiddle(_ draft: ProductDraft, into writer: inout CanonicalJSONWriter) {
        writer.key("description")
        writer.string(draft.description)
        writer.key("id")
    }

    /// `,"price":{…},"sku":…,"status":…,"title":…,"updated_at":`
    fileprivate static func writeEventTail(_ draft: ProductDraft, into writer: inout CanonicalJSONWriter) {
        writer.key("price")
        writer.raw("{")
        writer.key("amount", first: true)
        writer.integer(draft.price.amount)
        writer.key("currency")
        writer.string(draft.price.currency.code)
        writer.raw("}")
        writer.key("sku")
        writer.string(draft.sku)
        writer.key("status")
        writer.string(draft.status.rawValue)
        writer.key("title")
        writer.string(draft.title)
        writer.key("updated_at")
    }
}

/// The `product.created` payload of a draft's creation (version 1, created and updated at the
/// write's time) but for its id and that time, written ahead of the write: bulk ingest writes it
/// on its parser threads, and the one writer thread only copies it around the id and the time
/// (the whole payload took it ~8,500 instructions per product, a tenth of its work).
struct CreationEventTemplate: Sendable {
    /// The payload's UTF-8 up to its id, its last date and its version: the creation time goes
    /// at `createdAtOffset`, the id at `idOffset`. Bytes, not a `String`: making one validates
    /// every byte, which the payload's `String` does once anyway.
    private let bytes: [UInt8]
    private let createdAtOffset: Int
    private let idOffset: Int

    /// The template of `draft` whose attributes' payload text is `attributesJSON`.
    init(_ draft: ProductDraft, attributesJSON: String) {
        if let plain = Self(plain: draft, attributesJSON: attributesJSON) {
            self = plain
            return
        }
        var writer = CanonicalJSONWriter(escapesSlashes: false, capacity: 128 + attributesJSON.utf8.count)
        // Given the attributes' text, the head only copies it: nothing to throw.
        try? ProductRecord.writeEventHead(draft, attributesJSON: attributesJSON, into: &writer)
        writer.raw("\"")
        createdAtOffset = writer.bytes.count
        writer.raw("\"")
        ProductRecord.writeEventMiddle(draft, into: &writer)
        idOffset = writer.bytes.count
        ProductRecord.writeEventTail(draft, into: &writer)
        bytes = writer.bytes
    }

    /// The template copied together without a writer's buffer, when no text of the draft needs
    /// an escape (nearly every product; a writer's escaping scan, array growth and copy into a
    /// `String` cost three times as much); nil otherwise.
    private init?(plain draft: ProductDraft, attributesJSON: String) {
        let currency = draft.price.currency.code
        guard Self.needsNoEscape(draft.description), Self.needsNoEscape(draft.sku),
            Self.needsNoEscape(draft.title), Self.needsNoEscape(currency)
        else { return nil }
        let head: StaticString = "{\"attributes\":"
        let createdAt: StaticString = ",\"created_at\":\""
        let description: StaticString = "\",\"description\":\""
        let id: StaticString = "\",\"id\":"
        let amount: StaticString = ",\"price\":{\"amount\":"
        let currencyKey: StaticString = ",\"currency\":\""
        let sku: StaticString = "\"},\"sku\":\""
        let status: StaticString = "\",\"status\":\""
        let title: StaticString = "\",\"title\":\""
        let updatedAt: StaticString = "\",\"updated_at\":"
        let statusText = draft.status.rawValue
        let literals =
            head.utf8CodeUnitCount + createdAt.utf8CodeUnitCount + description.utf8CodeUnitCount
            + id.utf8CodeUnitCount + amount.utf8CodeUnitCount + currencyKey.utf8CodeUnitCount
            + sku.utf8CodeUnitCount + status.utf8CodeUnitCount + title.utf8CodeUnitCount
            + updatedAt.utf8CodeUnitCount
        let count =
            literals + attributesJSON.utf8.count
            + draft.description.utf8.count + DecimalText.count(draft.price.amount) + currency.utf8.count
            + draft.sku.utf8.count + statusText.utf8.count + draft.title.utf8.count
        var createdAtOffset = 0
        var idOffset = 0
        bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var cursor = ByteCursor(buffer.baseAddress!)
            cursor.append(head)
            cursor.append(attributesJSON)
            cursor.append(createdAt)
            createdAtOffset = cursor.offset(from: buffer.baseAddress!)
            cursor.append(description)
            cursor.append(draft.description)
            cursor.append(id)
            idOffset = cursor.offset(from: buffer.baseAddress!)
            cursor.append(amount)
            cursor.at += DecimalText.write(draft.price.amount, to: UnsafeMutableRawPointer(cursor.at))
            cursor.append(currencyKey)
            cursor.append(currency)
            cursor.append(sku)
            cursor.append(draft.sku)
            cursor.append(status)
            cursor.append(statusText)
            cursor.append(title)
            cursor.append(draft.title)
            cursor.append(updatedAt)
            initialized = cursor.offset(from: buffer.baseAddress!)
        }
        self.createdAtOffset = createdAtOffset
        self.idOffset = idOffset
    }

    /// `ProductRecord.eventJSON` of the draft created as product `id` at `dates.time`.
    func payload(id: Int64, dates: RowDates) -> String {
        let versionEnd: StaticString = "\",\"version\":1}"
        let date = dates.iso8601Text
        let count = bytes.count + 2 * date.utf8.count + DecimalText.count(id) + versionEnd.utf8CodeUnitCount + 1
        return bytes.withUnsafeBufferPointer { template in
            String(unsafeUninitializedCapacity: count) { buffer in
                var cursor = ByteCursor(buffer.baseAddress!)
                cursor.append(UnsafeBufferPointer(rebasing: template[..<createdAtOffset]))
                cursor.append(date)
                cursor.append(UnsafeBufferPointer(rebasing: template[createdAtOffset..<idOffset]))
                cursor.at += DecimalText.write(id, to: UnsafeMutableRawPointer(cursor.at))
                cursor.append(UnsafeBufferPointer(rebasing: template[idOffset...]))
                cursor.append("\"")
                cursor.append(date)
                cursor.append(versionEnd)
                return cursor.offset(from: buffer.baseAddress!)
            }
        }
    }

    /// Whether `text` is its own JSON string body: no control byte, quote or backslash.
    private static func needsNoEscape(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return true }
            var index = 0
            while index + 8 <= utf8.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if JSONWords.mayNeedEscape(word, slashes: false) { break }
                index += 8
            }
            while index < utf8.count {
                let byte = utf8[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
                index += 1
            }
            return true
        }
    }

    /// Appends bytes at a place of a buffer sized beforehand.
    private struct ByteCursor {
        var at: UnsafeMutablePointer<UInt8>

        init(_ start: UnsafeMutablePointer<UInt8>) { at = start }

        func offset(from start: UnsafeMutablePointer<UInt8>) -> Int { at - start }

        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress else { return }
            at.update(from: base, count: bytes.count)
            at += bytes.count
        }

        mutating func append(_ literal: StaticString) {
            append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }

        mutating func append(_ text: String) {
            var text = text
            text.withUTF8 { append($0) }
        }
    }
}

extension ProductRecord: Encodable {
    enum RecordKeys: String, CodingKey {
        case id, version
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Encodes the draft's shape plus `id`, `version`, `created_at` and `updated_at`.
    public func encode(to encoder: any Encoder) throws {
        try draft.encode(to: encoder)
        var container = encoder.container(keyedBy: RecordKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(version, forKey: .version)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension ProductDraft {
    /// A draft as stored: the database's CHECK constraints already hold, so no re-validation.
    init(
        stored sku: String, title: String, description: String, price: Money, attributes: [String: AttributeValue],
        status: ProductStatus
    ) {
        self.sku = sku
        self.title = title
        self.description = description
        self.price = price
        self.attributes = attributes
        self.status = status
        encoded = nil
    }
}

extension Money {
    /// A price as stored: the currency was valid when written.
    init(stored amount: Int64, currency: String) {
        self.amount = amount
        self.currency = CurrencyCode(stored: currency)
    }
}

extension CurrencyCode {
    /// A code as stored; a code withdrawn since keeps the usual exponent of 2.
    init(stored code: String) {
        self.code = code
        minorUnitExponent = Self.exponents[code] ?? 2
    }
}
