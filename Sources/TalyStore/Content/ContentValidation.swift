import Foundation

/// Checks items' field values against their content type; errors name the field as
/// `fields.<name>` (and `fields.<name>[index]` inside lists).
enum ContentValidation {
    static let maximumTextBytes = 1 << 20
    static let maximumKeywordCharacters = 256
    static let maximumListElements = 1000

    /// The values to store (nulls of optional fields dropped) and the item ids they reference.
    struct Checked {
        var fields: [String: ContentValue]
        var references: [(field: String, id: Int64)]
    }

    static func check(_ input: [String: ContentValue], against type: ContentTypeRecord) throws(StoreError) -> Checked {
        let definitions = Dictionary(uniqueKeysWithValues: type.fields.map { ($0.name, $0) })
        for name in input.keys.sorted() where definitions[name] == nil {
            throw .invalid(field: "fields.\(name)", reason: "content type \(type.name) has no such field")
        }
        var checked = Checked(fields: [:], references: [])
        for definition in type.fields {
            let path = "fields.\(definition.name)"
            guard let value = input[definition.name], value != .null else {
                if definition.required { throw .invalid(field: path, reason: "is required") }
                continue
            }
            checked.fields[definition.name] = try check(
                value, as: definition.type, path: path, references: &checked.references)
        }
        return checked
    }

    /// Every problem of `input` under `type`, one per field at most, unknown fields first (by
    /// name), then the type's fields in order. References are only checked when saved.
    static func problems(_ input: [String: ContentValue], against type: ContentTypeRecord) -> [StoreError] {
        let definitions = Dictionary(uniqueKeysWithValues: type.fields.map { ($0.name, $0) })
        var problems: [StoreError] = input.keys.sorted().filter { definitions[$0] == nil }.map {
            .invalid(field: "fields.\($0)", reason: "content type \(type.name) has no such field")
        }
        var references: [(field: String, id: Int64)] = []
        for definition in type.fields {
            let path = "fields.\(definition.name)"
            guard let value = input[definition.name], value != .null else {
                if definition.required { problems.append(.invalid(field: path, reason: "is required")) }
                continue
            }
            do {
                _ = try check(value, as: definition.type, path: path, references: &references)
            } catch {
                problems.append(error)
            }
        }
        return problems
    }

    private static func check(
        _ value: ContentValue, as type: ContentFieldType, path: String, references: inout [(field: String, id: Int64)]
    ) throws(StoreError) -> ContentValue {
        switch (type, value) {
        case (.text, .string(let text)), (.richText, .string(let text)):
            guard text.utf8.count <= maximumTextBytes else {
                throw .invalid(field: path, reason: "longer than \(maximumTextBytes) bytes")
            }
        case (.keyword, .string(let text)):
            guard !text.isEmpty, TextRules.fits(text, characters: maximumKeywordCharacters) else {
                throw .invalid(field: path, reason: "a keyword is 1 to \(maximumKeywordCharacters) characters")
            }
            guard !TextRules.hasControlCharacter(text) else {
                throw .invalid(field: path, reason: "a keyword cannot contain control characters")
            }
        case (.number, .number(let number)):
            guard number.isFinite else { throw .invalid(field: path, reason: "must be a finite number") }
        case (.date, .string(let text)):
            guard isISO8601(text) else {
                throw .invalid(
                    field: path,
                    reason: "expected an ISO 8601 date or date-time with a zone, got \"\(text.prefix(40))\"")
            }
        case (.boolean, .bool):
            break
        case (.reference, .number(let number)):
            guard number >= 1, number < 9.0e15, number.rounded() == number else {
                throw .invalid(field: path, reason: "expected a content item id, got \(number)")
            }
            references.append((path, Int64(number)))
        case (.list(let element), .array(let values)):
            guard values.count <= maximumListElements else {
                throw .invalid(field: path, reason: "at most \(maximumListElements) elements")
            }
            var checked: [ContentValue] = []
            checked.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                checked.append(try check(value, as: element, path: "\(path)[\(index)]", references: &references))
            }
            return .array(checked)
        default:
            throw .invalid(field: path, reason: "expected \(expectation(type)), got \(value.kind)")
        }
        return value
    }

    private static func expectation(_ type: ContentFieldType) -> String {
        switch type {
        case .text, .richText, .keyword: "a string"
        case .number: "a number"
        case .date: "a date string"
        case .boolean: "a boolean"
        case .reference: "a content item id"
        case .list: "an array"
        }
    }

    /// `YYYY-MM-DD`, or an RFC 3339 date-time `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, with
    /// real calendar dates. Parsed by hand: a formatter per value costs more than the save.
    static func isISO8601(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, is expected: Character) -> Bool {
            index < bytes.count && bytes[index] == expected.asciiValue
        }
        guard bytes.count <= 40, let year = number(0, 4), byte(4, is: "-"), let month = number(5, 2), byte(7, is: "-"),
            let day = number(8, 2), (1...12).contains(month)
        else { return false }
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let daysInMonth = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...daysInMonth).contains(day) else { return false }
        if bytes.count == 10 { return true }
        guard byte(10, is: "T") || byte(10, is: "t"), let hour = number(11, 2), byte(13, is: ":"),
            let minute = number(14, 2), byte(16, is: ":"), let second = number(17, 2),
            hour < 24, minute < 60, second < 61
        else { return false }
        var index = 19
        if byte(index, is: ".") {
            index += 1
            let digitsStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digitsStart else { return false }
        }
        if (byte(index, is: "Z") || byte(index, is: "z")) && index + 1 == bytes.count { return true }
        guard byte(index, is: "+") || byte(index, is: "-"), let zoneHour = number(index + 1, 2),
            byte(index + 3, is: ":"), let zoneMinute = number(index + 4, 2), zoneHour < 24, zoneMinute < 60
        else { return false }
        return index + 6 == bytes.count
    }
}
