import Foundation
import TalyIndex
import TalyIngest
import TalyStore
import TalyTestSupport
import Testing

@Suite("Search collections: the API's searchers")
struct SearchCollectionsTests {
    @Test("A search sees a document once the worker commits it, with the event it reflects")
    func seesCommits() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let collections = SearchCollections(root: fixture.root)
        let article = SearchCollection.content(typeName: "article")
        #expect(try collections.snapshot(tenantID: fixture.acme.tenantID, collection: article) == nil)

        let first = try fixture.publishedArticle("First", body: "zebra")
        try await worker.drain()
        let before = try #require(try collections.snapshot(tenantID: fixture.acme.tenantID, collection: article))
        #expect(try IndexSyncFixture.search("zebra", in: before.reader) == [String(first.id!.rawValue)])
        #expect(before.appliedEventID == (try fixture.store.outboxPosition()))
        // Nothing committed since: the same snapshot, not a reopened one.
        let again = try #require(try collections.snapshot(tenantID: fixture.acme.tenantID, collection: article))
        #expect(again.searcher === before.searcher)

        let second = try fixture.publishedArticle("Second", body: "zebra")
        #expect(
            try collections.snapshot(tenantID: fixture.acme.tenantID, collection: article)?.searcher === before.searcher
        )
        try await worker.drain()
        let after = try #require(try collections.snapshot(tenantID: fixture.acme.tenantID, collection: article))
        #expect(after.searcher !== before.searcher)
        #expect(
            Set(try IndexSyncFixture.search("zebra", in: after.reader))
                == [String(first.id!.rawValue), String(second.id!.rawValue)])
        #expect(after.appliedEventID == (try fixture.store.outboxPosition()))
        #expect(try IndexSyncFixture.search("zebra", in: before.reader) == [String(first.id!.rawValue)])
    }

    @Test("An old snapshot keeps searching across a rebuild swap; the next call sees the new generation")
    func survivesRebuild() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let collections = SearchCollections(root: fixture.root)
        var ids: Set<String> = []
        for index in 0..<50 {
            ids.insert(String(try fixture.publishedArticle("Item \(index)", body: "zebra").id!.rawValue))
        }
        try await worker.drain()
        let old = try #require(
            try collections.snapshot(tenantID: fixture.acme.tenantID, collection: .content(typeName: "article")))

        try await worker.rebuild(tenantID: fixture.acme.tenantID, contentType: "article")
        // The old generation folder is gone; its mapped files still answer.
        #expect(!FileManager.default.fileExists(atPath: old.directory))
        #expect(Set(try IndexSyncFixture.search("zebra", in: old.reader)) == ids)
        let new = try #require(
            try collections.snapshot(tenantID: fixture.acme.tenantID, collection: .content(typeName: "article")))
        #expect(new.directory != old.directory)
        #expect(Set(try IndexSyncFixture.search("zebra", in: new.reader)) == ids)
        #expect(new.appliedEventID == (try fixture.store.outboxPosition()))
    }

    @Test("Many threads ask for snapshots while the worker commits and rebuilds: every answer is whole")
    func concurrentReaders() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let collections = SearchCollections(root: fixture.root)
        let tenantID = fixture.acme.tenantID
        let scope = fixture.acme
        let typeID = fixture.article.id!
        try fixture.publishedArticle("Seed", body: "zebra")
        try await worker.drain()
        let rounds = 20
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var previous = 0
                    for _ in 0..<200 {
                        let snapshot = try #require(
                            try collections.snapshot(tenantID: tenantID, collection: .content(typeName: "article")))
                        // Items are only ever added: a later snapshot never holds fewer.
                        let count = try IndexSyncFixture.search("zebra", in: snapshot.reader).count
                        #expect(count >= previous)
                        #expect(count == snapshot.reader.documentCount)
                        previous = count
                        await Task.yield()
                    }
                }
            }
            group.addTask {
                for round in 0..<rounds {
                    let draft = try scope.createContentItem(
                        of: typeID, ContentItemDraft(title: "Round \(round)", fields: ["body": .string("zebra")]),
                        by: .system)
                    _ = try scope.publishContentItem(draft.id!, expectedVersion: draft.version, by: .system)
                    try await worker.drain()
                    if round % 5 == 4 { try await worker.rebuild(tenantID: tenantID, contentType: "article") }
                }
            }
            try await group.waitForAll()
        }
        let last = try #require(try collections.snapshot(tenantID: tenantID, collection: .content(typeName: "article")))
        #expect(last.reader.documentCount == rounds + 1)
    }
}
