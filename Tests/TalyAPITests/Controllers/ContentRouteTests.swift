import Foundation
import Hummingbird
import HummingbirdTesting
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

@Suite("content routes")
struct ContentRouteTests {
    static let articleType = #"""
        {"name": "article", "display_name": "Article", "fields": [
          {"name": "body", "type": "text", "required": true, "searchable": true},
          {"name": "tags", "type": "list<keyword>", "filterable": true, "facetable": true},
          {"name": "rating", "type": "number", "sortable": true}]}
        """#

    /// A tenant with an `article` type, made through the API by its owner.
    static func withArticles(_ harness: APIHarness, _ name: String = "acme") throws -> (TestTenant, ContentTypeRecord) {
        let tenant = try harness.tenant(name)
        let type = try tenant.scope.createContentType(
            name: "article", displayName: "Article",
            fields: [
                ContentFieldDefinition(name: "body", type: .text, required: true, searchable: true),
                ContentFieldDefinition(name: "tags", type: .list(.keyword), filterable: true, facetable: true),
                ContentFieldDefinition(name: "rating", type: .number, sortable: true),
            ], by: .system)
        return (tenant, type)
    }

    @Test("content types: create, 409 on a taken name, every bad field definition listed, read, list, delete")
    func contentTypes() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        let (_, authorToken) = try harness.user(in: acme, email: "author@acme.example", role: .author)
        try await harness.application().test(.router) { client in
            let created = try await client.call(
                .post, "/v1/content-types", token: acme.ownerToken, json: Self.articleType)
            #expect(created.status == .created)
            #expect(created.headers[.eTag] == "\"1\"")
            let fields = created.object["fields"] as? [[String: Any]] ?? []
            #expect(fields.map { $0["name"] as? String } == ["body", "tags", "rating"])
            #expect(fields[1]["facetable"] as? Bool == true)
            #expect(fields[2]["searchable"] as? Bool == false)

            let taken = try await client.call(
                .post, "/v1/content-types", token: acme.ownerToken, json: Self.articleType)
            #expect(taken.status == .conflict)
            #expect(taken.invalidParamNames == ["name"])

            let bad = try await client.call(
                .post, "/v1/content-types", token: acme.ownerToken,
                json: #"""
                    {"display_name": 5, "colour": 1, "fields": [
                      {"name": "body", "type": "txt"},
                      {"name": "n", "type": "number", "searchable": "yes"}]}
                    """#)
            #expect(bad.status == .unprocessableContent)
            #expect(
                Set(bad.invalidParamNames) == [
                    "colour", "name", "display_name", "fields[0].type", "fields[1].searchable",
                ])
            let capability = try await client.call(
                .post, "/v1/content-types", token: acme.ownerToken,
                json: #"""
                    {"name": "page", "display_name": "Page", "fields": [
                      {"name": "body", "type": "text", "sortable": true},
                      {"name": "id", "type": "keyword"},
                      {"name": "ok", "type": "keyword", "sortable": true}]}
                    """#)
            #expect(capability.status == .unprocessableContent)
            #expect(capability.invalidParamNames == ["fields[0].sortable", "fields[1].name"])

            let forbidden = try await client.call(
                .post, "/v1/content-types", token: authorToken,
                json: #"{"name": "page", "display_name": "Page"}"#)
            #expect(forbidden.status == .forbidden)

            let read = try await client.call(.get, "/v1/content-types/article", token: authorToken)
            #expect(read.status == .ok)
            #expect(read.object["display_name"] as? String == "Article")
            #expect(try await client.call(.get, "/v1/content-types/nope", token: authorToken).status == .notFound)

            _ = try await client.call(
                .post, "/v1/content-types", token: acme.ownerToken, json: #"{"name": "page", "display_name": "Page"}"#)
            let first = try await client.call(.get, "/v1/content-types?limit=1", token: acme.ownerToken)
            #expect((first.object["data"] as? [[String: Any]])?.map { $0["name"] as? String } == ["article"])
            let cursor = try #require(first.object["next_cursor"] as? String)
            let second = try await client.call(
                .get, "/v1/content-types?limit=1&cursor=\(cursor)", token: acme.ownerToken)
            #expect((second.object["data"] as? [[String: Any]])?.map { $0["name"] as? String } == ["page"])
            #expect(second.object["has_more"] as? Bool == false)

            let noIfMatch = try await client.call(.delete, "/v1/content-types/page", token: acme.ownerToken)
            #expect(noIfMatch.status == .preconditionRequired)
            let deleted = try await client.call(
                .delete, "/v1/content-types/page", token: acme.ownerToken, headers: [.ifMatch: "\"1\""])
            #expect(deleted.status == .noContent)
            #expect(try acme.scope.contentType(named: "page") == nil)
        }
    }

    @Test("a schema change needs If-Match; one that changes search capabilities says it reindexes and emits its event")
    func schemaChange() async throws {
        let harness = try APIHarness()
        let (acme, type) = try Self.withArticles(harness)
        _ = try acme.scope.createContentItem(
            of: type.id!, ContentItemDraft(title: "One", fields: ["body": .string("text")]), by: .system)
        try await harness.application().test(.router) { client in
            let rename = #"""
                {"display_name": "Articles", "fields": [
                  {"name": "body", "type": "text", "required": true, "searchable": true},
                  {"name": "tags", "type": "list<keyword>", "filterable": true, "facetable": true},
                  {"name": "rating", "type": "number", "sortable": true}]}
                """#
            let uri = "/v1/content-types/article"
            #expect(
                try await client.call(.put, uri, token: acme.ownerToken, json: rename).status == .preconditionRequired)
            let stale = try await client.call(
                .put, uri, token: acme.ownerToken, json: rename, headers: [.ifMatch: "\"9\""])
            #expect(stale.status == .preconditionFailed)
            let renamed = try await client.call(
                .put, uri, token: acme.ownerToken, json: rename, headers: [.ifMatch: "\"1\""])
            #expect(renamed.status == .ok)
            #expect(renamed.object["reindexing"] as? Bool == false)
            #expect(renamed.headers[.eTag] == "\"2\"")

            let before = try acme.scope.outboxEvents(limit: 1000).last?.id ?? OutboxEventID(0)
            let facetRating = rename.replacingOccurrences(
                of: #""sortable": true}"#, with: #""sortable": true, "facetable": true}"#)
            let changed = try await client.call(
                .put, uri, token: acme.ownerToken, json: facetRating, headers: [.ifMatch: "\"2\""])
            #expect(changed.status == .ok)
            #expect(changed.object["reindexing"] as? Bool == true)
            let events = try acme.scope.outboxEvents(after: before)
            #expect(events.map(\.eventType) == ["content_type.updated"])
            #expect(events.first?.aggregateID == type.id!.rawValue)
            #expect(events.first?.payload.contains(#""name":"article""#) == true)

            // Making `rating` required would break the item that has none: 422 naming it, nothing saved.
            let breaking = facetRating.replacingOccurrences(
                of: #"{"name": "rating", "type": "number""#,
                with: #"{"name": "rating", "type": "number", "required": true"#)
            let refused = try await client.call(
                .put, uri, token: acme.ownerToken, json: breaking, headers: [.ifMatch: "\"3\""])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.invalidParamNames == ["fields.rating"])
            #expect(try acme.scope.contentType(type.id!).version == 3)
            // A type with items cannot be deleted.
            let delete = try await client.call(.delete, uri, token: acme.ownerToken, headers: [.ifMatch: "\"3\""])
            #expect(delete.status == .conflict)
        }
    }

    @Test("items: create, every bad member listed in one 422, slug taken is 409, read, list")
    func createAndValidate() async throws {
        let harness = try APIHarness()
        let (acme, _) = try Self.withArticles(harness)
        try await harness.application().test(.router) { client in
            let created = try await client.call(
                .post, "/v1/content/article", token: acme.ownerToken,
                json: #"{"title": "Hello World", "fields": {"body": "Hi", "tags": ["a", "b"], "rating": 4.5}}"#)
            #expect(created.status == .created)
            #expect(created.object["slug"] as? String == "hello-world")
            #expect(created.object["status"] as? String == "draft")
            #expect(created.object["type"] as? String == "article")
            #expect(created.object["publish_at"] is NSNull)
            #expect(created.headers[.eTag] == "\"1\"")
            let id = try #require(created.object["id"] as? Int)

            let bad = try await client.call(
                .post, "/v1/content/article", token: acme.ownerToken,
                json: #"""
                    {"title": 7, "slug": "Not A Slug", "publish_at": "tomorrow", "extra": 1,
                     "fields": {"tags": ["ok", 3], "rating": "high", "colour": "red"}}
                    """#)
            #expect(bad.status == .unprocessableContent)
            #expect(
                Set(bad.invalidParamNames) == [
                    "title", "slug", "publish_at", "extra", "fields.body", "fields.tags[1]", "fields.rating",
                    "fields.colour",
                ])
            #expect(bad.problemKind == "validation")
            #expect(try acme.scope.contentItems(limit: 10).count == 1, "nothing saved")

            let missing = try await client.call(
                .post, "/v1/content/article", token: acme.ownerToken, json: #"{"fields": {}}"#)
            #expect(Set(missing.invalidParamNames) == ["title", "fields.body"])

            let taken = try await client.call(
                .post, "/v1/content/article", token: acme.ownerToken,
                json: #"{"title": "Other", "slug": "hello-world", "fields": {"body": "x"}}"#)
            #expect(taken.status == .conflict)
            #expect(taken.invalidParamNames == ["slug"])
            let suffixed = try await client.call(
                .post, "/v1/content/article", token: acme.ownerToken,
                json: #"{"title": "Hello, world!", "fields": {"body": "x"}}"#)
            #expect(suffixed.object["slug"] as? String == "hello-world-2")

            let read = try await client.call(.get, "/v1/content/article/\(id)", token: acme.ownerToken)
            #expect(read.status == .ok)
            #expect((read.object["fields"] as? [String: Any])?["tags"] as? [String] == ["a", "b"])
            #expect(read.headers[.eTag] == "\"1\"")
            #expect(try await client.call(.get, "/v1/content/page/\(id)", token: acme.ownerToken).status == .notFound)
            #expect(
                try await client.call(.get, "/v1/content/article/999999", token: acme.ownerToken).status == .notFound)
        }
    }

    @Test("PATCH merges members and fields (null clears), needs If-Match; DELETE too")
    func patchAndDelete() async throws {
        let harness = try APIHarness()
        let (acme, type) = try Self.withArticles(harness)
        let item = try acme.scope.createContentItem(
            of: type.id!,
            ContentItemDraft(
                title: "First", fields: ["body": .string("b"), "rating": .number(2), "tags": .array([.string("x")])]),
            by: .system)
        let uri = "/v1/content/article/\(item.id!.rawValue)"
        try await harness.application().test(.router) { client in
            let patch = #"{"title": "Renamed", "fields": {"rating": null, "tags": ["y"]}}"#
            #expect(
                try await client.call(.patch, uri, token: acme.ownerToken, json: patch).status == .preconditionRequired)
            let stale = try await client.call(
                .patch, uri, token: acme.ownerToken, json: patch, headers: [.ifMatch: "\"5\""])
            #expect(stale.status == .preconditionFailed)
            let patched = try await client.call(
                .patch, uri, token: acme.ownerToken, json: patch, headers: [.ifMatch: "\"1\""])
            #expect(patched.status == .ok)
            #expect(patched.object["title"] as? String == "Renamed")
            #expect(patched.object["slug"] as? String == "first", "the slug stays so links keep working")
            let fields = patched.object["fields"] as? [String: Any] ?? [:]
            #expect(fields["body"] as? String == "b")
            #expect(fields["rating"] == nil)
            #expect(fields["tags"] as? [String] == ["y"])
            #expect(patched.headers[.eTag] == "\"2\"")

            let invalid = try await client.call(
                .patch, uri, token: acme.ownerToken, json: #"{"title": null, "fields": {"body": null, "rating": "x"}}"#,
                headers: [.ifMatch: "\"2\""])
            #expect(Set(invalid.invalidParamNames) == ["title", "fields.body", "fields.rating"])

            #expect(try await client.call(.delete, uri, token: acme.ownerToken).status == .preconditionRequired)
            let deleted = try await client.call(.delete, uri, token: acme.ownerToken, headers: [.ifMatch: "\"2\""])
            #expect(deleted.status == .noContent)
            #expect(try await client.call(.get, uri, token: acme.ownerToken).status == .notFound)
        }
    }

    @Test("draft → published → archived; authors write drafts, only editors publish or touch published items")
    func lifecycleAndRoles() async throws {
        let harness = try APIHarness()
        let (acme, _) = try Self.withArticles(harness)
        let (_, author) = try harness.user(in: acme, email: "author@acme.example", role: .author)
        let (_, editor) = try harness.user(in: acme, email: "editor@acme.example", role: .editor)
        let (_, customer) = try harness.user(in: acme, email: "customer@acme.example", role: .customer)
        try await harness.application().test(.router) { client in
            let created = try await client.call(
                .post, "/v1/content/article", token: author, json: #"{"title": "Draft", "fields": {"body": "b"}}"#)
            #expect(created.status == .created)
            let uri = "/v1/content/article/\(try #require(created.object["id"] as? Int))"
            #expect(try await client.call(.post, "\(uri)/publish", token: author).status == .forbidden)
            #expect(try await client.call(.get, uri, token: customer).status == .forbidden)
            #expect(try await client.call(.get, uri).status == .unauthorized)
            let stale = try await client.call(.post, "\(uri)/publish", token: editor, headers: [.ifMatch: "\"4\""])
            #expect(stale.status == .preconditionFailed)
            let published = try await client.call(.post, "\(uri)/publish", token: editor)
            #expect(published.status == .ok)
            #expect(published.object["status"] as? String == "published")
            #expect(published.object["published_at"] is String)
            let again = try await client.call(.post, "\(uri)/publish", token: editor)
            #expect(again.status == .unprocessableContent)
            #expect(again.invalidParamNames == ["status"])

            let edit = try await client.call(
                .patch, uri, token: author, json: #"{"title": "Live edit"}"#, headers: [.ifMatch: "\"2\""])
            #expect(edit.status == .forbidden)
            #expect(
                try await client.call(.delete, uri, token: author, headers: [.ifMatch: "\"2\""]).status == .forbidden)
            let archived = try await client.call(.post, "\(uri)/archive", token: editor)
            #expect(archived.object["status"] as? String == "archived")
            let draft = try await client.call(.post, "\(uri)/unpublish", token: editor)
            #expect(draft.object["status"] as? String == "draft")
            #expect(draft.headers[.eTag] == "\"4\"")
        }
    }

    @Test("scheduled publishing: publish_at needs content.publish and the sweep publishes the item when due")
    func scheduledPublishing() async throws {
        let harness = try APIHarness()
        let (acme, _) = try Self.withArticles(harness)
        let (_, author) = try harness.user(in: acme, email: "author@acme.example", role: .author)
        try await harness.application().test(.router) { client in
            let body = #"{"title": "Soon", "fields": {"body": "b"}, "publish_at": "2020-01-01T08:00:00Z"}"#
            #expect(try await client.call(.post, "/v1/content/article", token: author, json: body).status == .forbidden)
            let scheduled = try await client.call(.post, "/v1/content/article", token: acme.ownerToken, json: body)
            #expect(scheduled.status == .created)
            #expect(scheduled.object["publish_at"] as? String == "2020-01-01T08:00:00Z")
            #expect(scheduled.object["status"] as? String == "draft")
            let future = try await client.call(
                .post, "/v1/content/article", token: acme.ownerToken,
                json: #"{"title": "Later", "fields": {"body": "b"}, "publish_at": "2999-01-01T00:00:00.250Z"}"#)
            #expect(future.status == .created)
            #expect(try harness.store.publishDueContentItems() == 1)
            let uri = "/v1/content/article/\(try #require(scheduled.object["id"] as? Int))"
            let read = try await client.call(.get, uri, token: author)
            #expect(read.object["status"] as? String == "published")
            #expect(read.object["publish_at"] is NSNull)
            let later = try await client.call(
                .get, "/v1/content/article/\(try #require(future.object["id"] as? Int))", token: author)
            #expect(later.object["status"] as? String == "draft")
        }
    }

    @Test("revisions: listed oldest first, one restored as a new version; another item's revision is 404")
    func revisions() async throws {
        let harness = try APIHarness()
        let (acme, type) = try Self.withArticles(harness)
        let item = try acme.scope.createContentItem(
            of: type.id!, ContentItemDraft(title: "V1", fields: ["body": .string("one")]), by: .system)
        let other = try acme.scope.createContentItem(
            of: type.id!, ContentItemDraft(title: "Other", fields: ["body": .string("x")]), by: .system)
        let uri = "/v1/content/article/\(item.id!.rawValue)"
        try await harness.application().test(.router) { client in
            for (version, title) in [(1, "V2"), (2, "V3")] {
                let response = try await client.call(
                    .patch, uri, token: acme.ownerToken, json: #"{"title": "\#(title)"}"#,
                    headers: [.ifMatch: "\"\(version)\""])
                #expect(response.status == .ok)
            }
            let list = try await client.call(.get, "\(uri)/revisions?limit=2", token: acme.ownerToken)
            let page = list.object["data"] as? [[String: Any]] ?? []
            #expect(page.map { $0["title"] as? String } == ["V1", "V2"])
            #expect(list.object["has_more"] as? Bool == true)
            #expect((page.first?["actor"] as? [String: Any])?["type"] as? String == "system")
            let firstRevision = try #require(page.first?["id"] as? Int)

            let restore = "\(uri)/revisions/\(firstRevision)/restore"
            #expect(try await client.call(.post, restore, token: acme.ownerToken).status == .preconditionRequired)
            let restored = try await client.call(.post, restore, token: acme.ownerToken, headers: [.ifMatch: "\"3\""])
            #expect(restored.status == .ok)
            #expect(restored.object["title"] as? String == "V1")
            #expect(restored.object["version"] as? Int == 4)
            let all = try await client.call(.get, "\(uri)/revisions", token: acme.ownerToken)
            #expect((all.object["data"] as? [[String: Any]])?.count == 4)

            let otherRevision = try acme.scope.contentRevisions(of: other.id!)[0].id!.rawValue
            let foreign = try await client.call(
                .post, "\(uri)/revisions/\(otherRevision)/restore", token: acme.ownerToken, headers: [.ifMatch: "*"])
            #expect(foreign.status == .notFound)
        }
    }

    @Test("list filters on status, updated time and slug, pages with a cursor, 422 names every bad parameter")
    func listFilters() async throws {
        let harness = try APIHarness()
        let (acme, type) = try Self.withArticles(harness)
        var ids: [Int64] = []
        for index in 0..<7 {
            let item = try acme.scope.createContentItem(
                of: type.id!, ContentItemDraft(title: "Item \(index)", fields: ["body": .string("b")]), by: .system)
            ids.append(item.id!.rawValue)
            if index % 2 == 0 { _ = try acme.scope.publishContentItem(item.id!, expectedVersion: 1, by: .system) }
        }
        let itemIDs = ids
        try await harness.application().test(.router) { client in
            var seen: [Int] = []
            var cursor: String?
            repeat {
                let response = try await client.call(
                    .get, "/v1/content/article?status=published&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""),
                    token: acme.ownerToken)
                #expect(response.status == .ok)
                seen += (response.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                cursor = response.object["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == [0, 2, 4, 6].map { Int(itemIDs[$0]) })

            let future = try await client.call(
                .get, "/v1/content/article?updated_since=2999-01-01T00:00:00Z", token: acme.ownerToken)
            #expect((future.object["data"] as? [[String: Any]])?.isEmpty == true)
            let past = try await client.call(
                .get, "/v1/content/article?updated_since=2000-01-01T00:00:00Z&limit=100", token: acme.ownerToken)
            #expect((past.object["data"] as? [[String: Any]])?.count == 7)
            let before = try await client.call(
                .get, "/v1/content/article?updated_before=2000-01-01T00:00:00Z", token: acme.ownerToken)
            #expect((before.object["data"] as? [[String: Any]])?.isEmpty == true)
            let bySlug = try await client.call(.get, "/v1/content/article?slug=item-3", token: acme.ownerToken)
            #expect((bySlug.object["data"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(itemIDs[3])])

            let bad = try await client.call(
                .get, "/v1/content/article?status=live&updated_since=yesterday&limit=0", token: acme.ownerToken)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.invalidParamNames) == ["status", "updated_since", "limit"])
        }
    }

    @Test("API key scopes: content.read reads only, content.write writes drafts, a search key reads nothing")
    func apiKeyScopes() async throws {
        let harness = try APIHarness()
        let (acme, type) = try Self.withArticles(harness)
        let item = try acme.scope.createContentItem(
            of: type.id!, ContentItemDraft(title: "T", fields: ["body": .string("b")]), by: .system)
        let reader = try acme.scope.createAPIKey(name: "reader", scopes: [.contentRead], by: .system).key
        let writer = try acme.scope.createAPIKey(name: "writer", scopes: [.contentRead, .contentWrite], by: .system).key
        let search = try acme.scope.createAPIKey(name: "public", scopes: [.search], by: .system).key
        try await harness.application().test(.router) { client in
            let body = #"{"title": "New", "fields": {"body": "b"}}"#
            let read = try await client.call(.get, "/v1/content/article/\(item.id!.rawValue)", token: reader)
            #expect(read.status == .ok)
            let readerWrite = try await client.call(.post, "/v1/content/article", token: reader, json: body)
            #expect(readerWrite.status == .forbidden)
            let writerWrite = try await client.call(.post, "/v1/content/article", token: writer, json: body)
            #expect(writerWrite.status == .created)
            let searchItems = try await client.call(.get, "/v1/content/article", token: search)
            #expect(searchItems.status == .forbidden)
            let searchTypes = try await client.call(.get, "/v1/content-types", token: search)
            #expect(searchTypes.status == .forbidden)
        }
    }

    @Test("live: a content type and an item over a real socket")
    func live() async throws {
        let harness = try APIHarness()
        let acme = try harness.tenant("acme")
        try await harness.application().test(.live) { client in
            let type = try await client.call(.post, "/v1/content-types", token: acme.ownerToken, json: Self.articleType)
            #expect(type.status == .created)
            let item = try await client.call(
                .post, "/v1/content/article", token: acme.bootstrap.apiKey,
                json: #"{"title": "Über uns", "fields": {"body": "Wir"}}"#)
            #expect(item.status == .created)
            #expect(item.object["slug"] as? String == "uber-uns")
            let list = try await client.call(.get, "/v1/content/article", token: acme.ownerToken)
            #expect((list.object["data"] as? [[String: Any]])?.count == 1)
        }
    }
}
