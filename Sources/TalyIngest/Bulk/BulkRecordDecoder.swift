import Foundation
import TalyStore

/// What bulk ingest loads: items of one content type, or the product catalog.
public enum BulkIngestTarget: Sendable {
    /// Items of this content type, keyed by slug.
    case content(ContentTypeRecord)
    /// Products, keyed by SKU.
    case products

    /// How the target is named in messages and checkpoint keys.
    public var name: String {
        switch self {
        case .content(let type): type.name
        case .products: "products"
        }
    }
}

/// A record decoded and validated, ready for the store.
enum ValidRecord: Sendable {
    case content(ContentItemDraft)
    case product(ProductDraft)
}

/// Why a record was rejected: the field at fault (`record` for the record as a whole) and why.
public struct RecordRejection: Sendable, Equatable, Error {
    /// The field at fault, as the store names it (`fields.body`, `price.currency`), or `record`.
    public let field: String
    /// What is wrong.
    public let reason: String
}

/// Turns one record's bytes (a JSON object, or a CSV row with its header) into a validated
/// draft. Pure and `Sendable`: the parallel stage of the pipeline runs one per thread.
///
/// Content records are flat objects: `slug` (the external id), `title`, optional `publish_at`
/// (ISO 8601), and the content type's fields as the other members. Product records use the
/// API's product JSON shape.
struct BulkRecordDecoder: Sendable {
    let target: BulkIngestTarget
    /// Whether product drafts carry their serialized texts for the writer (not for a
    /// validate-only run, which writes nothing).
    let serializesForWrite: Bool
    /// Per column of a CSV input, how its cells become JSON values.
    private(set) var csvColumns: [CSVColumn] = []

    static let listSeparator: Character = "|"

    enum CSVColumn: Sendable {
        /// A top-level member (`slug`, `sku`…) taken as a string.
        case string(String)
        /// `price.amount`: an integer in minor units.
        case priceAmount
        /// `price.currency`.
        case priceCurrency
        /// A content field, typed by its definition.
        case field(String, ContentFieldType)
        /// `attributes.NAME`: integer, number, boolean or string, whichever the cell reads as.
        case attribute(String)
    }

    /// Whether product records of the usual shape are read straight into drafts
    /// (`JSONParser.commonProductDraft`); tests turn it off to compare with the general path.
    let readsCommonProducts: Bool

    init(target: BulkIngestTarget, serializesForWrite: Bool = true, readsCommonProducts: Bool = true) {
        self.target = target
        self.serializesForWrite = serializesForWrite
        self.readsCommonProducts = readsCommonProducts
    }

    /// Types the columns of a CSV header by the content type's or the product schema.
    mutating func useCSVHeader(_ header: [String], line: Int) throws(BulkIngestError) {
        var seen = Set<String>()
        csvColumns = []
        for name in header {
            let name = name.trimmingCharacters(in: .whitespaces)
            guard seen.insert(name).inserted else {
                throw .malformedInput(line: line, reason: "the CSV header names column \"\(name)\" twice")
            }
            switch target {
            case .content(let type):
                if name == "slug" || name == "title" || name == "publish_at" {
                    csvColumns.append(.string(name))
                } else if let definition = type.fields.first(where: { $0.name == name }) {
                    csvColumns.append(.field(name, definition.type))
                } else {
                    throw .malformedInput(
                        line: line, reason: "CSV column \"\(name)\" is not a field of content type \(type.name)")
                }
            case .products:
                switch name {
                case "sku", "title", "description", "status": csvColumns.append(.string(name))
                case "price.amount": csvColumns.append(.priceAmount)
                case "price.currency": csvColumns.append(.priceCurrency)
                default:
                    guard name.hasPrefix("attributes."), name.count > "attributes.".count else {
                        throw .malformedInput(
                            line: line,
                            reason:
                                "CSV column \"\(name)\" is not a product column (sku, title, description, status, price.amount, price.currency, attributes.NAME)"
                        )
                    }
                    csvColumns.append(.attribute(String(name.dropFirst("attributes.".count))))
                }
            }
        }
    }

