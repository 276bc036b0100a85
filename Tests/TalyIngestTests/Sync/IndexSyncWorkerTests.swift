import Foundation
import Synchronization
import TalyIndex
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

@Suite("Index sync worker")
struct IndexSyncWorkerTests {
    @Test("A published item becomes searchable; drafts and archived items never reach the index")
    func publishedOnly() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let draft = try fixture.acme.createContentItem(
            of: fixture.article.id!, ContentItemDraft(title: "Draft", fields: ["body": .string("zebra draft")]),
            by: .system)
        let archived = try fixture.acme.createContentItem(
            of: fixture.article.id!, ContentItemDraft(title: "Old", fields: ["body": .string("zebra archived")]),
            by: .system)
        _ = try fixture.acme.archiveContentItem(archived.id!, expectedVersion: archived.version, by: .system)
        let published = try fixture.publishedArticle("Stripes", body: "the zebra crossing")
        try await worker.drain()

        #expect(try fixture.search("zebra") == [String(published.id!.rawValue)])
        #expect(try fixture.search("stripes") == [String(published.id!.rawValue)])
        let contents = try fixture.indexContents()
        #expect(contents.versions == [String(published.id!.rawValue): published.version])
        #expect(contents.documents == 1)
        #expect(try fixture.search("draft").isEmpty)
        #expect(worker.appliedEventID(tenantID: fixture.acme.tenantID) == (try fixture.store.outboxPosition()))
        #expect(try await worker.checkpoint() == (try fixture.store.outboxPosition()))
        _ = draft
    }

    @Test("A scheduled draft is indexed once it is published at its time, not before")
    func scheduledPublishing() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let due = fixture.clock.now().addingTimeInterval(60)
        let scheduled = try fixture.acme.createContentItem(
            of: fixture.article.id!,
            ContentItemDraft(title: "Later", fields: ["body": .string("scheduled words")], publishAt: due), by: .system)
        #expect(try fixture.store.publishDueContentItems() == 0)
        try await worker.drain()
        #expect(try fixture.search("scheduled").isEmpty)
        fixture.clock.advance(by: 61)
        #expect(try fixture.store.publishDueContentItems() == 1)
        try await worker.drain()
        #expect(try fixture.search("scheduled") == [String(scheduled.id!.rawValue)])
    }

    @Test("Updates, unpublishing, archiving and deleting are reflected")
    func lifeCycle() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let first = try fixture.publishedArticle("First", body: "alpha words")
        let second = try fixture.publishedArticle("Second", body: "beta words")
        let third = try fixture.publishedArticle("Third", body: "gamma words")
        try await worker.drain()
        #expect(Set(try fixture.search("words")).count == 3)

        let updated = try fixture.acme.updateContentItem(
            first.id!, expectedVersion: first.version,
            ContentItemDraft(title: "First", fields: ["body": .string("omega words")]), by: .system)
        _ = try fixture.acme.unpublishContentItem(second.id!, expectedVersion: second.version, by: .system)
        try fixture.acme.deleteContentItem(third.id!, expectedVersion: third.version, by: .system)
        try await worker.drain()

        #expect(try fixture.search("alpha").isEmpty)
        #expect(try fixture.search("omega") == [String(first.id!.rawValue)])
        #expect(try fixture.search("words") == [String(first.id!.rawValue)])
        #expect(try fixture.indexContents().versions == [String(first.id!.rawValue): updated.version])

        let republished = try fixture.acme.publishContentItem(
            second.id!, expectedVersion: second.version + 1, by: .system)
        try await worker.drain()
        #expect(Set(try fixture.search("words")) == [String(first.id!.rawValue), String(second.id!.rawValue)])
        _ = try fixture.acme.archiveContentItem(second.id!, expectedVersion: republished.version, by: .system)
        try await worker.drain()
        #expect(try fixture.search("words") == [String(first.id!.rawValue)])
        #expect(try fixture.worker().verify(tenantID: fixture.acme.tenantID).isEmpty)
    }

    @Test("Fields map to text and columns by capability; a field without one stays out")
    func fieldMapping() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let draft = try fixture.acme.createContentItem(
            of: fixture.article.id!,
            ContentItemDraft(
                title: "Mapped",
                fields: [
                    "body": .string("text body"), "category": .string("News"), "rating": .number(4.5),
                    "event_date": .string("2025-06-01T12:00:00+02:00"), "featured": .bool(true),
                    "tags": .array([.string("a"), .string("b c")]), "internal_note": .string("secret"),
                ]), by: .system)
        _ = try fixture.acme.publishContentItem(draft.id!, expectedVersion: draft.version, by: .system)
        try await worker.drain()

        let location = CollectionIndexLocation(
            root: fixture.root, tenantID: fixture.acme.tenantID, collection: .content(typeName: "article"))
        let reader = try #require(try location.openReader())
        let stored = try #require(try reader.document(withID: String(draft.id!.rawValue)))
        #expect(stored["category"] == .keyword(["News"]))
        #expect(stored["rating"] == .double(4.5))
        // 2025-06-01T10:00:00Z, computed independently by Foundation.
        let expected = ISO8601DateFormatter().date(from: "2025-06-01T12:00:00+02:00")!
        #expect(stored["event_date"] == .date(milliseconds: Int64(expected.timeIntervalSince1970 * 1000)))
        #expect(stored["featured"] == .keyword(["true"]))
        #expect(stored["tags"] == .keyword(["a", "b c"]))
        #expect(stored["internal_note"] == nil)
        #expect(reader.schema.field(named: "internal_note") == nil)
        #expect(try IndexSyncFixture.search("secret", in: reader).isEmpty)
        #expect(try IndexSyncFixture.search("body", in: reader) == [String(draft.id!.rawValue)])
        let filtered = try IndexSearcher(reader: reader).count(
            .matchAll, filter: try FilterParser(schema: reader.schema).parse("rating >= 4 AND category = News"))
        #expect(filtered == 1)
    }

    @Test("A crash between commit and acknowledgment replays the batch without duplicates")
    func replayAfterCrash() async throws {
        let fixture = try IndexSyncFixture()
        // The type's empty index first: creating it later would build it whole from the store.
        try await fixture.worker().drain()
        let before = try fixture.store.outboxPosition()
        for index in 0..<20 { try fixture.publishedArticle("Item \(index)", body: "replayed text \(index)") }
        let (checkpointAfterCrash, documentsAfterCrash) = try await Self.crashBeforeFirstAcknowledgment(fixture)
        // The first batch is committed to the index but not acknowledged.
        #expect(checkpointAfterCrash == before)
        #expect((1..<20).contains(documentsAfterCrash))

        let restarted = try fixture.worker(batchSize: 7)
        try await restarted.drain()
        let contents = try fixture.indexContents()
        #expect(contents.versions.count == 20)
        #expect(contents.documents == 20)
        #expect(Set(try fixture.search("replayed")).count == 20)
        #expect(try await restarted.checkpoint() == (try fixture.store.outboxPosition()))

        // Replaying everything once more changes nothing.
        try fixture.store.outboxConsumer(named: "index-sync").resetCheckpoint(to: OutboxEventID(0))
        try await restarted.drain()
        let replayed = try fixture.indexContents()
        #expect(replayed.versions == contents.versions)
        #expect(replayed.documents == 20)
    }

    /// Runs a worker that stops after its first commit, before acknowledging, and releases it
    /// (its writers hold the index locks, as a dead process's would not). It commits every batch
    /// (no commit interval), so that first commit holds the first batch only.
    static func crashBeforeFirstAcknowledgment(_ fixture: IndexSyncFixture) async throws -> (OutboxEventID, Int) {
        let stopped = try fixture.worker(batchSize: 7, commitInterval: .zero, beforeAcknowledge: { _ in false })
        await #expect(throws: IndexSyncError.self) { try await stopped.drain() }
        return (try await stopped.checkpoint(), try fixture.indexContents().documents)
    }

    @Test("The running loop applies events as they commit and stops when cancelled")
    func runningLoop() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let task = Task { try await worker.run() }
        let item = try fixture.publishedArticle("Live", body: "streaming words")
        let position = try fixture.store.outboxPosition()
        // Generous: under the parallel suite on two cores, blocking tests can hold the
        // cooperative pool (and this worker's task) for tens of seconds.
        let deadline = ContinuousClock.now + .seconds(120)
        while worker.appliedEventID(tenantID: fixture.acme.tenantID) != position, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try fixture.search("streaming") == [String(item.id!.rawValue)])
        task.cancel()
        try await task.value
    }

    @Test("A consumer behind the outbox's retention rebuilds every index from the store")
    func behindRetention() async throws {
        let fixture = try IndexSyncFixture(retention: 60)
        let early = try fixture.publishedArticle("Early", body: "ancient words")
        let worker = try fixture.worker()
        try await worker.drain()
        // While the worker is away: changes whose events are then pruned.
        try fixture.acme.deleteContentItem(early.id!, expectedVersion: early.version, by: .system)
        let late = try fixture.publishedArticle("Late", body: "recent words")
        fixture.clock.advance(by: 120)
        #expect(try fixture.store.pruneOutbox() > 0)
        #expect(throws: StoreError.self) { try fixture.store.outboxConsumer(named: "index-sync").pendingEvents() }

        try await worker.drain()
        #expect(try fixture.search("words") == [String(late.id!.rawValue)])
        #expect(try fixture.worker().verify(tenantID: fixture.acme.tenantID).isEmpty)
        #expect(try await worker.checkpoint() == (try fixture.store.outboxPosition()))
    }

    @Test("A rebuild swaps in a new index while a reader keeps searching its old snapshot")
    func rebuildUnderReader() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let kept = try fixture.publishedArticle("Kept", body: "snapshot words")
        try await worker.drain()
        let location = CollectionIndexLocation(
            root: fixture.root, tenantID: fixture.acme.tenantID, collection: .content(typeName: "article"))
        let oldReader = try #require(try location.openReader())
        let oldGeneration = try #require(try location.currentGeneration())

        let added = try fixture.publishedArticle("Added", body: "snapshot more")
        try await worker.rebuild(tenantID: fixture.acme.tenantID, contentType: "article")
        let newGeneration = try #require(try location.currentGeneration())
        #expect(newGeneration != oldGeneration)
        #expect(!FileManager.default.fileExists(atPath: oldGeneration))

        // The old snapshot still answers from its mapped files; a new reader sees the rebuild.
        #expect(try IndexSyncFixture.search("snapshot", in: oldReader) == [String(kept.id!.rawValue)])
        #expect(
            Set(try fixture.search("snapshot")) == [String(kept.id!.rawValue), String(added.id!.rawValue)])
        // The loop continues on the new generation.
        try await worker.drain()
        let third = try fixture.publishedArticle("Third", body: "snapshot third")
        try await worker.drain()
        #expect(Set(try fixture.search("snapshot")).contains(String(third.id!.rawValue)))
        #expect(try fixture.worker().verify(tenantID: fixture.acme.tenantID).isEmpty)
    }

    @Test("A content type change that changes the derived schema rebuilds its index")
    func schemaChangeRebuilds() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let item = try fixture.publishedArticle("Schema", body: "before change")
        try await worker.drain()
        let location = CollectionIndexLocation(
            root: fixture.root, tenantID: fixture.acme.tenantID, collection: .content(typeName: "article"))
        let before = try #require(try location.currentGeneration())

        var fields = IndexSyncFixture.articleFields
        fields.append(ContentFieldDefinition(name: "subtitle", type: .text, searchable: true))
        let type = try fixture.acme.updateContentType(
            fixture.article.id!, expectedVersion: fixture.article.version, displayName: "Article", fields: fields,
            by: .system)
        _ = try fixture.acme.updateContentItem(
            item.id!, expectedVersion: item.version,
            ContentItemDraft(title: "Schema", fields: ["body": .string("after"), "subtitle": .string("subtitled")]),
            by: .system)
        try await worker.drain()
        #expect(try location.currentGeneration() != before)
        #expect(try fixture.search("subtitled") == [String(item.id!.rawValue)])
        let reader = try #require(try location.openReader())
        #expect(reader.schema == ContentIndexMapping(contentType: type).schema)

        // A change of the display name alone derives the same schema: no rebuild.
        let unchanged = try #require(try location.currentGeneration())
        _ = try fixture.acme.updateContentType(
            type.id!, expectedVersion: type.version, displayName: "Articles", fields: fields, by: .system)
        try await worker.drain()
        #expect(try location.currentGeneration() == unchanged)
    }

    @Test("Verify lists an item missing from the index, a stray id and a stale version")
    func verifyFindsDifferences() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let first = try fixture.publishedArticle("One", body: "verify one")
        let second = try fixture.publishedArticle("Two", body: "verify two")
        try await worker.drain()
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)

        // Changes the worker has not applied yet look like differences.
        let third = try fixture.publishedArticle("Three", body: "verify three")
        let updated = try fixture.acme.updateContentItem(
            first.id!, expectedVersion: first.version,
            ContentItemDraft(title: "One", fields: ["body": .string("changed")]), by: .system)
        try fixture.acme.deleteContentItem(second.id!, expectedVersion: second.version, by: .system)
        let differences = Set(try worker.verify(tenantID: fixture.acme.tenantID))
        #expect(
            differences == [
                .missingFromIndex(collection: "content/article", itemID: third.id!.rawValue, version: third.version),
                .versionMismatch(
                    collection: "content/article", itemID: first.id!.rawValue, store: updated.version,
                    index: first.version),
                .notPublished(collection: "content/article", itemID: String(second.id!.rawValue)),
            ])
        try await worker.drain()
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
    }

    @Test("One tenant's items never reach another tenant's index")
    func tenantIsolation() async throws {
        let fixture = try IndexSyncFixture()
        let globex = try IndexSyncFixture.tenant("globex", in: fixture.store)
        let globexArticle = try globex.createContentType(
            name: "article", displayName: "Article", fields: IndexSyncFixture.articleFields, by: .system)
        let worker = try fixture.worker()
        let acmeItem = try fixture.publishedArticle("Acme", body: "shared word acme")
        let globexItem = try fixture.publishedArticle(
            "Globex", body: "shared word globex", in: globex, type: globexArticle)
        try await worker.drain()

        #expect(try fixture.search("shared") == [String(acmeItem.id!.rawValue)])
        #expect(try fixture.search("shared", tenant: globex) == [String(globexItem.id!.rawValue)])
        #expect(try fixture.search("globex").isEmpty)
        #expect(try fixture.search("acme", tenant: globex).isEmpty)
        #expect(worker.appliedEventID(tenantID: globex.tenantID) != nil)
        #expect(worker.appliedEventID(tenantID: fixture.acme.tenantID) != nil)
        #expect(try worker.verify(tenantID: globex.tenantID).isEmpty)
    }

    @Test("Deleting a content type removes its index")
    func typeDeletion() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let page = try fixture.acme.createContentType(
            name: "page", displayName: "Page", fields: IndexSyncFixture.articleFields, by: .system)
        let item = try fixture.publishedArticle("Page", body: "page words", type: page)
        try await worker.drain()
        #expect(try fixture.search("page", type: "page") == [String(item.id!.rawValue)])
        try fixture.acme.deleteContentItem(item.id!, expectedVersion: item.version, by: .system)
        try fixture.acme.deleteContentType(page.id!, expectedVersion: page.version, by: .system)
        try await worker.drain()
        let location = CollectionIndexLocation(
            root: fixture.root, tenantID: fixture.acme.tenantID, collection: .content(typeName: "page"))
        #expect(try location.openReader() == nil)
    }
}
