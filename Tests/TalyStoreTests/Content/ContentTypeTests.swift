import Foundation
import Testing

@testable import TalyStore

@Suite("content types")
struct ContentTypeTests {
    @Test("a valid definition round-trips, with its audit entry and event")
    func create() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        #expect(type.version == 1)
        #expect(try scope.contentType(type.id!) == type)
        #expect(try scope.contentType(named: "article") == type)
        #expect(try scope.contentType(type.id!).fields == ArticleType.fields)
        #expect(try scope.auditLog(limit: 1000).last?.action == "content_type.create")
        let event = try #require(try scope.outboxEvents().last)
        #expect(event.eventType == "content_type.created")
        #expect(event.aggregateID == type.id!.rawValue)
        #expect(event.payload.contains(#""name":"article""#))
        #expect(event.payload.contains(#""type":"list<keyword>""#))
        #expect {
            try ArticleType.create(in: scope)
        } throws: { ($0 as? StoreError) == .duplicate(entity: "content type", field: "name") }
    }

    /// Invalid definitions and the property each error must name.
    static let invalidDefinitions: [(fields: [ContentFieldDefinition], field: String)] = [
        ([.init(name: "Body", type: .text)], "fields[0].name"),
        ([.init(name: "9lives", type: .text)], "fields[0].name"),
        ([.init(name: "", type: .text)], "fields[0].name"),
        ([.init(name: String(repeating: "a", count: 65), type: .text)], "fields[0].name"),
        ([.init(name: "title", type: .text)], "fields[0].name"),
        ([.init(name: "a", type: .text), .init(name: "a", type: .keyword)], "fields[1].name"),
        ([.init(name: "a", type: .list(.list(.keyword)))], "fields[0].type"),
        ([.init(name: "a", type: .number, searchable: true)], "fields[0].searchable"),
        ([.init(name: "a", type: .list(.date), searchable: true)], "fields[0].searchable"),
        ([.init(name: "a", type: .text, filterable: true)], "fields[0].filterable"),
        ([.init(name: "a", type: .richText, facetable: true)], "fields[0].facetable"),
        ([.init(name: "a", type: .list(.keyword), sortable: true)], "fields[0].sortable"),
        ([.init(name: "a", type: .reference, sortable: true)], "fields[0].sortable"),
        ([.init(name: "a", type: .text, sortable: true)], "fields[0].sortable"),
        ((0...ContentFieldDefinition.maximumFields).map { .init(name: "f\($0)", type: .text) }, "fields"),
    ]

    @Test("an invalid definition is refused with an error naming the field and property")
    func invalidDefinitions() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        for (index, example) in Self.invalidDefinitions.enumerated() {
            #expect("definition \(index)") {
                try scope.createContentType(name: "t\(index)", displayName: "T", fields: example.fields, by: .system)
            } throws: { isInvalid($0, field: example.field) }
        }
        #expect { try scope.createContentType(name: "Bad Name", displayName: "T", fields: [], by: .system) } throws: {
            isInvalid($0, field: "name")
        }
        #expect { try scope.createContentType(name: "ok", displayName: " ", fields: [], by: .system) } throws: {
            isInvalid($0, field: "displayName")
        }
        #expect(try scope.contentTypes().isEmpty, "nothing half-written")
    }

    @Test("field types spell and parse back, and unknown spellings are refused")
    func typeSpelling() {
        let all: [ContentFieldType] = [.text, .richText, .keyword, .number, .date, .boolean, .reference]
        for type in all + all.map({ .list($0) }) {
            #expect(ContentFieldType(type.description) == type)
        }
        for text in ["", "string", "list<>", "list<text", "list<list<text>>x", "Text"] {
            #expect(ContentFieldType(text) == nil, "\(text)")
        }
    }

    @Test("an update with a stale version is a conflict; one that would break items names the item and field")
    func update() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        let item = try scope.createContentItem(
            of: type.id!, ContentItemDraft(title: "One", fields: ["body": .string("x"), "rating": .number(3)]),
            by: .system)
        var fields = ArticleType.fields
        fields.append(.init(name: "subtitle", type: .text))
        let updated = try scope.updateContentType(
            type.id!, expectedVersion: 1, displayName: "Articles", fields: fields, by: .system)
        #expect(updated.version == 2)
        #expect {
            try scope.updateContentType(type.id!, expectedVersion: 1, displayName: "X", fields: fields, by: .system)
        } throws: { isConflict($0, entity: "content type") }

        // `rating` becomes a keyword: item One holds a number there.
        var retyped = fields
        retyped[3] = .init(name: "rating", type: .keyword)
        #expect {
            try scope.updateContentType(type.id!, expectedVersion: 2, displayName: "X", fields: retyped, by: .system)
        } throws: { error in
            guard case .invalid(let field, let reason) = error as? StoreError else { return false }
            return field == "fields.rating" && reason.contains("content item \(item.id!)")
        }
        // Removing a field the item uses.
        #expect {
            try scope.updateContentType(
                type.id!, expectedVersion: 2, displayName: "X", fields: fields.filter { $0.name != "rating" },
                by: .system)
        } throws: { isInvalid($0, field: "fields.rating") }
        #expect(try scope.contentType(type.id!) == updated, "refused updates change nothing")
    }

    @Test("a type with items cannot be deleted; an empty one can")
    func delete() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        let item = try scope.createContentItem(of: type.id!, ArticleType.draft("One"), by: .system)
        #expect {
            try scope.deleteContentType(type.id!, expectedVersion: 1, by: .system)
        } throws: { error in
            guard case .constraintViolation = error as? StoreError else { return false }
            return true
        }
        try scope.deleteContentItem(item.id!, expectedVersion: 1, by: .system)
        #expect { try scope.deleteContentType(type.id!, expectedVersion: 2, by: .system) } throws: {
            isConflict($0, entity: "content type")
        }
        try scope.deleteContentType(type.id!, expectedVersion: 1, by: .system)
        #expect(try scope.contentType(named: "article") == nil)
        #expect(try scope.outboxEvents(limit: 100).last?.eventType == "content_type.deleted")
    }
}