    /// Decodes and validates one record.
    func decode(_ bytes: ArraySlice<UInt8>, isCSV: Bool) -> Result<ValidRecord, RecordRejection> {
        if !isCSV, readsCommonProducts, case .products = target,
            let draft = bytes.withUnsafeBytes({
                JSONParser.commonProductDraft($0, serializesForWrite: serializesForWrite)
            })
        {
            return .success(.product(draft))
        }
        let object: [JSONMember]
        if isCSV {
            switch csvObject(bytes) {
            case .success(let members): object = members
            case .failure(let rejection): return .failure(rejection)
            }
        } else {
            let parsed = bytes.withUnsafeBytes { raw in
                Result { () throws(JSONParser.Failure) in try JSONParser.parse(raw) }
            }
            switch parsed {
            case .success(.object(let members)): object = members
            case .success(let other):
                return .failure(RecordRejection(field: "record", reason: "expected a JSON object, got \(other.kind)"))
            case .failure(let failure):
                return .failure(
                    RecordRejection(
                        field: "record", reason: "not valid JSON at byte \(failure.offset + 1): \(failure.reason)"))
            }
        }
        do {
            switch target {
            case .content(let type): return .success(.content(try contentDraft(object, type: type)))
            case .products: return .success(.product(try productDraft(object)))
            }
        } catch let rejection as RecordRejection {
            return .failure(rejection)
        } catch let error as StoreError {
            if case .invalid(let field, let reason) = error {
                return .failure(RecordRejection(field: field, reason: reason))
            }
            return .failure(RecordRejection(field: "record", reason: error.description))
        } catch {
            return .failure(RecordRejection(field: "record", reason: String(describing: error)))
        }
    }

    // MARK: - Content

    private func contentDraft(_ object: [JSONMember], type: ContentTypeRecord) throws -> ContentItemDraft {
        var slug: String?
        var title: String?
        var publishAt: Date?
        var fields: [String: ContentValue] = [:]
        for member in object {
            let (key, value) = (member.key, member.value)
            switch key {
            case "slug": slug = try string(value, field: "slug")
            case "title": title = try string(value, field: "title")
            case "publish_at":
                guard value != .null else { continue }
                let text = try string(value, field: "publish_at")
                guard let date = Self.date(text) else {
                    throw RecordRejection(
                        field: "publish_at",
                        reason: "expected an ISO 8601 date-time with a zone, got \"\(text.prefix(40))\"")
                }
                publishAt = date
            default:
                guard fields.updateValue(Self.contentValue(value), forKey: key) == nil else {
                    throw RecordRejection(field: "fields.\(key)", reason: "appears twice")
                }
            }
        }
        guard let slug else {
            throw RecordRejection(field: "slug", reason: "is required: it is the item's external id")
        }
        guard let title else { throw RecordRejection(field: "title", reason: "is required") }
        return try type.validate(ContentItemDraft(title: title, slug: slug, fields: fields, publishAt: publishAt))
    }

    private func string(_ value: JSONValue, field: String) throws(RecordRejection) -> String {
        guard case .string(let text) = value else {
            throw RecordRejection(field: field, reason: "expected a string, got \(value.kind)")
        }
        return text
    }

