import Foundation
import Hummingbird
import TalyStore

/// Content items under `/v1/content/{type}`: create, read, partial update, delete, list with
/// filters, the draft → published → archived life cycle, scheduled publishing and revisions.
///
/// Permissions follow the store's roles: `content.read` reads, `content.write` (authors) writes
/// drafts, and `content.publish` (editors) is needed for whatever takes effect in public — a
/// status change, a `publish_at` schedule, and any change to or deletion of an item that is not
/// a draft.
///
/// Validation lists every bad member at once (422 `invalid_params`): the body is read as a JSON
/// object and each member checked on its own, then the draft against the content type.
struct ContentItemsController: Sendable {
    static let createMembers: Set<String> = ["title", "slug", "fields", "publish_at"]

    func register(_ api: RouteRegistry) {
        let itemSchema = ContentItemResource.schema
        let draftSchema = JSONSchema.object(
            [
                ("title", .string()), ("slug", .string()), ("fields", .freeObject),
                ("publish_at", .nullable(.string(format: "date-time"))),
            ])
        let item = "/v1/content/{type}/{id}"

        api.add(
            RouteDoc(
                .post, "/v1/content/{type}", summary: "Create a draft item (scheduled with publish_at)",
                tag: "content", access: .permission(.contentWrite),
                requestBody: .object(
                    [
                        ("title", .string()), ("slug", .string()), ("fields", .freeObject),
                        ("publish_at", .nullable(.string(format: "date-time"))),
                    ], required: ["title"]),
                successStatus: 201, response: itemSchema)
        ) { request, context in
            let principal = try context.require(.contentWrite)
            let type = try ContentTypesController.contentType(principal, context)
            var body = JSONObjectBody(try await request.decodeJSONObject(context: context), allowed: Self.createMembers)
            let title = body.string("title", required: true)
            let slug = body.string("slug")
            let fields = body.object("fields") ?? [:]
            let publishAt = body.date("publish_at") ?? nil
            let draft = ContentItemDraft(title: title ?? "", slug: slug, fields: fields, publishAt: publishAt)
            try Self.check(body, draft, type: type, hasTitle: title != nil)
            if publishAt != nil { try Self.requirePublish(principal, "scheduling publication") }
            let created = try principal.tenant.createContentItem(of: type.id!, draft, by: principal.actor)
            return try Self.respondItem(created, type, status: .created, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .get, "/v1/content/{type}", summary: "The type's items, oldest first, with filters", tag: "content",
                access: .permission(.contentRead),
                query: [
                    ("status", .string(values: ContentStatus.allCases.map(\.rawValue)), "only items in this status"),
                    ("updated_since", .string(format: "date-time"), "only items changed at or after this time"),
                    ("updated_before", .string(format: "date-time"), "only items changed before this time"),
                    ("slug", .string(), "only the item with this slug"),
                ],
                response: itemSchema, paginated: true)
        ) { request, context in
            let principal = try context.require(.contentRead)
            let type = try ContentTypesController.contentType(principal, context)
            return try Self.list(request, type: type, principal: principal)
        }

        api.add(
            RouteDoc(
                .get, item, summary: "One item", tag: "content", access: .permission(.contentRead), response: itemSchema
            )
        ) { request, context in
            let principal = try context.require(.contentRead)
            let (type, found) = try Self.item(principal, context)
            return try Self.respondItem(found, type, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .patch, item,
                summary: "Change some of an item: members left out stay, a null field or publish_at is cleared",
                tag: "content", access: .permission(.contentWrite), requestBody: draftSchema, response: itemSchema,
                requiresIfMatch: true)
        ) { request, context in
            let principal = try context.require(.contentWrite)
            let (type, current) = try Self.item(principal, context)
            try ETag.checkIfMatch(request, currentVersion: current.version)
            var body = JSONObjectBody(try await request.decodeJSONObject(context: context), allowed: Self.createMembers)
            let title = body.string("title")
            if body.has("title"), title == nil, !body.problems.contains(where: { $0.name == "title" }) {
                body.problems.append(InvalidParam(name: "title", reason: "must not be null"))
            }
            let slug = body.string("slug")
            var fields = current.fields
            for (name, value) in body.object("fields") ?? [:] {
                fields[name] = value == .null ? nil : value
            }
            let publishAt = body.date("publish_at") ?? current.publishAt
            let draft = ContentItemDraft(
                title: title ?? current.title, slug: slug, fields: fields, publishAt: publishAt)
            try Self.check(body, draft, type: type, hasTitle: true)
            if current.status != .draft { try Self.requirePublish(principal, "changing a \(current.status) item") }
            if publishAt != current.publishAt { try Self.requirePublish(principal, "scheduling publication") }
            let updated = try principal.tenant.updateContentItem(
                current.id!, expectedVersion: current.version, draft, by: principal.actor)
            return try Self.respondItem(updated, type, context: context, request: request)
        }

        api.add(
            RouteDoc(
                .delete, item, summary: "Delete an item and its revisions", tag: "content",
                access: .permission(.contentWrite), successStatus: 204, requiresIfMatch: true)
        ) { request, context in
            let principal = try context.require(.contentWrite)
            let (_, current) = try Self.item(principal, context)
            if current.status != .draft { try Self.requirePublish(principal, "deleting a \(current.status) item") }
            try ETag.checkIfMatch(request, currentVersion: current.version)
            try principal.tenant.deleteContentItem(current.id!, expectedVersion: current.version, by: principal.actor)
            return Response(status: .noContent)
        }

        for action in ["publish", "unpublish", "archive"] {
            let summary =
                switch action {
                case "publish": "Publish an item now (draft or archived → published)"
                case "unpublish": "Take an item back to draft"
                default: "Archive an item"
                }
            api.add(
                RouteDoc(
                    .post, "\(item)/\(action)", summary: summary + "; If-Match, when sent, must be current",
                    tag: "content", access: .permission(.contentPublish), response: itemSchema)
            ) { request, context in
                let principal = try context.require(.contentPublish)
                let (type, current) = try Self.item(principal, context)
                if request.headers[.ifMatch] != nil { try ETag.checkIfMatch(request, currentVersion: current.version) }
                let (tenant, id, version, actor) = (principal.tenant, current.id!, current.version, principal.actor)
                let changed: ContentItemRecord
                switch action {
                case "publish": changed = try tenant.publishContentItem(id, expectedVersion: version, by: actor)
                case "unpublish": changed = try tenant.unpublishContentItem(id, expectedVersion: version, by: actor)
                default: changed = try tenant.archiveContentItem(id, expectedVersion: version, by: actor)
                }
                return try Self.respondItem(changed, type, context: context, request: request)
            }
        }

        api.add(
            RouteDoc(
                .get, "\(item)/revisions", summary: "The item's revisions, oldest first", tag: "content",
                access: .permission(.contentRead), response: ContentRevisionResource.schema, paginated: true)
        ) { request, context in
            let principal = try context.require(.contentRead)
            let page = try PageRequest(query: request.uri.queryParameters)
            let (_, current) = try Self.item(principal, context)
            let revisions = try principal.tenant.contentRevisions(of: current.id!)
                .filter { ($0.id?.rawValue ?? 0) > (page.after ?? 0) }
            return Page(
                rows: Array(revisions.prefix(page.limit + 1)), request: page, id: { $0.id?.rawValue ?? 0 }
            ) { ContentRevisionResource(revision: $0) }
        }

        api.add(
            RouteDoc(
                .post, "\(item)/revisions/{revision_id}/restore",
                summary: "Make a revision's title, slug, fields and schedule current again, as a new version",
                tag: "content", access: .permission(.contentWrite), response: itemSchema, requiresIfMatch: true)
        ) { request, context in
            let principal = try context.require(.contentWrite)
            let (type, current) = try Self.item(principal, context)
            let revision = try principal.tenant.contentRevision(ContentRevisionID(try context.pathID("revision_id")))
            guard revision.contentItemID == current.id else {
                throw APIError(.notFound, "no content revision \(revision.id?.rawValue ?? 0) of this item")
            }
            if current.status != .draft { try Self.requirePublish(principal, "changing a \(current.status) item") }
            try ETag.checkIfMatch(request, currentVersion: current.version)
            let restored = try principal.tenant.restoreContentRevision(
                revision.id!, expectedVersion: current.version, by: principal.actor)
            return try Self.respondItem(restored, type, context: context, request: request)
        }
    }

