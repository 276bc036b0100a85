import Foundation
import GRDB
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("bulk writes by external id")
struct BulkWriteTests {
    @Test("one batch: created, conflicting and updated items each get the single-record revisions, audit and events")
    func contentBatch() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let type = try ArticleType.create(in: scope)
        let eventsBefore = try scope.outboxEvents(limit: 1000).count
        let outcomes = try scope.bulkWriteContentItems(
            of: type.id!,
            [
                ArticleType.draft("One", slug: "one"), ArticleType.draft("Two", slug: "two"),
                ArticleType.draft("One again", body: "changed", slug: "one"),
                ArticleType.draft("No slug"),
            ], mode: .upsert, by: .system)
        guard case .created(let one) = outcomes[0], case .created = outcomes[1] else {
            Issue.record("expected two creations, got \(outcomes)")
            return
        }
        #expect(outcomes[2] == .updated(one))
        guard case .conflict(let field, _) = outcomes[3] else {
            Issue.record("a draft without a slug must be a conflict, got \(outcomes[3])")
            return
        }
        #expect(field == "slug")
        let item = try scope.contentItem(ContentItemID(one))
        #expect(item.version == 2)
        #expect(item.title == "One again")
        #expect(try scope.contentRevisions(of: ContentItemID(one)).count == 2)
        let events = try scope.outboxEvents(limit: 1000).dropFirst(eventsBefore).map(\.eventType)
        #expect(events == ["content_item.created", "content_item.created", "content_item.updated"])

