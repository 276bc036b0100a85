import Foundation
import GRDB
import Testing

@testable import TalyStore

/// The content and outbox functions, given tenant B's ids through tenant A's scope, must act as
/// if they did not exist, and leave B's rows unchanged.
@Suite("tenant isolation of content and outbox")
struct ContentIsolationTests {
    struct World {
        let fixture: StoreFixture
        let a: TenantScope
        let b: TenantScope
        let aType: ContentTypeRecord
        let aItem: ContentItemRecord
        let bType: ContentTypeRecord
        let bItem: ContentItemRecord
        let bRevision: ContentRevisionRecord
        let bDue: ContentItemRecord

        init() throws {
            fixture = try StoreFixture()
            let (_, a) = try fixture.makeTenant("tenant-a")
            let (_, b) = try fixture.makeTenant("tenant-b")
            self.a = a
            self.b = b
            // Same type name and slug in both tenants: lookups by name must not cross over.
            bType = try ArticleType.create(in: b)
            bItem = try b.createContentItem(of: bType.id!, ArticleType.draft("Shared slug"), by: .system)
            bRevision = try b.contentRevisions(of: bItem.id!)[0]
            var due = ArticleType.draft("Due in B")
            due.publishAt = fixture.clock.now().addingTimeInterval(10)
            bDue = try b.createContentItem(of: bType.id!, due, by: .system)
            aType = try ArticleType.create(in: a)
            aItem = try a.createContentItem(of: aType.id!, ArticleType.draft("Shared slug"), by: .system)
            fixture.clock.advance(by: 60)
        }
    }

    static func isNotFound(_ error: any Error, _ entity: String) -> Bool {
        guard case .notFound(let reported, _) = error as? StoreError else { return false }
        return reported == entity
    }

    @Test("A cannot read or list B's content types, items, revisions or events")
    func reads() throws {
        let w = try World()
        #expect { try w.a.contentType(w.bType.id!) } throws: { Self.isNotFound($0, "content type") }
        #expect(try w.a.contentType(named: "article") == w.aType)
        #expect(try w.a.contentTypes() == [w.aType])
        #expect { try w.a.contentItem(w.bItem.id!) } throws: { Self.isNotFound($0, "content item") }
        #expect(try w.a.contentItem(of: w.bType.id!, slug: "shared-slug") == nil)
        #expect(try w.a.contentItem(of: w.aType.id!, slug: "shared-slug") == w.aItem)
        #expect(try w.a.contentItems(limit: 1000) == [w.aItem])
        #expect(try w.a.contentItems(of: w.bType.id!).isEmpty)
        #expect(try w.a.contentItems(ids: [w.bDue.id!, w.aItem.id!, w.bItem.id!]) == [w.aItem])
        #expect(
            try w.b.contentItems(ids: [w.bDue.id!, w.aItem.id!, w.bItem.id!]).map(\.id) == [w.bItem.id, w.bDue.id])
        #expect { try w.a.contentRevisions(of: w.bItem.id!) } throws: { Self.isNotFound($0, "content item") }
        #expect { try w.a.contentRevision(w.bRevision.id!) } throws: { Self.isNotFound($0, "content revision") }
        #expect(try w.a.outboxEvents(limit: 1000).allSatisfy { $0.tenantID == w.a.tenantID })
        #expect(
            try w.a.outboxConsumer(named: "c").pendingEvents(limit: 1000).allSatisfy { $0.tenantID == w.a.tenantID })
        #expect(try !w.a.outboxEvents(limit: 1000).isEmpty)
    }

    @Test("A cannot change, publish, restore, delete or reference anything of B's")
    func writes() throws {
        let w = try World()
        let bEventsBefore = try w.b.outboxEvents(limit: 1000)
        let bAuditBefore = try w.b.auditLog(limit: 1000)
        let bItemsBefore = try w.b.contentItems(limit: 1000)
        let bID = w.bItem.id!
        #expect { try w.a.createContentItem(of: w.bType.id!, ArticleType.draft("X"), by: .system) } throws: {
            Self.isNotFound($0, "content type")
        }
        #expect {
            try w.a.updateContentType(
                w.bType.id!, expectedVersion: 1, displayName: "X", fields: ArticleType.fields, by: .system)
        } throws: { Self.isNotFound($0, "content type") }
        #expect { try w.a.deleteContentType(w.bType.id!, expectedVersion: 1, by: .system) } throws: {
            Self.isNotFound($0, "content type")
        }
        #expect { try w.a.updateContentItem(bID, expectedVersion: 1, ArticleType.draft("X"), by: .system) } throws: {
            Self.isNotFound($0, "content item")
        }
        #expect { try w.a.publishContentItem(bID, expectedVersion: 1, by: .system) } throws: {
            Self.isNotFound($0, "content item")
        }
        #expect { try w.a.unpublishContentItem(bID, expectedVersion: 1, by: .system) } throws: {
            Self.isNotFound($0, "content item")
        }
        #expect { try w.a.archiveContentItem(bID, expectedVersion: 1, by: .system) } throws: {
            Self.isNotFound($0, "content item")
        }
        #expect { try w.a.deleteContentItem(bID, expectedVersion: 1, by: .system) } throws: {
            Self.isNotFound($0, "content item")
        }
        #expect { try w.a.restoreContentRevision(w.bRevision.id!, expectedVersion: 1, by: .system) } throws: {
            Self.isNotFound($0, "content revision")
        }
        // A reference to B's item from A's item is as if the item did not exist.
        var referencing = ArticleType.draft("Ref")
        referencing.fields["related"] = .number(Double(bID.rawValue))
        #expect { try w.a.createContentItem(of: w.aType.id!, referencing, by: .system) } throws: { error in
            guard case .invalid(let field, let reason) = error as? StoreError else { return false }
            return field == "fields.related" && reason.contains("no content item")
        }
        #expect(try w.a.publishDueContentItems().isEmpty, "B's due draft is not A's to publish")

        // B is exactly as it was.
        #expect(try w.b.contentItems(limit: 1000) == bItemsBefore)
        #expect(try w.b.contentType(w.bType.id!) == w.bType)
        #expect(try w.b.contentRevisions(of: bID) == [w.bRevision])
        #expect(try w.b.outboxEvents(limit: 1000) == bEventsBefore)
        #expect(try w.b.auditLog(limit: 1000) == bAuditBefore)
        #expect(try w.b.contentItem(w.bDue.id!).status == .draft)
    }

    @Test("the schema itself refuses an item of one tenant in another tenant's content type")
    func schemaRefusesCrossTenantLinks() throws {
        let w = try World()
        #expect(throws: StoreError.constraintViolation(reason: "a referenced record does not exist in this tenant")) {
            try w.fixture.store.write { db in
                var item = w.aItem
                item.id = nil
                item.contentTypeID = w.bType.id!
                item.slug = "smuggled"
                try item.insert(db)
            }
        }
    }
}
