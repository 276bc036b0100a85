import Foundation
import Testing

@testable import TalyIndex

@Suite("schema and document validation")
struct SchemaTests {
    static let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("title", .text(analyzer: .standard, stored: true)),
            .init("body", .text(analyzer: .english, stored: false)),
            .init("tags", .keyword(stored: true, multiValued: true)),
            .init("price", .int64(stored: true)),
            .init("rating", .double(stored: false)),
            .init("published", .date(stored: true)),
        ],
        idField: "id"
    )

    func parse(_ json: String) throws(DocumentError) -> ValidatedDocument {
        try Self.schema.document(fromJSON: Data(json.utf8))
    }

    @Test("a well-formed JSON document converts every field by its type")
    func wellFormed() throws {
        let document = try parse(
            #"{"id": "p1", "title": "Red shoes", "tags": ["a", "b"], "price": 1999, "rating": 4, "published": "2026-11-29T19:00:00Z", "body": null}"#
        )
        #expect(document.id == "p1")
        #expect(document.values[1] == .text("Red shoes"))
        #expect(document.values[2] == nil)
        #expect(document.values[3] == .keyword(["a", "b"]))
        #expect(document.values[4] == .int64(1999))
        #expect(document.values[5] == .double(4))
        #expect(document.values[6] == .date(milliseconds: 1_795_978_800_000))
    }

    @Test(
        "a document that breaks the schema is refused with the field and the problem",
        arguments: [
            (#"{"title": "x"}"#, DocumentError(field: "id", problem: "missing: every document needs an id")),
            (#"{"id": ""}"#, DocumentError(field: "id", problem: "the id is empty")),
            (#"{"id": ["a", "b"]}"#, DocumentError(field: "id", problem: "expected a string, found an array")),
            (
                #"{"id": "a", "price": 1.5}"#,
                DocumentError(field: "price", problem: "expected an integer within Int64, found 1.5")
            ),
            (
                #"{"id": "a", "price": "12"}"#,
                DocumentError(field: "price", problem: "expected an integer, found a string")
            ),
            (
                #"{"id": "a", "title": true}"#,
                DocumentError(field: "title", problem: "expected a string, found a boolean")
            ),
            (
                #"{"id": "a", "tags": ["x", 1]}"#,
                DocumentError(field: "tags", problem: "expected an array of strings, found an element of type a number")
            ),
            (
                #"{"id": "a", "published": "yesterday"}"#,
                DocumentError(
                    field: "published",
                    problem: "\"yesterday\" is not an ISO 8601 date-time (e.g. 2026-11-29T19:00:00Z)")
            ),
            (#"[1]"#, DocumentError(field: "", problem: "a document must be a JSON object")),
        ]
    )
    func refused(json: String, expected: DocumentError) {
        #expect(throws: expected) { _ = try parse(json) }
    }

    @Test("unknown fields and malformed JSON name the problem")
    func unknownAndMalformed() {
        #expect {
            _ = try parse(#"{"id": "a", "colour": "red"}"#)
        } throws: { error in
            let error = error as? DocumentError
            return error?.field == "colour" && error?.problem.hasPrefix("unknown field") == true
        }
        #expect {
            _ = try parse(#"{"id": "a", "#)
        } throws: { error in
            (error as? DocumentError)?.problem.hasPrefix("malformed JSON") == true
        }
    }

    @Test("typed documents are validated the same way: NaN, wrong types, too many values")
    func typedValidation() {
        var document = Document(["id": .keyword(["a"]), "rating": .double(.nan)])
        #expect(throws: DocumentError(field: "rating", problem: "NaN is not a number that can be filtered or sorted")) {
            _ = try Self.schema.validate(document)
        }
        document = Document(["id": .keyword(["a"]), "price": .text("12")])
        #expect(throws: DocumentError(field: "price", problem: "expected int64, found text")) {
            _ = try Self.schema.validate(document)
        }
        document = Document(["id": .keyword(["a", "b"])])
        #expect(throws: DocumentError(field: "id", problem: "takes exactly one value, found 2")) {
            _ = try Self.schema.validate(document)
        }
    }

    @Test("schemas with bad names, duplicates or a bad id field are refused")
    func badSchemas() {
        #expect(throws: SchemaError.invalidFieldName("1st")) {
            _ = try Schema(fields: [.init("1st", .int64(stored: false))], idField: "1st")
        }
        #expect(throws: SchemaError.duplicateField("a")) {
            _ = try Schema(
                fields: [.init("a", .int64(stored: false)), .init("a", .int64(stored: false))], idField: "a")
        }
        #expect(throws: SchemaError.missingIdField("id")) {
            _ = try Schema(fields: [.init("a", .int64(stored: false))], idField: "id")
        }
        #expect(throws: SchemaError.invalidIdField("id", type: "keyword")) {
            _ = try Schema(fields: [.init("id", .keyword(stored: true, multiValued: true))], idField: "id")
        }
    }

    @Test("a schema survives a JSON round trip, and a tampered saved schema is re-validated")
    func codable() throws {
        let data = try JSONEncoder().encode(Self.schema)
        #expect(try JSONDecoder().decode(Schema.self, from: data) == Self.schema)
        let tampered = try #require(String(data: data, encoding: .utf8)).replacingOccurrences(
            of: "\"title\"", with: "\"id\"")
        #expect(throws: SchemaError.duplicateField("id")) {
            _ = try JSONDecoder().decode(Schema.self, from: Data(tampered.utf8))
        }
    }

    @Test("unique ids encode as before the id mode existed; an append-only schema round-trips with its mode")
    func idModeCoding() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let unique = try #require(String(data: try encoder.encode(Self.schema), encoding: .utf8))
        #expect(!unique.contains("idMode"))
        let appendOnly = try Schema(fields: Self.schema.fields, idField: "id", idMode: .appendOnly)
        let data = try encoder.encode(appendOnly)
        #expect(String(decoding: data, as: UTF8.self).hasSuffix(#","idField":"id","idMode":"appendOnly"}"#))
        let decoded = try JSONDecoder().decode(Schema.self, from: data)
        #expect(decoded == appendOnly)
        #expect(decoded != Self.schema)
        #expect(decoded.isIndexed(0) == false && Self.schema.isIndexed(0) == true)
        #expect(decoded.isIndexed(1) && decoded.isIndexed(3) && !decoded.isIndexed(4))
    }
}

