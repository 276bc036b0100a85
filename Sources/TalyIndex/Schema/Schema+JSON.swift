import Foundation

extension Schema {
    /// Builds a document from one JSON object, converting each member by its field's type and
    /// naming the field and the problem when a value does not fit:
    ///
    /// - text: a string; keyword: a string, or an array of strings for multi-valued fields;
    /// - int64: an integer; double: a number; date: an ISO 8601 string or integer milliseconds;
    /// - `null` means absent; members that are not fields are errors.
    public func document(fromJSON data: Data) throws(DocumentError) -> ValidatedDocument {
        let object: [String: JSONValue]
        do {
            guard case .object(let members) = try JSONDecoder().decode(JSONValue.self, from: data) else {
                throw DocumentError(field: "", problem: "a document must be a JSON object")
            }
            object = members
        } catch let error as DocumentError {
            throw error
        } catch {
            throw DocumentError(field: "", problem: "malformed JSON: \(Self.describe(error))")
        }
        var document = Document()
        for (name, json) in object {
            guard let field = field(named: name) else {
                throw DocumentError(
                    field: name, problem: "unknown field (the schema has \(fields.map(\.name).joined(separator: ", ")))"
                )
            }
            if case .null = json { continue }
            document[name] = try Self.value(json, for: field)
        }
        return try validate(document)
    }

    private static func value(_ json: JSONValue, for field: Field) throws(DocumentError) -> FieldValue {
        func mismatch() -> DocumentError {
            DocumentError(field: field.name, problem: "expected \(expectation(field.type)), found \(json.kind)")
        }
        switch (field.type, json) {
        case (.text, .string(let text)): return .text(text)
        case (.keyword, .string(let text)): return .keyword([text])
        case (.keyword(_, multiValued: true), .array(let items)):
            var values: [String] = []
            for item in items {
                guard case .string(let text) = item else {
                    throw DocumentError(
                        field: field.name,
                        problem: "expected an array of strings, found an element of type \(item.kind)")
                }
                values.append(text)
            }
            return .keyword(values)
        case (.int64, .integer(let number)): return .int64(number)
        case (.int64, .number(let number)):
            throw DocumentError(field: field.name, problem: "expected an integer within Int64, found \(number)")
        case (.double, .integer(let number)): return .double(Double(number))
        case (.double, .number(let number)): return .double(number)
        case (.date, .integer(let milliseconds)): return .date(milliseconds: milliseconds)
        case (.date, .string(let text)):
            guard let milliseconds = parseISO8601(text) else {
                throw DocumentError(
                    field: field.name, problem: "\"\(text)\" is not an ISO 8601 date-time (e.g. 2026-11-29T19:00:00Z)")
            }
            return .date(milliseconds: milliseconds)
        default: throw mismatch()
        }
    }

    private static func expectation(_ type: FieldType) -> String {
        switch type {
        case .text: "a string"
        case .keyword(_, let multiValued): multiValued ? "a string or an array of strings" : "a string"
        case .int64: "an integer"
        case .double: "a number"
        case .date: "an ISO 8601 string or integer milliseconds"
        }
    }

    /// Parses `2026-11-29`, `2026-11-29T19:00:00Z`, fractional seconds and numeric offsets.
    static func parseISO8601(_ text: String) -> Int64? {
        let styles: [Date.ISO8601FormatStyle] = [
            .iso8601,
            Date.ISO8601FormatStyle(includingFractionalSeconds: true),
            Date.ISO8601FormatStyle().year().month().day(),
        ]
        for style in styles {
            if let date = try? style.parse(text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        }
        return nil
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                ?? context.debugDescription
        }
        return String(describing: error)
    }
}