    static func contentValue(_ value: JSONValue) -> ContentValue {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .integer(let integer): .number(Double(integer))
        case .number(let number): .number(number)
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(contentValue))
        case .object(let members):
            .object(Dictionary(members.map { ($0.key, contentValue($0.value)) }) { _, last in last })
        }
    }

    static func date(_ text: String) -> Date? {
        // ISO8601DateFormatter is not Sendable: one per call is slow but publish_at is rare.
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    // MARK: - Products

    private func productDraft(_ object: [JSONMember]) throws -> ProductDraft {
        var sku: String?
        var title: String?
        var description = ""
        var amount: Int64?
        var currency: String?
        var attributes: [String: AttributeValue] = [:]
        var status = ProductStatus.draft
        for member in object {
            let (key, value) = (member.key, member.value)
            switch key {
            case "sku": sku = try string(value, field: "sku")
            case "title": title = try string(value, field: "title")
            case "description": description = try string(value, field: "description")
            case "status":
                let text = try string(value, field: "status")
                guard let parsed = ProductStatus(rawValue: text) else {
                    throw RecordRejection(field: "status", reason: "must be active, draft or archived")
                }
                status = parsed
            case "price":
                guard case .object(let members) = value else {
                    throw RecordRejection(field: "price", reason: "expected an object {amount, currency}")
                }
                for member in members {
                    let (priceKey, priceValue) = (member.key, member.value)
                    switch priceKey {
                    case "amount":
                        guard case .integer(let integer) = priceValue else {
                            throw RecordRejection(field: "price.amount", reason: "must be an integer (minor units)")
                        }
                        amount = integer
                    case "currency": currency = try string(priceValue, field: "price.currency")
                    default: throw RecordRejection(field: "price.\(priceKey)", reason: "is not a known field")
                    }
                }
            case "attributes":
                guard case .object(let members) = value else {
                    throw RecordRejection(field: "attributes", reason: "expected an object")
                }
                attributes.reserveCapacity(members.count)
                for member in members {
                    let (name, attribute) = (member.key, member.value)
                    attributes[name] = try Self.attributeValue(attribute, name: name)
                }
            default:
                throw RecordRejection(field: key, reason: "is not a known field")
            }
        }
        guard let sku else {
            throw RecordRejection(field: "sku", reason: "is required: it is the product's external id")
        }
        guard let title else { throw RecordRejection(field: "title", reason: "is required") }
        guard let amount else { throw RecordRejection(field: "price.amount", reason: "is required") }
        guard let currency else { throw RecordRejection(field: "price.currency", reason: "is required") }
        var draft = try ProductDraft(
            sku: sku, title: title, description: description, price: try Money(amount: amount, currency: currency),
            attributes: attributes, status: status)
        if serializesForWrite { draft.serializeForWrite() }
        return draft
    }

    /// Attribute `name`'s value (its field, `attributes.<name>`, is spelled out only in a rejection:
    /// building it for every attribute of every record was ~1% of a bulk load).
    static func attributeValue(_ value: JSONValue, name: String, nested: Bool = false) throws(RecordRejection)
        -> AttributeValue
    {
        switch value {
        case .string(let text): return .string(text)
        case .integer(let integer): return .integer(integer)
        case .number(let number): return .number(number)
        case .bool(let flag): return .bool(flag)
        case .array(let elements) where !nested:
            var converted: [AttributeValue] = []
            converted.reserveCapacity(elements.count)
            for element in elements { converted.append(try attributeValue(element, name: name, nested: true)) }
            return .array(converted)
        default:
            throw RecordRejection(
                field: "attributes.\(name)",
                reason: "expected a string, number, boolean or array of them, got \(value.kind)")
        }
    }

    // MARK: - CSV

    private func csvObject(_ bytes: ArraySlice<UInt8>) -> Result<[JSONMember], RecordRejection> {
        let cells: [String]
        switch CSVRow.cells(bytes) {
        case .success(let found): cells = found
        case .failure(.invalidUTF8(let column)):
            return .failure(RecordRejection(field: "record", reason: "cell \(column + 1) is not valid UTF-8"))
        case .failure(.strayQuote(let column)):
            return .failure(
                RecordRejection(field: "record", reason: "cell \(column + 1) has a quote inside unquoted text"))
        }
        guard cells.count == csvColumns.count else {
            return .failure(
                RecordRejection(
                    field: "record", reason: "has \(cells.count) cells, the header has \(csvColumns.count) columns"))
        }
        var members: [JSONMember] = []
        var price: [JSONMember] = []
        var attributes: [JSONMember] = []
        for (column, cell) in zip(csvColumns, cells) where !cell.isEmpty {
            switch column {
            case .string(let name): members.append(JSONMember(name, .string(cell)))
            case .priceAmount:
                guard let amount = Int64(cell) else {
                    return .failure(
                        RecordRejection(field: "price.amount", reason: "must be an integer, got \"\(cell.prefix(40))\"")
                    )
                }
                price.append(JSONMember("amount", .integer(amount)))
            case .priceCurrency: price.append(JSONMember("currency", .string(cell)))
            case .attribute(let name): attributes.append(JSONMember(name, Self.inferred(cell)))
            case .field(let name, let type):
                switch Self.typed(cell, as: type, field: "fields.\(name)") {
                case .success(let value): members.append(JSONMember(name, value))
                case .failure(let rejection): return .failure(rejection)
                }
            }
        }
        if !price.isEmpty { members.append(JSONMember("price", .object(price))) }
        if !attributes.isEmpty { members.append(JSONMember("attributes", .object(attributes))) }
        return .success(members)
    }

    /// A cell read as the field's type; list elements are separated by `|`.
    static func typed(_ cell: String, as type: ContentFieldType, field: String) -> Result<JSONValue, RecordRejection> {
        switch type {
        case .text, .richText, .keyword, .date: return .success(.string(cell))
        case .number:
            guard let number = Double(cell), number.isFinite else {
                return .failure(RecordRejection(field: field, reason: "expected a number, got \"\(cell.prefix(40))\""))
            }
            return .success(.number(number))
        case .reference:
            guard let id = Int64(cell) else {
                return .failure(
                    RecordRejection(field: field, reason: "expected a content item id, got \"\(cell.prefix(40))\""))
            }
            return .success(.integer(id))
        case .boolean:
            switch cell {
            case "true", "1": return .success(.bool(true))
            case "false", "0": return .success(.bool(false))
            default:
                return .failure(
                    RecordRejection(field: field, reason: "expected true or false, got \"\(cell.prefix(40))\""))
            }
        case .list(let element):
            var values: [JSONValue] = []
            for (index, part) in cell.split(separator: listSeparator, omittingEmptySubsequences: false).enumerated() {
                switch typed(String(part), as: element, field: "\(field)[\(index)]") {
                case .success(let value): values.append(value)
                case .failure(let rejection): return .failure(rejection)
                }
            }
            return .success(.array(values))
        }
    }

    /// An attribute cell: an integer, a number, `true`/`false`, or else text.
    static func inferred(_ cell: String) -> JSONValue {
        if let integer = Int64(cell) { return .integer(integer) }
        if let number = Double(cell), number.isFinite, cell.first?.isNumber == true || cell.first == "-" {
            return .number(number)
        }
        if cell == "true" { return .bool(true) }
        if cell == "false" { return .bool(false) }
        return .string(cell)
    }
}
