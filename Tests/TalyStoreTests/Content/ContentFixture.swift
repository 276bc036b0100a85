import Foundation
import Testing

@testable import TalyStore

/// An `article` type with one field of every kind.
enum ArticleType {
    static let fields: [ContentFieldDefinition] = [
        ContentFieldDefinition(name: "body", type: .richText, required: true, searchable: true),
        ContentFieldDefinition(name: "summary", type: .text, searchable: true),
        ContentFieldDefinition(
            name: "category", type: .keyword, searchable: true, filterable: true, facetable: true,
            sortable: true),
        ContentFieldDefinition(name: "rating", type: .number, filterable: true, facetable: true, sortable: true),
        ContentFieldDefinition(name: "event_date", type: .date, filterable: true, sortable: true),
        ContentFieldDefinition(name: "featured", type: .boolean, filterable: true, facetable: true),
        ContentFieldDefinition(name: "related", type: .reference, filterable: true),
        ContentFieldDefinition(
            name: "tags", type: .list(.keyword), searchable: true, filterable: true, facetable: true),
    ]

    static func create(in scope: TenantScope) throws -> ContentTypeRecord {
        try scope.createContentType(name: "article", displayName: "Article", fields: fields, by: .system)
    }

    static func draft(_ title: String, body: String = "Body text.", slug: String? = nil) -> ContentItemDraft {
        ContentItemDraft(title: title, slug: slug, fields: ["body": .string(body)])
    }
}

/// Whether `error` is `.invalid` naming `field`.
func isInvalid(_ error: any Error, field: String) -> Bool {
    guard case .invalid(let reported, _) = error as? StoreError else { return false }
    return reported == field
}

/// Whether `error` is a version conflict on `entity`.
func isConflict(_ error: any Error, entity: String) -> Bool {
    guard case .versionConflict(let reported, _, _, _) = error as? StoreError else { return false }
    return reported == entity
}