@Suite("date parsing")
struct DateParsingTests {
    // Expected values computed with Python's datetime, independently of this code.
    @Test(
        "ISO 8601 forms parse to epoch milliseconds",
        arguments: [
            ("2026-11-29T19:00:00Z", Int64(1_795_978_800_000)),
            ("2026-11-29T19:00:00.250Z", Int64(1_795_978_800_250)),
            ("2026-11-29T20:00:00+01:00", Int64(1_795_978_800_000)),
            ("2026-11-29", Int64(1_795_910_400_000)),
            ("1969-12-31T23:59:59Z", Int64(-1000)),
        ]
    )
    func parses(text: String, milliseconds: Int64) {
        #expect(Schema.parseISO8601(text) == milliseconds)
    }
}

@Suite("schema definitions written by people")
struct SchemaDefinitionTests {
    @Test("a full definition builds the schema with its defaults")
    func full() throws {
        let schema = try Schema(
            definition: Data(
                #"{"id_field": "id", "fields": [{"name": "id", "type": "keyword", "stored": false}, {"name": "title", "type": "text", "analyzer": "english"}, {"name": "body", "type": "text", "stored": false}, {"name": "tags", "type": "keyword", "multi_valued": true}, {"name": "n", "type": "int64"}, {"name": "x", "type": "double"}, {"name": "at", "type": "date"}]}"#
                    .utf8
            )
        )
        #expect(
            schema.fields.map(\.type) == [
                .keyword(stored: true, multiValued: false), .text(analyzer: .english, stored: true),
                .text(analyzer: .standard, stored: false), .keyword(stored: true, multiValued: true),
                .int64(stored: true),
                .double(stored: true), .date(stored: true),
            ])
    }

    @Test("id_mode chooses unique (the default) or append-only ids")
    func idMode() throws {
        let fields = #""fields": [{"name": "id", "type": "keyword"}, {"name": "t", "type": "text"}]"#
        #expect(try Schema(definition: Data("{\"id_field\": \"id\", \(fields)}".utf8)).idMode == .unique)
        let unique = try Schema(definition: Data("{\"id_field\": \"id\", \"id_mode\": \"unique\", \(fields)}".utf8))
        #expect(unique.idMode == .unique)
        let appendOnly = try Schema(
            definition: Data("{\"id_field\": \"id\", \"id_mode\": \"append_only\", \(fields)}".utf8))
        #expect(appendOnly.idMode == .appendOnly)
    }

    @Test(
        "mistakes are named with their location",
        arguments: [
            (#"{"fields": []}"#, "schema id_field: missing or not a string"),
            (
                #"{"id_field": "id", "fields": [{"name": "id", "type": "string"}]}"#,
                "schema fields[0].type: \"string\" is not a field type (text, keyword, int64, double, date)"
            ),
            (
                #"{"id_field": "id", "fields": [{"name": "id", "type": "keyword"}, {"name": "t", "type": "text", "analyzer": "french"}]}"#,
                "schema fields[1].analyzer: must be one of standard, keyword, english, english_porter"
            ),
            (
                #"{"id_field": "id", "fields": [{"name": "id", "type": "keyword"}, {"name": "n", "type": "int64", "multi_valued": true}]}"#,
                "schema fields[1].multi_valued: only keyword fields can be multi-valued"
            ),
            (
                #"{"id_field": "id", "fields": [{"name": "id", "type": "keyword", "sorted": true}]}"#,
                "schema fields[0].sorted: unknown key (expected one of analyzer, multi_valued, name, stored, type)"
            ),
            (
                #"{"id_field": "key", "fields": [{"name": "id", "type": "keyword"}]}"#,
                "schema fields: the id field \"key\" is not defined"
            ),
            ("nope", "schema: not valid JSON"),
            (
                #"{"id_field": "id", "id_mode": "upsert", "fields": [{"name": "id", "type": "keyword"}]}"#,
                "schema id_mode: must be \"unique\" or \"append_only\""
            ),
        ]
    )
    func mistakes(json: String, message: String) {
        #expect(throws: SchemaDefinitionError.self) { _ = try Schema(definition: Data(json.utf8)) }
        do {
            _ = try Schema(definition: Data(json.utf8))
        } catch {
            #expect(error.description == message)
        }
    }
}
