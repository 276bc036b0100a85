import Foundation
import Hummingbird
import TalyStore

/// Content types: the tenant's schemas of content, addressed by name (`/v1/content-types/article`).
///
/// Reading needs `content.read`; creating, changing and deleting a schema needs
/// `content.publish` (editors and admins, not authors): a schema change can make every item of
/// the type invalid or rebuild its search index.
///
/// A schema change is saved with its `content_type.updated` outbox event; the index sync worker
/// compares the type's index mapping with the index's and rebuilds the index when they differ.
/// The answer's `reindexing` says whether that will happen.
struct ContentTypesController: Sendable {
    func register(_ api: RouteRegistry) {
        let typeSchema = ContentTypeResource.schema
        let fields = JSONSchema.array(ContentTypeResource.fieldSchema)
        api.add(
            RouteDoc(
                .post, "/v1/content-types", summary: "Create a content type", tag: "content-types",
                access: .permission(.contentPublish),
                requestBody: .object(
                    [("name", .string()), ("display_name", .string()), ("fields", fields)],
                    required: ["name", "display_name"]),
                successStatus: 201, response: typeSchema)
        ) { request, context in
            let principal = try context.require(.contentPublish)
            var body = JSONObjectBody(
                try await request.decodeJSONObject(context: context), allowed: ["name", "display_name", "fields"])
            let name = body.string("name", required: true)
            let displayName = body.string("display_name", required: true)
            let definitions = Self.fieldDefinitions(&body)
            guard body.problems.isEmpty, let name, let displayName else { throw APIError.validation(body.problems) }
            if try principal.tenant.contentType(named: name) != nil {
                throw APIError(
                    .conflict, "a content type named \(name) exists",
                    invalidParams: [InvalidParam(name: "name", reason: "another content type already has it")])
            }
            let created = try principal.tenant.createContentType(
                name: name, displayName: displayName, fields: definitions, by: principal.actor)
            return try respond(
                ContentTypeResource(created), status: .created, etag: created.version, context: context,
                request: request)
        }

        api.add(
            RouteDoc(
                .get, "/v1/content-types", summary: "The tenant's content types", tag: "content-types",
                access: .permission(.contentRead), response: typeSchema, paginated: true)
        ) { request, context in
            let principal = try context.require(.contentRead)
            let page = try PageRequest(query: request.uri.queryParameters)
            let types = try principal.tenant.contentTypes().filter { ($0.id?.rawValue ?? 0) > (page.after ?? 0) }
            return Page(rows: Array(types.prefix(page.limit + 1)), request: page, id: { $0.id?.rawValue ?? 0 }) {
                ContentTypeResource($0)
            }
        }

        api.add(
            RouteDoc(
                .get, "/v1/content-types/{type}", summary: "One content type", tag: "content-types",
                access: .permission(.contentRead), response: typeSchema)
        ) { request, context in
            let principal = try context.require(.contentRead)
            let type = try Self.contentType(principal, context)
            return try respond(ContentTypeResource(type), etag: type.version, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .put, "/v1/content-types/{type}",
                summary: "Replace a content type's display name and fields; every item must stay valid",
                tag: "content-types", access: .permission(.contentPublish),
                requestBody: .object([("display_name", .string()), ("fields", fields)], required: ["display_name"]),
                response: typeSchema, requiresIfMatch: true)
        ) { request, context in
            let principal = try context.require(.contentPublish)
            let current = try Self.contentType(principal, context)
            try ETag.checkIfMatch(request, currentVersion: current.version)
            var body = JSONObjectBody(
                try await request.decodeJSONObject(context: context), allowed: ["display_name", "fields"])
            let displayName = body.string("display_name", required: true)
            let definitions = Self.fieldDefinitions(&body)
            guard body.problems.isEmpty, let displayName else { throw APIError.validation(body.problems) }
            let updated = try principal.tenant.updateContentType(
                current.id!, expectedVersion: current.version, displayName: displayName, fields: definitions,
                by: principal.actor)
            let reindexing = Self.searchShape(current.fields) != Self.searchShape(updated.fields)
            return try respond(
                ContentTypeResource(updated, reindexing: reindexing), etag: updated.version, context: context,
                request: request)
        }

        api.add(
            RouteDoc(
                .delete, "/v1/content-types/{type}", summary: "Delete a content type that has no items",
                tag: "content-types", access: .permission(.contentPublish), successStatus: 204,
                requiresIfMatch: true)
        ) { request, context in
            let principal = try context.require(.contentPublish)
            let current = try Self.contentType(principal, context)
            try ETag.checkIfMatch(request, currentVersion: current.version)
            try principal.tenant.deleteContentType(current.id!, expectedVersion: current.version, by: principal.actor)
            return Response(status: .noContent)
        }
    }

