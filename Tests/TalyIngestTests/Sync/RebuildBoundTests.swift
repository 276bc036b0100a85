import Foundation
import Synchronization
import TalyIndex
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyIngest

/// A rebuild reads the store in pages while writers go on: what it must not do is index the
/// records written meanwhile twice (once from its pages, once from their events).
@Suite("Index sync: rebuilds racing writes")
struct RebuildBoundTests {
    @Test(
        "A content rebuild stops at the last item id after its position; items written while it pages are indexed once")
    func contentItems() async throws {
        let fixture = try IndexSyncFixture()
        var expected: Set<String> = []
        for index in 0..<10 {
            expected.insert(
                String(try fixture.publishedArticle("Before \(index)", body: "early \(index)").id!.rawValue))
        }
        let worker = try fixture.worker()
        let acme = fixture.acme
        let typeID = fixture.article.id!
        // The first batch finds no index and rebuilds from the store in pages of 3; two items are
        // created and published after each of the first three pages.
        let writes = await Self.writeBetweenPages(of: worker) { page, index in
            let draft = try acme.createContentItem(
                of: typeID, ContentItemDraft(title: "During \(page).\(index)", fields: ["body": .string("late")]),
                by: .system)
            return String(
                try acme.publishContentItem(draft.id!, expectedVersion: draft.version, by: .system).id!.rawValue)
        }
        try await worker.drain()
        #expect(writes.failures.withLock { $0 }.isEmpty)
        expected.formUnion(writes.written.withLock { $0 })
        #expect(expected.count == 16)
        #expect(writes.pages.withLock { $0 } == 4, "10 items before the position: pages of 3, 3, 3 and 1")

        let contents = try fixture.indexContents()
        #expect(Set(contents.versions.keys) == expected)
        #expect(contents.documents == expected.count)
        #expect(await worker.addedDocumentCount == expected.count, "each item indexed once")
        #expect(Set(try fixture.search("late")).count == 6)
        #expect(try await worker.checkpoint() == (try fixture.store.outboxPosition()))
    }

    @Test(
        "A products rebuild stops at the last product id after its position; products written while it pages are indexed once"
    )
    func products() async throws {
        let fixture = try IndexSyncFixture()
        var expected: Set<String> = []
        for index in 0..<10 {
            expected.insert(String(try fixture.product("before-\(index)", title: "Early \(index)").id!.rawValue))
        }
        let worker = try fixture.worker()
        let acme = fixture.acme
        let writes = await Self.writeBetweenPages(of: worker) { page, index in
            let product = try acme.createProduct(
                ProductDraft(
                    sku: "during-\(page)-\(index)", title: "Late \(page).\(index)", description: "",
                    price: Money(amount: 100, currency: "EUR"), attributes: [:], status: .active),
                by: .system)
            return String(product.id!.rawValue)
        }
        try await worker.drain()
        #expect(writes.failures.withLock { $0 }.isEmpty)
        expected.formUnion(writes.written.withLock { $0 })
        #expect(expected.count == 16)
        #expect(writes.pages.withLock { $0 } == 4)

        let contents = try fixture.indexContents(collection: .products)
        #expect(Set(contents.versions.keys) == expected)
        #expect(contents.documents == expected.count)
        #expect(await worker.addedDocumentCount == expected.count, "each product indexed once")
        #expect(try await worker.checkpoint() == (try fixture.store.outboxPosition()))
    }

    /// What the writes between a rebuild's pages did.
    private final class PageWrites: Sendable {
        let written = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        let pages = Mutex(0)
    }

    /// Makes the worker's rebuilds read pages of 3 and, after each of the first three pages, write
    /// two records with `write(page, index)`, which returns the record's id.
    private static func writeBetweenPages(
        of worker: IndexSyncWorker, _ write: @escaping @Sendable (_ page: Int, _ index: Int) throws -> String
    ) async -> PageWrites {
        let writes = PageWrites()
        await worker.setRebuildPaging(pageSize: 3) {
            let page = writes.pages.withLock { pages in
                pages += 1
                return pages
            }
            guard page <= 3 else { return }
            for index in 0..<2 {
                do {
                    let id = try write(page, index)
                    writes.written.withLock { $0.append(id) }
                } catch {
                    writes.failures.withLock { $0.append("\(error)") }
                }
            }
        }
        return writes
    }
}
