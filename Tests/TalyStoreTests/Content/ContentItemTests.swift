import Foundation
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("content items")
struct ContentItemTests {
    @Test("a new item is a draft at version 1 with revision 1, an audit entry and a created event")
    func create() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        let item = try scope.createContentItem(of: type.id!, ArticleType.draft("Héllo, Wörld!  2025"), by: .system)
        #expect(item.status == .draft)
        #expect(item.version == 1)
        #expect(item.slug == "hello-world-2025")
        #expect(try scope.contentItem(item.id!) == item)
        #expect(try scope.contentItem(of: type.id!, slug: "hello-world-2025") == item)
        let revisions = try scope.contentRevisions(of: item.id!)
        #expect(revisions.map(\.itemVersion) == [1])
        #expect(revisions.first?.fields == item.fields)
        #expect(try scope.auditLog(limit: 1000).last?.action == "content_item.create")
        let event = try #require(try scope.outboxEvents(limit: 1000).last)
        #expect(event.eventType == "content_item.created")
        #expect(event.aggregateType == "content_item")
        #expect(event.aggregateID == item.id!.rawValue)
        #expect(event.payload.contains(#""slug":"hello-world-2025""#))
        #expect(event.payload.contains(#""contentType":"article""#))
    }

    @Test("an ASCII title's slug, which skips Foundation's folding, is the slug of the folded title")
    func asciiSlugsSkipFolding() {
        let seed = SplitMix64.testSeed()
        print("ContentItemTests.asciiSlugsSkipFolding seed \(seed)")
        var generator = SplitMix64(seed: seed)
        for _ in 0..<2_000 {
            let title = String(
                decoding: (0..<Int(generator.next() % 40)).map { _ in UInt8(generator.next() % 128) }, as: UTF8.self)
            #expect(
                TenantScope.slug(fromTitle: title) == TenantScope.slug(fromFolded: TenantScope.folded(title)),
                "\(Array(title.utf8))")
        }
        #expect(TenantScope.slug(fromTitle: "Crème Brûlée ＡＢ") == "creme-brulee-ab")
    }

    @Test("slugs: generated from the title and made unique, validated when given, unique per type")
    func slugs() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        let other = try scope.createContentType(name: "page", displayName: "Page", fields: [], by: .system)
        let slugs = try (0..<3).map { _ in
            try scope.createContentItem(of: type.id!, ArticleType.draft("Same Title"), by: .system).slug
        }
        #expect(slugs == ["same-title", "same-title-2", "same-title-3"])
        #expect(
            try scope.createContentItem(of: other.id!, .init(title: "Same Title"), by: .system).slug == "same-title")
        #expect(try scope.createContentItem(of: type.id!, ArticleType.draft("!!!"), by: .system).slug == "item")
        #expect(TenantScope.slug(fromTitle: String(repeating: "ab ", count: 100)).utf8.count <= 100)
        #expect {
            try scope.createContentItem(of: type.id!, ArticleType.draft("X", slug: "same-title"), by: .system)
        } throws: { ($0 as? StoreError) == .duplicate(entity: "content item", field: "slug") }
        for bad in ["", "Upper", "two--hyphens", "-lead", "trail-", "spa ce", "ü", String(repeating: "a", count: 201)] {
            #expect("slug \(bad)") {
                try scope.createContentItem(of: type.id!, ArticleType.draft("X", slug: bad), by: .system)
            } throws: { isInvalid($0, field: "slug") }
        }
        #expect { try scope.createContentItem(of: type.id!, ArticleType.draft("  "), by: .system) } throws: {
            isInvalid($0, field: "title")
        }
    }

    @Test("every kind of field value is checked, and the error names the field")
    func fieldValidation() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        let target = try scope.createContentItem(of: type.id!, ArticleType.draft("Target"), by: .system)
        let valid: [String: ContentValue] = [
            "body": .string("<p>Hi</p>"), "summary": .string("short"), "category": .string("news"),
            "rating": .number(4.5), "event_date": .string("2025-06-01T12:00:00Z"), "featured": .bool(true),
            "related": .number(Double(target.id!.rawValue)), "tags": .array([.string("a"), .string("b")]),
        ]
        let item = try scope.createContentItem(
            of: type.id!, ContentItemDraft(title: "Valid", fields: valid.merging(["summary": .null]) { $1 }),
            by: .system)
        #expect(item.fields == valid.filter { $0.key != "summary" }, "a null optional field is left out")
        #expect(try scope.contentItem(item.id!).fields == item.fields)
        for date in ["2025-06-01", "2025-06-01T12:00:00.250+02:00"] {
            _ = try scope.createContentItem(
                of: type.id!,
                ContentItemDraft(title: "D", fields: ["body": .string("x"), "event_date": .string(date)]),
                by: .system)
        }

        let invalid: [(String, ContentValue?, String)] = [
            ("nope", .string("x"), "fields.nope"),
            ("body", nil, "fields.body"),
            ("body", .null, "fields.body"),
            ("body", .number(1), "fields.body"),
            ("category", .string(""), "fields.category"),
            ("category", .string("a\nb"), "fields.category"),
            ("category", .string(String(repeating: "k", count: 257)), "fields.category"),
            ("rating", .string("3"), "fields.rating"),
            ("event_date", .string("2025-13-01"), "fields.event_date"),
            ("event_date", .string("yesterday"), "fields.event_date"),
            ("event_date", .string("2025-06-01T12:00:00"), "fields.event_date"),
            ("featured", .string("true"), "fields.featured"),
            ("related", .number(1.5), "fields.related"),
            ("related", .number(0), "fields.related"),
            ("related", .number(999_999), "fields.related"),
            ("tags", .string("a"), "fields.tags"),
            ("tags", .array([.string("a"), .number(3)]), "fields.tags[1]"),
            ("tags", .array([.null]), "fields.tags[0]"),
            ("summary", .object([:]), "fields.summary"),
        ]
        let eventsBefore = try scope.outboxEvents(limit: 1000).count
        for (name, value, field) in invalid {
            var fields = valid
            fields[name] = value
            #expect("\(name) = \(String(describing: value))") {
                try scope.createContentItem(of: type.id!, ContentItemDraft(title: "Bad", fields: fields), by: .system)
            } throws: { isInvalid($0, field: field) }
        }
        #expect(try scope.outboxEvents(limit: 1000).count == eventsBefore, "refused saves announce nothing")
        #expect(try scope.contentItems(limit: 1000).allSatisfy { $0.title != "Bad" })
    }

    @Test("a batch is created in one transaction: all of it, or nothing, with errors naming the draft")
    func batch() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        let items = try scope.createContentItems(
            of: type.id!, (0..<3).map { _ in ArticleType.draft("Same") }, by: .system)
        #expect(items.map(\.slug) == ["same", "same-2", "same-3"])
        #expect(try scope.contentItems(limit: 100) == items)
        let eventsBefore = try scope.outboxEvents(limit: 1000)
        var drafts = (0..<4).map { ArticleType.draft("Batch \($0)") }
        drafts[2].fields["rating"] = .string("high")
        #expect { try scope.createContentItems(of: type.id!, drafts, by: .system) } throws: {
            isInvalid($0, field: "items[2].fields.rating")
        }
        drafts[2].fields["rating"] = nil
        drafts[1].title = ""
        #expect { try scope.createContentItems(of: type.id!, drafts, by: .system) } throws: {
            isInvalid($0, field: "items[1].title")
        }
        drafts[1].title = "Batch 1"
        drafts[3].slug = "batch-0"
        #expect { try scope.createContentItems(of: type.id!, drafts, by: .system) } throws: {
            ($0 as? StoreError) == .duplicate(entity: "content item", field: "slug")
        }
        #expect(try scope.contentItems(limit: 100) == items, "refused batches write nothing")
        #expect(try scope.outboxEvents(limit: 1000) == eventsBefore)
    }

    @Test("writes and reads per second, single and batched, with their outbox events (figures printed)")
    func throughput() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        let position = try fixture.store.outboxPosition()
        let clock = ContinuousClock()
        let single = 100
        let singleTime = try clock.measure {
            for index in 0..<single {
                _ = try scope.createContentItem(of: type.id!, ArticleType.draft("Single \(index)"), by: .system)
            }
        }
        let batches = 5
        let batchSize = 200
        let batchTime = try clock.measure {
            for batch in 0..<batches {
                _ = try scope.createContentItems(
                    of: type.id!, (0..<batchSize).map { ArticleType.draft("Batch \(batch) \($0)") }, by: .system)
            }
        }
        let ids = try scope.contentItems(limit: 10_000).map { $0.id! }
        let reads = 2000
        var found = 0
        var random = SplitMix64(seed: 1)
        let readTime = try clock.measure {
            for _ in 0..<reads where try scope.contentItem(ids.randomElement(using: &random)!).version == 1 {
                found += 1
            }
        }
        let total = single + batches * batchSize
        #expect(ids.count == total)
        #expect(found == reads)
        #expect(try fixture.store.outboxPosition().rawValue == position.rawValue + Int64(total))
        func perSecond(_ count: Int, _ duration: Duration) -> Int {
            Int(Double(count) / (Double(duration.components.attoseconds) / 1e18 + Double(duration.components.seconds)))
        }
        print(
            "ContentItemTests.throughput (debug build): \(perSecond(single, singleTime)) single inserts/s, "
                + "\(perSecond(batches * batchSize, batchTime)) batched inserts/s (\(batchSize) per transaction), "
                + "\(perSecond(reads, readTime)) point reads/s")
    }

    @Test("fields arrive as a JSON object; anything else is refused")
    func fieldsFromJSON() throws {
        let fields = try ContentValue.fields(
            fromJSON: Data(#"{"body":"x","rating":3,"tags":["a"],"featured":false,"n":null}"#.utf8))
        #expect(
            fields == [
                "body": .string("x"), "rating": .number(3), "tags": .array([.string("a")]), "featured": .bool(false),
                "n": .null,
            ])
        #expect { try ContentValue.fields(fromJSON: Data("[1]".utf8)) } throws: { isInvalid($0, field: "fields") }
        #expect { try ContentValue.fields(fromJSON: Data("{".utf8)) } throws: { isInvalid($0, field: "fields") }
    }

    @Test("updates need the current version; each change is a version, a revision, an audit entry and an event")
    func lifecycle() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        let created = try scope.createContentItem(of: type.id!, ArticleType.draft("First"), by: .system)
        let id = created.id!
        let updated = try scope.updateContentItem(
            id, expectedVersion: 1, ArticleType.draft("Second title", body: "New"), by: .user(UserID(1)))
        #expect(updated.version == 2)
        #expect(updated.slug == "first", "the slug stays when none is given")
        #expect(updated.fields["body"] == .string("New"))
        #expect { try scope.updateContentItem(id, expectedVersion: 1, ArticleType.draft("Z"), by: .system) } throws: {
            isConflict($0, entity: "content item")
        }
        let published = try scope.publishContentItem(id, expectedVersion: 2, by: .system)
        #expect(published.status == .published)
        #expect(published.publishedAt == fixture.clock.now())
        #expect { try scope.publishContentItem(id, expectedVersion: 3, by: .system) } throws: {
            isInvalid($0, field: "status")
        }
        #expect { try scope.archiveContentItem(id, expectedVersion: 2, by: .system) } throws: {
            isConflict($0, entity: "content item")
        }
        let archived = try scope.archiveContentItem(id, expectedVersion: 3, by: .system)
        #expect(archived.status == .archived)
        let draft = try scope.unpublishContentItem(id, expectedVersion: 4, by: .system)
        #expect(draft.status == .draft)
        let renamed = try scope.updateContentItem(
            id, expectedVersion: 5, ArticleType.draft("Second title", slug: "second"), by: .system)
        #expect(renamed.slug == "second")
        #expect(try scope.contentItem(of: type.id!, slug: "first") == nil)

        #expect(try scope.contentRevisions(of: id).map(\.itemVersion) == [1, 2, 3, 4, 5, 6])
        #expect(
            try scope.contentRevisions(of: id).map(\.status) == [.draft, .draft, .published, .archived, .draft, .draft])
        #expect(try scope.contentRevisions(of: id)[1].actor == .user(UserID(1)))
        let events = try scope.outboxEvents(limit: 1000).filter { $0.aggregateType == "content_item" }
        #expect(
            events.map(\.eventType) == [
                "content_item.created", "content_item.updated", "content_item.published", "content_item.archived",
                "content_item.unpublished", "content_item.updated",
            ])
        for (index, event) in events.enumerated() {
            #expect(event.payload.contains(#""version":\#(index + 1)"#), "\(event.payload)")
        }
        let actions = try scope.auditLog(limit: 1000).map(\.action).filter { $0.hasPrefix("content_item.") }
        #expect(
            actions == [
                "content_item.create", "content_item.update", "content_item.publish", "content_item.archive",
                "content_item.unpublish", "content_item.update",
            ])

        #expect { try scope.deleteContentItem(id, expectedVersion: 5, by: .system) } throws: {
            isConflict($0, entity: "content item")
        }
        try scope.deleteContentItem(id, expectedVersion: 6, by: .system)
        #expect { try scope.contentItem(id) } throws: {
            ($0 as? StoreError) == .notFound(entity: "content item", key: id.description)
        }
        #expect { try scope.contentRevisions(of: id) } throws: {
            ($0 as? StoreError) == .notFound(entity: "content item", key: id.description)
        }
        #expect(try scope.outboxEvents(limit: 1000).last?.eventType == "content_item.deleted")
    }

    @Test("scheduled drafts are published when due, in every tenant, and only drafts")
    func scheduledPublishing() throws {
        let fixture = try StoreFixture()
        let (_, a) = try fixture.makeTenant("a")
        let (_, b) = try fixture.makeTenant("b")
        let start = fixture.clock.now()
        var scheduled: [ContentItemRecord] = []
        for scope in [a, b] {
            let type = try ArticleType.create(in: scope)
            var draft = ArticleType.draft("Soon")
            draft.publishAt = start.addingTimeInterval(60)
            scheduled.append(try scope.createContentItem(of: type.id!, draft, by: .system))
            draft.publishAt = start.addingTimeInterval(600)
            _ = try scope.createContentItem(of: type.id!, draft, by: .system)
            draft.publishAt = start.addingTimeInterval(30)
            let toArchive = try scope.createContentItem(of: type.id!, draft, by: .system)
            _ = try scope.archiveContentItem(toArchive.id!, expectedVersion: 1, by: .system)
        }
        #expect(try fixture.store.publishDueContentItems() == 0)
        fixture.clock.advance(by: 120)
        #expect(try fixture.store.publishDueContentItems(batchSize: 1) == 2)
        #expect(try fixture.store.publishDueContentItems() == 0)
        for (scope, item) in zip([a, b], scheduled) {
            let now = try scope.contentItem(item.id!)
            #expect(now.status == .published)
            #expect(now.publishAt == nil)
            #expect(now.version == 2)
            #expect(try scope.contentItems(status: .published).map(\.id) == [item.id])
            #expect(try scope.auditLog(limit: 1000).last?.action == "content_item.publish_scheduled")
            #expect(try scope.outboxEvents(limit: 1000).last?.eventType == "content_item.published")
        }
        fixture.clock.advance(by: 600)
        #expect(try a.publishDueContentItems().count == 1)
        #expect(try b.contentItems(status: .published).count == 1, "A's sweep leaves B alone")
    }

    @Test("seeded random edits: every version has its revision and the outbox tells the whole story in order")
    func randomEdits() throws {
        let seed = SplitMix64.testSeed()
        print("ContentItemTests.randomEdits seed \(seed)")
        var random = SplitMix64(seed: seed)
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("a")
        let type = try ArticleType.create(in: scope)
        var items: [ContentItemRecord] = []
        for step in 0..<200 {
            if items.isEmpty || Int.random(in: 0..<5, using: &random) == 0 {
                items.append(try scope.createContentItem(of: type.id!, ArticleType.draft("Item \(step)"), by: .system))
                continue
            }
            let index = Int.random(in: 0..<items.count, using: &random)
            let item = items[index]
            let stale = Int.random(in: 0..<10, using: &random) == 0
            let version = stale ? item.version - 1 : item.version
            let action = Int.random(in: 0..<3, using: &random)
            do {
                items[index] = try Self.edit(scope, item, action: action, expectedVersion: version, step: step)
                #expect(!stale, "seed \(seed): a stale version was accepted")
            } catch {
                guard case .versionConflict = error as? StoreError else { throw error }
                #expect(stale, "seed \(seed)")
            }
        }
        let events = try scope.outboxEvents(limit: 10_000).filter { $0.aggregateType == "content_item" }
        for item in items {
            let stored = try scope.contentItem(item.id!)
            #expect(stored == item, "seed \(seed)")
            #expect(try scope.contentRevisions(of: item.id!).map(\.itemVersion) == Array(1...item.version))
            #expect(events.filter { $0.aggregateID == item.id!.rawValue }.count == Int(item.version), "seed \(seed)")
        }
    }

    /// One random edit: update, or move along the status cycle.
    static func edit(_ scope: TenantScope, _ item: ContentItemRecord, action: Int, expectedVersion: Int64, step: Int)
        throws -> ContentItemRecord
    {
        switch (action, item.status) {
        case (0, _):
            try scope.updateContentItem(
                item.id!, expectedVersion: expectedVersion, ArticleType.draft("Item \(step)", body: "v\(step)"),
                by: .system)
        case (1, .draft), (1, .archived):
            try scope.publishContentItem(item.id!, expectedVersion: expectedVersion, by: .system)
        case (1, .published), (2, .archived):
            try scope.unpublishContentItem(item.id!, expectedVersion: expectedVersion, by: .system)
        default:
            try scope.archiveContentItem(item.id!, expectedVersion: expectedVersion, by: .system)
        }
    }
}