        let again = try scope.bulkWriteContentItems(
            of: type.id!, [ArticleType.draft("One again", body: "changed", slug: "one")], mode: .insert, by: .system)
        guard case .conflict(let insertField, let reason) = again[0] else {
            Issue.record("insert of an existing slug must conflict")
            return
        }
        #expect(insertField == "slug")
        #expect(reason.contains("\(one)"))
        let unchanged = try scope.bulkWriteContentItems(
            of: type.id!, [ArticleType.draft("One again", body: "changed", slug: "one")], mode: .replace, by: .system)
        #expect(unchanged == [.unchanged(one)])
    }

    @Test("without mayPublish, records that would take effect in public are conflicts; drafts are written")
    func withoutPublishPermission() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let type = try ArticleType.create(in: scope)
        let live = try scope.createContentItem(of: type.id!, ArticleType.draft("Live", slug: "live"), by: .system)
        _ = try scope.publishContentItem(live.id!, expectedVersion: live.version, by: .system)
        let draft = try scope.createContentItem(of: type.id!, ArticleType.draft("Draft", slug: "draft"), by: .system)
        var scheduled = ArticleType.draft("Later", slug: "later")
        scheduled.publishAt = Date(timeIntervalSince1970: 2_000_000_000)
        var rescheduled = ArticleType.draft("Draft", slug: "draft")
        rescheduled.publishAt = scheduled.publishAt
        let drafts = [
            ArticleType.draft("Live", body: "changed", slug: "live"), ArticleType.draft("Live", slug: "live"),
            scheduled, rescheduled, ArticleType.draft("Draft", body: "changed", slug: "draft"),
        ]
        let outcomes = try scope.bulkWriteContentItems(
            of: type.id!, drafts, mode: .upsert, by: .system, mayPublish: false)
        let fields = outcomes.map { outcome -> String? in
            if case .conflict(let field, let reason) = outcome {
                #expect(reason.contains("content.publish"))
                return field
            }
            return nil
        }
        #expect(fields == ["status", nil, "publish_at", "publish_at", nil])
        #expect(outcomes[1] == .unchanged(live.id!.rawValue))
        #expect(outcomes[4] == .updated(draft.id!.rawValue))
        #expect(try scope.contentItem(live.id!).fields["body"] == .string("Body text."))
        #expect(try scope.contentItem(of: type.id!, slug: "later") == nil)
        // The same batch with the permission goes through.
        let allowed = try scope.bulkWriteContentItems(of: type.id!, drafts, mode: .upsert, by: .system)
        #expect(allowed.allSatisfy { if case .conflict = $0 { false } else { true } })
    }

    @Test("the checkpoint commits with the batch, and a failing checkpoint rolls the batch back")
    func checkpointInTransaction() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        struct Refused: Error {}
        #expect(throws: StoreError.self) {
            _ = try scope.bulkWriteProducts(
                [try ProductDraft(sku: "A-1", title: "Lamp", price: Money(amount: 100, currency: "EUR"))],
                mode: .insert, by: .system, checkpoint: { _ in throw Refused() })
        }
        #expect(try scope.product(sku: "A-1") == nil)
        _ = try scope.bulkWriteProducts(
            [try ProductDraft(sku: "A-1", title: "Lamp", price: Money(amount: 100, currency: "EUR"))],
            mode: .insert, by: .system,
            checkpoint: { outcomes in IngestCheckpoint(inputKey: "k", recordsDone: Int64(outcomes.count), created: 1) })
        #expect(try scope.product(sku: "A-1") != nil)
        #expect(
            try scope.ingestCheckpoint(inputKey: "k") == IngestCheckpoint(inputKey: "k", recordsDone: 1, created: 1))
        try scope.clearIngestCheckpoint(inputKey: "k")
        #expect(try scope.ingestCheckpoint(inputKey: "k") == nil)
    }

    @Test("audit entries and events held back for multi-row INSERTs keep the order of the batch's changes (seeded)")
    func deferredRowsKeepOrder() throws {
        let seed = SplitMix64.testSeed()
        print("BulkWriteTests.deferredRowsKeepOrder seed \(seed)")
        var random = SplitMix64(seed: seed)
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        func draft(_ sku: Int, title: String) throws -> ProductDraft {
            try ProductDraft(sku: "S-\(sku)", title: title, price: Money(amount: 100, currency: "EUR"))
        }
        // Enough changes for full multi-row statements and a remainder, with updates of SKUs
        // created earlier in the same batch between the creations.
        let count = DeferredLogRows.rowsPerStatement * 2 + Int(random.next() % UInt64(DeferredLogRows.rowsPerStatement))
        var drafts: [ProductDraft] = []
        var expected: [(sku: String, event: String)] = []
        var created: [Int] = []
        for index in 0..<count {
            let isUpdate = !created.isEmpty && random.next() % 3 == 0
            let sku = isUpdate ? created[Int(random.next() % UInt64(created.count))] : index
            if !isUpdate { created.append(sku) }
            drafts.append(try draft(sku, title: "v\(index)"))
            expected.append(("S-\(sku)", isUpdate ? "product.updated" : "product.created"))
        }
        let auditBefore = try scope.auditLog(after: nil, limit: 10_000).count
        let eventsBefore = try scope.outboxEvents(limit: 10_000).count
        let outcomes = try scope.bulkWriteProducts(drafts, mode: .upsert, by: .system)
        #expect(outcomes.count == count)
        let events = try scope.outboxEvents(limit: 10_000).dropFirst(eventsBefore)
        #expect(events.count == count, "seed \(seed)")
        let createdIDs = outcomes.compactMap { outcome -> ProductID? in
            guard case .created(let id) = outcome else { return nil }
            return ProductID(id)
        }
        #expect(createdIDs.count == created.count)
        let ids = Dictionary(
            uniqueKeysWithValues: try scope.products(ids: createdIDs).map { ($0.id!.rawValue, $0.sku) })
        let written = events.map { (ids[$0.aggregateID] ?? "?", $0.eventType) }
        #expect(written.map(\.0) == expected.map(\.sku), "event order (seed \(seed))")
        #expect(written.map(\.1) == expected.map(\.event), "event types (seed \(seed))")
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.id! < $1.id! })
        let audit = try scope.auditLog(after: nil, limit: 10_000).dropFirst(auditBefore)
        #expect(audit.map { ids[$0.targetID ?? 0] ?? "?" } == expected.map(\.sku), "audit order (seed \(seed))")
        #expect(
            audit.map(\.action) == expected.map { $0.event == "product.created" ? "product.create" : "product.update" })
        // An update of a SKU the batch created carries the creation's time and the next version,
        // as an update of a stored product does.
        let updates = Dictionary(grouping: expected.filter { $0.event == "product.updated" }, by: \.sku)
        for product in try scope.products(ids: createdIDs) {
            #expect(product.version == 1 + Int64(updates[product.sku]?.count ?? 0), "seed \(seed)")
        }
        var createdAt: [String: String] = [:]
        for (event, sku) in zip(events, written.map(\.0)) {
            let payload = try JSONSerialization.jsonObject(with: Data(event.payload.utf8)) as? [String: Any]
            let time = try #require(payload?["created_at"] as? String)
            if let first = createdAt[sku] { #expect(time == first, "created_at of \(sku) (seed \(seed))") }
            createdAt[sku] = createdAt[sku] ?? time
        }
    }

    /// SQLite gives RETURNING rows no order: ids must land at their SKU's place whatever order
    /// the rows come in (in order, reversed, shuffled, partly in order), and a missing row is caught.
    @Test("RETURNING ids are matched to their rows by SKU in any order (seeded)")
    func returnedIDsInAnyOrder() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        var returned = TenantScope.ReturnedIDs()
        for round in 0..<200 {
            let count = 1 + Int(random.next() % 70)
            let skus = (0..<count).map { "S-\(round)-\($0)-\(String(repeating: "x", count: Int(random.next() % 20)))" }
            let ids = (0..<count).map { Int64($0) * 7 + 1 + Int64(random.next() % 5) }
            var order = Array(0..<count)
            switch round % 4 {
            case 0: break
            case 1: order.reverse()
            case 2: order.shuffle(using: &random)
            default:
                // In order but for two rows swapped.
                let a = Int(random.next() % UInt64(count))
                let b = Int(random.next() % UInt64(count))
                order.swapAt(a, b)
            }
            let dropped = round % 10 == 9 ? Int(random.next() % UInt64(count)) : nil
            returned.start(count: count)
            for place in order where place != dropped {
                var sku = skus[place]
                sku.withUTF8 { returned.add(id: ids[place], sku: UnsafeRawBufferPointer($0)) { skus[$0] } }
            }
            let complete = returned.finish { skus[$0] }
            if dropped == nil {
                #expect(complete, "round \(round), seed \(seed)")
                #expect(returned.ids == ids, "round \(round), seed \(seed)")
            } else {
                #expect(!complete, "round \(round), seed \(seed)")
            }
        }
    }

    @Test("a draft read back from its row equals the draft that wrote it, so an unchanged record stays unchanged")
    func storedDraftEqualsWritten() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let draft = try ProductDraft(
            sku: "A-1", title: "Lamp", description: "a/b", price: Money(amount: 100, currency: "EUR"),
            attributes: ["url": .string("https://example.com/a"), "n": .integer(3)], status: .active)
        #expect(draft.encoded == nil)
        let serialized = draft.serializedForWrite()
        #expect(serialized.encoded?.attributes.column.contains(#"\/"#) == true)
        #expect(serialized == draft)
        let created = try scope.createProduct(serialized, by: .system)
        let stored = try scope.product(created.id!)
        #expect(stored.draft.encoded == nil)
        #expect(stored.draft == draft)
        #expect(
            try scope.bulkWriteProducts([serialized], mode: .replace, by: .system) == [.unchanged(created.id!.rawValue)]
        )
        // The texts written from the draft's encoding are the ones the store serializes itself.
        let row = try fixture.store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT attributes FROM product WHERE id = ?", arguments: [created.id!])
        }
        #expect(row == (try ProductRecord.attributesTexts(draft.attributes)).column)
    }

    @Test("a batch finds its stored SKUs and slugs, and its own repeats, in any order and at its bounds (seeded)")
    func existingAtTheBatchBounds() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let type = try scope.createContentType(
            name: "page", displayName: "Page", fields: [ContentFieldDefinition(name: "body", type: .text)],
            by: .system)
        // Ids that are prefixes of one another, differ in case or only past ASCII: byte order and
        // the order of Swift's `<` disagree on some of them. Slugs are a-z, 0-9 and hyphens.
        let skus = ["a", "ab", "a-b", "B", "b", "é", "e", "z", "Ω", "ｚ", "a0", "a~"].flatMap { stem in
            ["", "1", "-x", "é", "Z"].map { stem + $0 }
        }
        let slugs = ["a", "ab", "a-b", "a0", "b", "b1", "z", "a-b-c", "ab1", "0", "9z", "a-0"].flatMap { stem in
            ["", "1", "-x", "z"].map { stem + $0 }
        }
        let writeProducts = { (ids: [String]) throws -> [BulkWriteOutcome] in
            try scope.bulkWriteProducts(
                ids.map { try ProductDraft(sku: $0, title: "T", price: Money(amount: 1, currency: "EUR")) },
                mode: .insert, by: .system)
        }
        let writeItems = { (ids: [String]) throws -> [BulkWriteOutcome] in
            try scope.bulkWriteContentItems(
                of: type.id!, ids.map { ContentItemDraft(title: "T", slug: $0, fields: [:]) }, mode: .insert,
                by: .system, mayPublish: true)
        }
        for (pool, field, write) in [(skus, "sku", writeProducts), (slugs, "slug", writeItems)] {
            var stored: Set<String> = []
            for round in 0..<60 {
                var batch = Array(
                    Set((0..<(1 + Int(random.next() % 8))).map { _ in pool[Int(random.next() % UInt64(pool.count))] }))
                batch.shuffle(using: &random)
                // Every third round puts a stored id at the batch's first or last place in byte order.
                if round % 3 == 0, let known = stored.randomElement(using: &random) {
                    let sorted = (batch + [known]).sorted {
                        Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
                    }
                    batch = Array(Set(round % 2 == 0 ? [sorted.first!, known] : [known, sorted.last!]))
                    batch.shuffle(using: &random)
                }
                // Some batches in strictly increasing byte order (the writer then notes no id),
                // some holding an id twice (the second is a conflict in insert mode).
                if round % 4 == 1 {
                    batch.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                } else if round % 5 == 2, let twice = batch.randomElement(using: &random) {
                    batch.insert(twice, at: Int(random.next() % UInt64(batch.count + 1)))
                }
                let outcomes = try write(batch)
                var written: Set<String> = []
                for (index, id) in batch.enumerated() {
                    let exists = stored.contains(id) || written.contains(id)
                    if case .conflict(field: field, _) = outcomes[index] {
                        #expect(exists, "\(field) round \(round) \(id), seed \(seed)")
                    } else {
                        #expect(!exists, "\(field) round \(round) \(id): \(outcomes[index]), seed \(seed)")
                    }
                    written.insert(id)
                }
                stored.formUnion(batch)
            }
            #expect(stored.count > 10)
        }
    }

    @Test("existing SKUs with quotes, backslashes, slashes and non-ASCII letters are found by the batch's lookup")
    func existingLookupEscapes() throws {
        let fixture = try StoreFixture()
        let (_, scope) = try fixture.makeTenant("acme")
        let skus = [#"a"b"#, #"c\d"#, "e/f", "é-ü-Ω", "plain"]
        let drafts = try skus.map { try ProductDraft(sku: $0, title: "T", price: Money(amount: 1, currency: "EUR")) }
        let created = try scope.bulkWriteProducts(drafts, mode: .insert, by: .system)
        #expect(created.allSatisfy { if case .created = $0 { true } else { false } })
        // A second insert of the same SKUs finds every one: conflicts, not a failed batch.
        let again = try scope.bulkWriteProducts(drafts, mode: .insert, by: .system)
        #expect(again.allSatisfy { if case .conflict(field: "sku", _) = $0 { true } else { false } }, "\(again)")
        #expect(try scope.bulkWriteProducts(drafts, mode: .upsert, by: .system).count == skus.count)
        #expect(TenantScope.jsonArray(skus) == #"["a\"b","c\\d","e/f","é-ü-Ω","plain"]"#)
    }
}