    /// The content type named by path parameter `type` in the caller's tenant; 404 otherwise.
    static func contentType(_ principal: Principal, _ context: TalyRequestContext) throws -> ContentTypeRecord {
        let name = context.parameters.get("type") ?? ""
        guard let type = try principal.tenant.contentType(named: name) else {
            throw APIError(.notFound, "no content type \(name)")
        }
        return type
    }

    /// The `fields` member as definitions; every malformed entry and every invalid definition is
    /// added to the body's problems (`fields[2].type`, `fields[0].sortable`).
    static func fieldDefinitions(_ body: inout JSONObjectBody) -> [ContentFieldDefinition] {
        guard let value = body.members["fields"], value != .null else { return [] }
        guard case .array(let entries) = value else {
            body.problems.append(InvalidParam(name: "fields", reason: "must be an array of field definitions"))
            return []
        }
        var definitions: [ContentFieldDefinition] = []
        var malformed = false
        let flags = ["required", "searchable", "filterable", "facetable", "sortable"]
        for (index, entry) in entries.enumerated() {
            let path = "fields[\(index)]"
            guard case .object(let members) = entry else {
                body.problems.append(InvalidParam(name: path, reason: "must be an object"))
                malformed = true
                continue
            }
            var field = JSONObjectBody(members, allowed: Set(["name", "type"] + flags))
            let name = field.string("name", required: true)
            let typeName = field.string("type", required: true)
            var type: ContentFieldType?
            if let typeName {
                type = ContentFieldType(typeName)
                if type == nil {
                    field.problems.append(
                        InvalidParam(
                            name: "type",
                            reason:
                                "unknown type \(typeName): use text, rich_text, keyword, number, date, boolean, reference or list<…>"
                        ))
                }
            }
            var values: [String: Bool] = [:]
            for flag in flags {
                switch members[flag] {
                case nil, .null: values[flag] = false
                case .bool(let value): values[flag] = value
                default: field.problems.append(InvalidParam(name: flag, reason: "must be a boolean"))
                }
            }
            body.problems += field.problems.map { InvalidParam(name: "\(path).\($0.name)", reason: $0.reason) }
            guard let name, let type else {
                malformed = true
                continue
            }
            definitions.append(
                ContentFieldDefinition(
                    name: name, type: type, required: values["required"] ?? false,
                    searchable: values["searchable"] ?? false, filterable: values["filterable"] ?? false,
                    facetable: values["facetable"] ?? false, sortable: values["sortable"] ?? false))
        }
        // Positions are only meaningful when every entry became a definition.
        if !malformed {
            body.problems += ContentFieldDefinition.problems(definitions).compactMap {
                APIError.from($0)?.invalidParams
            }
            .flatMap { $0 }
        }
        return definitions
    }

    /// What the search index depends on: each field's name, type and capabilities (not
    /// `required`, which only concerns saving). A change of it rebuilds the type's index.
    static func searchShape(_ fields: [ContentFieldDefinition]) -> [ContentFieldDefinition] {
        fields.map { field in
            var shape = field
            shape.required = false
            return shape
        }
    }
}
