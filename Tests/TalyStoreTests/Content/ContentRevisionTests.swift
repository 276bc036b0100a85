import Foundation
import Testing

@testable import TalyStore

@Suite("content revisions")
struct ContentRevisionTests {
    @Test("restoring an old revision makes a new version holding the old content")
    func restore() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        let item = try scope.createContentItem(of: type.id!, ArticleType.draft("Original", body: "one"), by: .system)
        _ = try scope.updateContentItem(
            item.id!, expectedVersion: 1, ArticleType.draft("Edited", body: "two"), by: .system)
        _ = try scope.publishContentItem(item.id!, expectedVersion: 2, by: .system)
        let first = try #require(try scope.contentRevisions(of: item.id!).first)
        #expect(try scope.contentRevision(first.id!) == first)

        #expect { try scope.restoreContentRevision(first.id!, expectedVersion: 2, by: .system) } throws: {
            isConflict($0, entity: "content item")
        }
        let restored = try scope.restoreContentRevision(first.id!, expectedVersion: 3, by: .system)
        #expect(restored.version == 4)
        #expect(restored.title == "Original")
        #expect(restored.fields == first.fields)
        #expect(restored.status == .published, "restoring content leaves the status alone")
        let revisions = try scope.contentRevisions(of: item.id!)
        #expect(revisions.map(\.itemVersion) == [1, 2, 3, 4])
        #expect(revisions.map(\.title) == ["Original", "Edited", "Edited", "Original"])
        #expect(try scope.auditLog(limit: 1000).last?.action == "content_item.restore")
        #expect(try scope.outboxEvents(limit: 1000).last?.eventType == "content_item.updated")
    }

    @Test("a restore that would take another item's slug, or break the current type, is refused")
    func refusedRestores() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try scope.createContentType(
            name: "note", displayName: "Note", fields: [.init(name: "body", type: .text)], by: .system)
        let item = try scope.createContentItem(
            of: type.id!, .init(title: "Note", slug: "old", fields: ["body": .string("x")]), by: .system)
        _ = try scope.updateContentItem(
            item.id!, expectedVersion: 1, .init(title: "Note", slug: "new", fields: [:]), by: .system)
        _ = try scope.createContentItem(of: type.id!, .init(title: "Thief", slug: "old"), by: .system)
        let first = try scope.contentRevisions(of: item.id!)[0]
        #expect { try scope.restoreContentRevision(first.id!, expectedVersion: 2, by: .system) } throws: {
            ($0 as? StoreError) == .duplicate(entity: "content item", field: "slug")
        }
        // The type now types `body` as a number: revision 1's text no longer fits.
        _ = try scope.updateContentType(
            type.id!, expectedVersion: 1, displayName: "Note", fields: [.init(name: "body", type: .number)],
            by: .system)
        let second = try scope.contentRevisions(of: item.id!)[1]
        #expect(try scope.restoreContentRevision(second.id!, expectedVersion: 2, by: .system).version == 3)
        _ = try scope.updateContentItem(
            item.id!, expectedVersion: 3, .init(title: "Note", slug: "newer", fields: [:]), by: .system)
        let thief = try #require(try scope.contentItem(of: type.id!, slug: "old"))
        try scope.deleteContentItem(thief.id!, expectedVersion: 1, by: .system)
        #expect { try scope.restoreContentRevision(first.id!, expectedVersion: 4, by: .system) } throws: {
            isInvalid($0, field: "fields.body")
        }
        #expect(try scope.contentItem(item.id!).version == 4, "refused restores change nothing")
    }
}