    /// The item of path parameter `id`, of the type named by `type`; 404 when either is not the
    /// caller's or the item is of another type.
    static func item(_ principal: Principal, _ context: TalyRequestContext) throws -> (
        ContentTypeRecord, ContentItemRecord
    ) {
        let type = try ContentTypesController.contentType(principal, context)
        let id = try context.pathID("id")
        let item = try principal.tenant.contentItem(ContentItemID(id))
        guard item.contentTypeID == type.id else { throw APIError(.notFound, "no \(type.name) item \(id)") }
        return (type, item)
    }

    /// Throws 422 with every problem of the body and of the draft under the type.
    static func check(_ body: JSONObjectBody, _ draft: ContentItemDraft, type: ContentTypeRecord, hasTitle: Bool)
        throws(APIError)
    {
        var problems = body.problems
        let reported = Set(problems.map(\.name))
        for error in draft.problems(against: type) {
            for param in APIError.from(error)?.invalidParams ?? [] where !reported.contains(param.name) {
                // A missing title was already reported as required.
                if param.name == "title", !hasTitle { continue }
                problems.append(param)
            }
        }
        if !problems.isEmpty { throw .validation(problems) }
    }

    static func requirePublish(_ principal: Principal, _ what: String) throws(APIError) {
        guard principal.permissions.contains(.contentPublish) else {
            throw APIError(.forbidden, "\(what) needs the content.publish permission")
        }
    }

