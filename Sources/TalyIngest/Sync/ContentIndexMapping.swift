import Foundation
import TalyIndex
import TalyStore

/// How a content type's items become search documents: the index schema derived from the
/// type's field capabilities, and the document of one item.
///
/// Every document has the item's own fields: `id` (the item id, the index's unique id),
/// `title` (text), `slug` (keyword), `version` (int64), `published_at` and `updated_at`
/// (dates). A content field is indexed only for the capabilities it declares:
/// - searchable text, rich text, and keywords with no column capability: a text field
///   (standard analyzer, stored for highlighting); lists are joined with newlines;
/// - filterable, facetable or sortable fields: a column. Numbers are doubles and dates
///   milliseconds; keywords, booleans (`true`/`false`) and references (the item id) are
///   keywords; lists are multi-valued keywords, because the index has no multi-valued numeric
///   column (a `list<number>` filters by exact value, not by range);
/// - a field with no capability is not indexed.
public struct ContentIndexMapping: Sendable, Equatable {
    /// The derived index schema; a change of it means the index must be rebuilt.
    public let schema: Schema
    /// The content fields that reach the index, with the index field type chosen for each.
    let fields: [(definition: ContentFieldDefinition, type: FieldType)]

    /// The names of the text fields, for a searcher's default fields (`title` first).
    public var textFields: [String] {
        schema.fields.compactMap { field in
            if case .text = field.type { return field.name }
            return nil
        }
    }

    /// The mapping of a content type as it is now.
    public init(contentType: ContentTypeRecord) {
        var indexFields: [Schema.Field] = [
            Schema.Field("id", .keyword(stored: true, multiValued: false)),
            Schema.Field("title", .text(analyzer: .standard, stored: true)),
            Schema.Field("slug", .keyword(stored: true, multiValued: false)),
            Schema.Field("version", .int64(stored: true)),
            Schema.Field("published_at", .date(stored: true)),
            Schema.Field("updated_at", .date(stored: true)),
        ]
        var fields: [(definition: ContentFieldDefinition, type: FieldType)] = []
        for definition in contentType.fields {
            guard let type = Self.indexType(of: definition) else { continue }
            indexFields.append(Schema.Field(definition.name, type))
            fields.append((definition, type))
        }
        do {
            schema = try Schema(fields: indexFields, idField: "id")
        } catch {
            // Content field names are identifiers that never clash with the item's own fields
            // (TalyStore reserves them), so a derived schema is always valid.
            preconditionFailure("derived schema of content type \(contentType.name) is invalid: \(error)")
        }
        self.fields = fields
    }

    public static func == (lhs: ContentIndexMapping, rhs: ContentIndexMapping) -> Bool { lhs.schema == rhs.schema }

    /// The index field type of a content field, nil when it has no search capability.
    static func indexType(of definition: ContentFieldDefinition) -> FieldType? {
        let hasColumn = definition.filterable || definition.facetable || definition.sortable
        var element = definition.type
        var isList = false
        if case .list(let inner) = definition.type {
            element = inner
            isList = true
        }
        if !hasColumn {
            guard definition.searchable else { return nil }
            return .text(analyzer: .standard, stored: true)
        }
        if isList { return .keyword(stored: true, multiValued: true) }
        switch element {
        case .number: return .double(stored: true)
        case .date: return .date(stored: true)
        case .keyword, .boolean, .reference, .text, .richText, .list:
            return .keyword(stored: true, multiValued: false)
        }
    }

    /// The search document of `item` (which must be of this mapping's type).
    public func document(of item: ContentItemRecord) -> Document {
        var document = Document()
        document["id"] = .keyword([String(item.id?.rawValue ?? 0)])
        document["title"] = .text(item.title)
        document["slug"] = .keyword([item.slug])
        document["version"] = .int64(item.version)
        if let publishedAt = item.publishedAt {
            document["published_at"] = .date(milliseconds: Self.milliseconds(publishedAt))
        }
        document["updated_at"] = .date(milliseconds: Self.milliseconds(item.updatedAt))
        for (definition, type) in fields {
            guard let value = item.fields[definition.name], let indexed = Self.fieldValue(value, as: type) else {
                continue
            }
            document[definition.name] = indexed
        }
        return document
    }

    /// An item's value as the index field's value; nil when there is nothing to index (null,
    /// an empty list, a date the store would not have accepted).
    static func fieldValue(_ value: ContentValue, as type: FieldType) -> FieldValue? {
        switch type {
        case .text:
            let parts = Self.texts(value)
            return parts.isEmpty ? nil : .text(parts.joined(separator: "\n"))
        case .keyword(_, let multiValued):
            let parts = Self.texts(value)
            if multiValued { return parts.isEmpty ? nil : .keyword(parts) }
            return parts.first.map { .keyword([$0]) }
        case .double:
            guard case .number(let number) = value else { return nil }
            return .double(number)
        case .int64:
            guard case .number(let number) = value, let exact = Int64(exactly: number) else { return nil }
            return .int64(exact)
        case .date:
            guard case .string(let text) = value, let milliseconds = Self.milliseconds(iso8601: text) else {
                return nil
            }
            return .date(milliseconds: milliseconds)
        }
    }

    /// The scalar values of a field as strings: numbers without a needless fraction, booleans
    /// as `true`/`false`, a list's elements in order.
    static func texts(_ value: ContentValue) -> [String] {
        switch value {
        case .null, .object: return []
        case .string(let text): return [text]
        case .bool(let flag): return [flag ? "true" : "false"]
        case .number(let number):
            if let exact = Int64(exactly: number) { return [String(exact)] }
            return [String(number)]
        case .array(let elements): return elements.flatMap { Self.texts($0) }
        }
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Milliseconds since 1970 of a `YYYY-MM-DD` date (midnight UTC) or an RFC 3339 date-time
    /// with a zone, the two forms TalyStore accepts; nil for anything else.
    static func milliseconds(iso8601 text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[start..<start + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), (1...12).contains(month),
            (1...31).contains(day)
        else { return nil }
        // Days from civil (Howard Hinnant's algorithm), exact for the proleptic Gregorian calendar.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        var milliseconds = days * 86_400_000
        if bytes.count == 10 { return milliseconds }
        guard let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        milliseconds += ((hour * 60 + minute) * 60 + second) * 1000
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale: Int64 = 100
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                milliseconds += Int64(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
        }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") { return milliseconds }
        guard let zoneHour = number(index + 1, 2), let zoneMinute = number(index + 4, 2) else { return nil }
        let offset = (zoneHour * 60 + zoneMinute) * 60_000
        return bytes[index] == UInt8(ascii: "-") ? milliseconds + offset : milliseconds - offset
    }
}