    static func list(_ request: Request, type: ContentTypeRecord, principal: Principal) throws -> Page<
        ContentItemResource
    > {
        let query = request.uri.queryParameters
        var problems: [InvalidParam] = []
        let page = PageRequest(query: query, problems: &problems)
        var status: ContentStatus?
        if let text = query.get("status") {
            status = ContentStatus(rawValue: text)
            if status == nil {
                problems.append(InvalidParam(name: "status", reason: "must be draft, published or archived"))
            }
        }
        func date(_ name: String) -> Date? {
            guard let text = query.get(name) else { return nil }
            if let date = JSONObjectBody.parseDate(text) { return date }
            problems.append(InvalidParam(name: name, reason: "must be an RFC 3339 date-time with a zone"))
            return nil
        }
        let since = date("updated_since")
        let before = date("updated_before")
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let rows: [ContentItemRecord]
        if let slug = query.get("slug") {
            // At most one item has the slug: the other filters apply to it alone.
            rows =
                try principal.tenant.contentItem(of: type.id!, slug: slug).map { [$0] }?.filter { item in
                    item.id!.rawValue > (page.after ?? 0) && (status == nil || item.status == status)
                        && item.updatedAt >= (since ?? .distantPast) && item.updatedAt < (before ?? .distantFuture)
                } ?? []
        } else {
            rows = try principal.tenant.contentItems(
                of: type.id!, status: status, updatedSince: since, updatedBefore: before,
                after: page.after.map(ContentItemID.init), limit: page.limit + 1)
        }
        return Page(
            rows: rows, request: page, id: { $0.id?.rawValue ?? 0 },
            item: { ContentItemResource(item: $0, typeName: type.name) })
    }

    static func respondItem(
        _ item: ContentItemRecord, _ type: ContentTypeRecord, status: HTTPResponse.Status = .ok,
        context: TalyRequestContext, request: Request
    ) throws -> Response {
        try respond(
            ContentItemResource(item: item, typeName: type.name), status: status, etag: item.version, context: context,
            request: request)
    }
}
