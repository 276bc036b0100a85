import Foundation
import Synchronization
import TalyIndex
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyIngest

@Suite("Index sync of products")
struct ProductIndexSyncTests {
    @Test("Attribute kinds widen to the narrowest kind holding both")
    func attributeKinds() {
        typealias Kind = ProductIndexMapping.AttributeKind
        #expect(Kind.integer.widened(with: .integer) == .integer)
        #expect(Kind.integer.widened(with: .number) == .number)
        #expect(Kind.number.widened(with: .integer) == .number)
        #expect(Kind.integer.widened(with: .string) == .string)
        #expect(Kind.string.widened(with: .list) == .list)
        #expect(Kind(of: .bool(true)) == .string)
        #expect(Kind(of: .array([.integer(1)])) == .list)
    }

    @Test("A product's document: text, keyword and numeric fields; attributes typed by the catalog")
    func productDocument() throws {
        let fixture = try IndexSyncFixture()
        let shoe = try fixture.product(
            "SHOE-1", title: "Trail shoe", description: "Grippy sole", cents: 8999,
            attributes: [
                "size": .integer(42), "weight": .number(0.8), "waterproof": .bool(true),
                "colors": .array([.string("red")]),
                "brand": .string("Acme"), "bad name!": .string("dropped"),
            ])
        let boot = try fixture.product(
            "BOOT-1", title: "Boot", attributes: ["size": .number(42.5), "brand": .integer(7)])
        let mapping = ProductIndexMapping(products: [shoe, boot])
        #expect(
            mapping.attributes == [
                "size": .number, "weight": .number, "waterproof": .string, "colors": .list, "brand": .string,
            ])
        #expect(mapping.schema.field(named: "attributes.size")?.type == .double(stored: true))
        #expect(mapping.schema.field(named: "attributes.colors")?.type == .keyword(stored: true, multiValued: true))
        #expect(mapping.schema.fieldNumber("attributes.bad name!") == nil)
        // The schema an index was built with gives the mapping back.
        #expect(ProductIndexMapping(schema: mapping.schema) == mapping)
        #expect(mapping.including([shoe, boot]) == mapping)

        let document = mapping.document(of: shoe)
        #expect(document["id"] == .keyword([String(shoe.id!.rawValue)]))
        #expect(document["title"] == .text("Trail shoe"))
        #expect(document["description"] == .text("Grippy sole"))
        #expect(document["sku"] == .keyword(["SHOE-1"]))
        #expect(document["status"] == .keyword(["active"]))
        #expect(document["currency"] == .keyword(["EUR"]))
        #expect(document["price_amount"] == .int64(8999))
        #expect(document["version"] == .int64(shoe.version))
        #expect(document["attributes.size"] == .double(42))
        #expect(document["attributes.waterproof"] == .keyword(["true"]))
        #expect(document["attributes.colors"] == .keyword(["red"]))
        #expect(mapping.document(of: boot)["attributes.brand"] == .keyword(["7"]))
        // The document fits the schema it was derived with (validation throws otherwise).
        _ = try mapping.schema.validate(document)
        _ = try mapping.schema.validate(mapping.document(of: boot))
    }

    @Test("Documents built by field number put each attribute in its column, however the schema grew (seeded)")
    func documentsByFieldNumber() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let fixture = try IndexSyncFixture()
        var mapping = ProductIndexMapping()
        let names = ["zeta", "alpha", "mid", "b", "k9"]
        for round in 0..<30 {
            var attributes: [String: AttributeValue] = [:]
            for name in names where Bool.random(using: &random) {
                attributes[name] = Bool.random(using: &random) ? .string("v\(round)") : .integer(Int64(round))
            }
            let product = try fixture.product(
                "SKU-\(round)", title: "Item \(round)", description: round % 3 == 0 ? "" : "text \(round)",
                attributes: attributes)
            // Columns in the order first seen (a widened kind rebuilds them in name order).
            mapping = mapping.including([product])
            let validated = try mapping.validatedDocument(of: product)
            #expect(validated == (try mapping.schema.validate(mapping.document(of: product))), "seed \(seed)")
            #expect(validated.id == String(product.id!.rawValue), "seed \(seed)")
            #expect(validated.values[try #require(mapping.schema.fieldNumber("sku"))] == .keyword(["SKU-\(round)"]))
            let description = try #require(mapping.schema.fieldNumber("description"))
            #expect(validated.values[description] == (round % 3 == 0 ? nil : .text("text \(round)")), "seed \(seed)")
            for (name, value) in attributes {
                let number = try #require(mapping.schema.fieldNumber("attributes.\(name)"), "seed \(seed)")
                let expected: FieldValue
                switch (mapping.attributes[name], value) {
                case (.integer?, .integer(let integer)): expected = .int64(integer)
                case (.string?, .integer(let integer)): expected = .keyword([String(integer)])
                case (.string?, .string(let text)): expected = .keyword([text])
                default:
                    Issue.record(
                        "seed \(seed): attribute \(name) of kind \(String(describing: mapping.attributes[name]))")
                    continue
                }
                #expect(validated.values[number] == expected, "seed \(seed): attribute \(name)")
            }
        }
        #expect(throws: DocumentError.self) { try mapping.schema.validate(values: [.keyword(["1"])]) }
    }

    @Test("The index's read of products maps to the documents and schema the records map to (seeded)")
    func indexSourcesMapLikeRecords() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let fixture = try IndexSyncFixture()
        let names = ["size", "brand", "größe", "colors", "bad name!", "w", "a/b", "zz"]
        func value(_ depth: Int = 0) -> AttributeValue {
            switch random.next() % (depth > 0 ? 5 : 6) {
            case 0: .integer(Int64(bitPattern: random.next()) >> (random.next() % 64))
            case 1: .number(Double(Int64(random.next() % 20_000) - 10_000) / 8)
            case 2: .bool(random.next() % 2 == 0)
            case 3: .string(["", "red", "a \"quoted\" / slash", "élan", "\u{1F600}", "x\ny"][Int(random.next() % 6)])
            case 4: .integer(Int64(random.next() % 100))
            default: .array((0..<Int(random.next() % 4)).map { _ in value(depth + 1) })
            }
        }
        var ids: [ProductID] = []
        for index in 0..<120 {
            var attributes: [String: AttributeValue] = [:]
            for name in names where random.next() % 3 == 0 { attributes[name] = value() }
            let product = try fixture.product(
                "SKU-\(index)", title: "Item \(index) \(random.next() % 1000)",
                description: random.next() % 4 == 0 ? "" : "about \(index)", cents: Int64(random.next() % 100_000),
                attributes: attributes, status: ProductStatus.allCases[Int(random.next() % 3)])
            ids.append(product.id!)
            if random.next() % 4 == 0 {
                _ = try fixture.acme.updateProduct(
                    product.id!, expectedVersion: product.version,
                    with: ProductDraft(
                        sku: "SKU-\(index)-b", title: "Updated \(index)", description: "",
                        price: Money(amount: 5, currency: "JPY"), attributes: ["size": value()], status: .draft),
                    by: .system)
            }
        }
        // Some ids read twice, some gone, in any order: both reads leave out the same ones.
        _ = try fixture.acme.deleteProduct(
            ids[7], expectedVersion: try fixture.acme.product(ids[7]).version, by: .system)
        let asked = (ids + [ids[3], ProductID(999_999)]).shuffled(using: &random)
        let records = try fixture.acme.products(ids: asked)
        let sources = try fixture.acme.productIndexSources(ids: asked)
        #expect(sources.map(\.id) == records.map { $0.id! }, "seed \(seed)")
        // A dense run of ids (a bulk load's batch) is read as a range: the same rows, the ids not
        // asked for, gone or repeated left out or read once.
        var run = Array(ids[20..<80].filter { _ in random.next() % 4 != 0 }) + [ids[7], ids[30], ids[30]]
        run.shuffle(using: &random)
        let ranged = try fixture.acme.productIndexSources(ids: run)
        let listed = try fixture.acme.productIndexSources(ids: run + [ProductID(999_999)])
        let runMapping = ProductIndexMapping().including(listed)
        #expect(ranged.map(\.id) == listed.map(\.id), "seed \(seed)")
        #expect(
            try ranged.map { try runMapping.validatedDocument(of: $0) }
                == listed.map { try runMapping.validatedDocument(of: $0) }, "seed \(seed)")
        #expect(
            try fixture.acme.productIndexSources(ids: run).map(\.id)
                == (try fixture.acme.products(ids: run)).map { $0.id! },
            "seed \(seed)")
        // The mapping grows page by page (columns in the order first seen), as the worker grows it.
        var fromRecords = ProductIndexMapping()
        var fromSources = ProductIndexMapping()
        for start in stride(from: 0, to: records.count, by: 25) {
            let end = min(start + 25, records.count)
            fromRecords = fromRecords.including(records[start..<end])
            fromSources = fromSources.including(sources[start..<end])
            #expect(fromSources.schema == fromRecords.schema, "seed \(seed)")
            #expect(fromSources.attributes == fromRecords.attributes, "seed \(seed)")
            for (record, source) in zip(records[start..<end], sources[start..<end]) {
                #expect(
                    try fromSources.validatedDocument(of: source) == (try fromRecords.validatedDocument(of: record)),
                    "seed \(seed): product \(source.id)")
            }
        }
        // The kinds the mapping finds (it remembers each position's name from product to product)
        // are those of a plain fold over every attribute; one memo shared by all the documents of
        // a mapping builds the same documents as a fresh memo per document.
        var folded: [String: ProductIndexMapping.AttributeKind] = [:]
        for source in sources {
            for (name, value) in source.attributes where ProductIndexMapping.fieldName(ofAttribute: name) != nil {
                let kind = ProductIndexMapping.AttributeKind(of: value)
                folded[name] = folded[name].map { $0.widened(with: kind) } ?? kind
            }
        }
        #expect(ProductIndexMapping().including(sources).attributes == folded, "seed \(seed)")
        var memo = ProductIndexMapping.DocumentMemo()
        for source in sources {
            #expect(
                try fromSources.validatedDocument(of: source, memo: &memo)
                    == (try fromSources.validatedDocument(of: source)),
                "seed \(seed): product \(source.id)")
        }
        // Paging reads every product of every status, as `products(after:limit:status:)` does.
        var paged: [ProductID] = []
        var cursor: ProductID?
        while case let page = try fixture.acme.productIndexSources(after: cursor, limit: 17), let last = page.last {
            paged += page.map(\.id)
            cursor = last.id
        }
        let all = try fixture.acme.products(after: nil, limit: 1000, status: nil)
        #expect(paged == all.map { $0.id! }, "seed \(seed)")
        // The last id bounds a rebuild's pages: the tenant's own largest, whatever other tenants add.
        #expect(try fixture.acme.lastProductID() == paged.max(by: { $0.rawValue < $1.rawValue }), "seed \(seed)")
        let other = try IndexSyncFixture.tenant("globex", in: fixture.store)
        #expect(try other.lastProductID() == nil)
        let theirs = try fixture.product("G-1", title: "Theirs", in: other)
        #expect(try other.lastProductID() == theirs.id)
        #expect(try fixture.acme.lastProductID() == paged.max(by: { $0.rawValue < $1.rawValue }), "seed \(seed)")
        // Another tenant's product inside a range of ours is not read.
        let before = try fixture.product("A-before", title: "Ours")
        let between = try fixture.product("G-2", title: "Theirs", in: other)
        let after = try fixture.product("A-after", title: "Ours")
        #expect(
            try fixture.acme.productIndexSources(ids: [before.id!, between.id!, after.id!]).map(\.id) == [
                before.id!, after.id!,
            ])
        #expect(try other.productIndexSources(ids: [before.id!, between.id!, after.id!]).map(\.id) == [between.id!])
    }

    @Test("Product events are applied: create, update, delete; every status is indexed")
    func lifeCycle() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let shoe = try fixture.product("SHOE-1", title: "Trail shoe", description: "grippy sole")
        let draft = try fixture.product("HAT-1", title: "Sun hat", description: "wide brim", status: .draft)
        try await worker.drain()
        #expect(try fixture.search("grippy", collection: .products) == [String(shoe.id!.rawValue)])
        #expect(try fixture.search("status:draft", collection: .products) == [String(draft.id!.rawValue)])

        let updated = try fixture.acme.updateProduct(
            shoe.id!, expectedVersion: shoe.version,
            with: try ProductDraft(
                sku: "SHOE-1", title: "Road shoe", description: "smooth sole",
                price: Money(amount: 500, currency: "EUR"),
                status: .active),
            by: .system)
        try fixture.acme.deleteProduct(draft.id!, expectedVersion: draft.version, by: .system)
        try await worker.drain()
        #expect(try fixture.search("grippy", collection: .products).isEmpty)
        #expect(try fixture.search("smooth", collection: .products) == [String(shoe.id!.rawValue)])
        let contents = try fixture.indexContents(collection: .products)
        #expect(contents.versions == [String(shoe.id!.rawValue): updated.version])
        #expect(contents.documents == 1)
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
    }

    @Test(
        "Random creates, updates and deletes, several per product in one batch, leave the index as the catalog (seeded)"
    )
    func randomChangesConverge() async throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker(batchSize: Int(random.next() % 20) + 3)
        var live: [ProductID: Int64] = [:]
        for step in 0..<150 {
            let ids = Array(live.keys)
            switch random.next() % 6 {
            case 0, 1, 2:
                let product = try fixture.product("P-\(step)", title: "Item \(step)")
                live[product.id!] = product.version
            case 3, 4:
                guard let id = ids.randomElement(using: &random) else { continue }
                let updated = try fixture.acme.updateProduct(
                    id, expectedVersion: live[id]!,
                    with: ProductDraft(
                        sku: "P-\(step)-u", title: "Updated \(step)", description: "",
                        price: Money(amount: 5, currency: "EUR"),
                        attributes: [:], status: .active),
                    by: .system)
                live[id] = updated.version
            default:
                guard let id = ids.randomElement(using: &random) else { continue }
                try fixture.acme.deleteProduct(id, expectedVersion: live[id]!, by: .system)
                live[id] = nil
            }
            if random.next() % 25 == 0 { try await worker.drain() }
        }
        try await worker.drain()
        let contents = try fixture.indexContents(collection: .products)
        #expect(
            contents.versions == Dictionary(uniqueKeysWithValues: live.map { (String($0.key.rawValue), $0.value) }),
            "seed \(seed)")
        #expect(contents.documents == live.count, "seed \(seed)")
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty, "seed \(seed)")
    }

    @Test("A new attribute grows the products index in place; a widened kind rebuilds it; both are filterable")
    func newAttributeGrows() async throws {
        let fixture = try IndexSyncFixture()
        let location = CollectionIndexLocation(
            root: fixture.root, tenantID: fixture.acme.tenantID, collection: .products)
        let plain = try fixture.product("P-1", title: "Plain mug")
        let red: ProductRecord
        let first: String?
        do {
            let worker = try fixture.worker()
            try await worker.drain()
            first = try location.currentGeneration()
            #expect(try location.openReader()?.schema.fieldNumber("attributes.color") == nil)

            red = try fixture.product(
                "P-2", title: "Red mug", attributes: ["color": .string("red"), "ml": .integer(300)])
            try await worker.drain()
        }
        // The same generation, its schema grown at the end: nothing was rebuilt.
        #expect(try location.currentGeneration() == first)
        var reader = try #require(try location.openReader())
        #expect(reader.schema.field(named: "attributes.ml")?.type == .int64(stored: true))
        #expect(Array(reader.schema.fields.suffix(2).map(\.name)) == ["attributes.color", "attributes.ml"])
        #expect(reader.segments.count == 2, "the first product's segment lacks the new columns")
        #expect(try IndexSyncFixture.search("attributes.color:red", in: reader) == [String(red.id!.rawValue)])
        #expect(
            Set(try IndexSyncFixture.search("mug", in: reader)) == [
                String(plain.id!.rawValue), String(red.id!.rawValue),
            ])
        // Another new attribute, after a restart: the new worker grows the index it finds.
        let worker = try fixture.worker()
        let heavy = try fixture.product(
            "P-3", title: "Heavy mug", attributes: ["color": .string("blue"), "size": .string("large")])
        try await worker.drain()
        #expect(try location.currentGeneration() == first)
        reader = try #require(try location.openReader())
        #expect(reader.schema.fields.last?.name == "attributes.size")
        #expect(try IndexSyncFixture.search("attributes.size:large", in: reader) == [String(heavy.id!.rawValue)])
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)

        // A fractional ml retypes its column (int64 → double): that rebuilds, in one pass over the
        // catalog (one page here: its columns in name order).
        let big = try fixture.product("P-4", title: "Big mug", attributes: ["ml": .number(450.5)])
        try await worker.drain()
        let rebuilt = try location.currentGeneration()
        #expect(rebuilt != first)
        reader = try #require(try location.openReader())
        #expect(reader.schema.field(named: "attributes.ml")?.type == .double(stored: true))
        #expect(
            Array(reader.schema.fields.suffix(3).map(\.name)) == [
                "attributes.color", "attributes.ml", "attributes.size",
            ])
        #expect(
            Set(try IndexSyncFixture.search("mug", in: reader))
                == Set(
                    [plain, red, heavy, big].map { String($0.id!.rawValue) }))
        // Same attributes again: no rebuild.
        try fixture.product("P-5", title: "Blue mug", attributes: ["color": .string("blue")])
        try await worker.drain()
        #expect(try location.currentGeneration() == rebuilt)
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
    }

    @Test("A rebuild that meets a widened kind on a later page starts over with every kind seen")
    func rebuildStartsOver() async throws {
        let fixture = try IndexSyncFixture()
        let location = CollectionIndexLocation(
            root: fixture.root, tenantID: fixture.acme.tenantID, collection: .products)
        let drafts = try (0..<1000).map { number in
            try ProductDraft(
                sku: "N-\(number)", title: "Item \(number)", price: Money(amount: 100, currency: "EUR"),
                attributes: ["n": .integer(Int64(number))], status: .active)
        }
        _ = try fixture.acme.createProducts(drafts, by: .system)
        let worker = try fixture.worker()
        try await worker.drain()
        #expect(try location.openReader()?.schema.field(named: "attributes.n")?.type == .int64(stored: true))
        // Product 1,001 is on the rebuild's second page: the first page's pass had n as int64.
        let half = try fixture.product("N-1000", title: "Item half", attributes: ["n": .number(2.5)])
        try await worker.drain()
        let reader = try #require(try location.openReader())
        #expect(reader.schema.field(named: "attributes.n")?.type == .double(stored: true))
        #expect(reader.documentCount == 1001)
        let hits = try IndexSearcher(reader: reader).search(
            SearchRequest(
                filter: .range(
                    field: "attributes.n", lower: FilterBound(.double(2), inclusive: false),
                    upper: FilterBound(.double(3), inclusive: false)),
                limit: 10))
        let ids = try hits.hits.map { hit in try reader.segments[hit.segment].storedFields(hit.document)["id"] }
        #expect(ids == [.keyword([String(half.id!.rawValue)])])
        // The abandoned pass's folder is gone with the swap: one generation remains.
        let folders = try FileSystem.listDirectory(location.path).filter { $0.hasPrefix("g") }
        #expect(folders == [String(try #require(try location.currentGeneration()).split(separator: "/").last!)])
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
    }

    @Test("Under a backlog, batches share commits; the checkpoint only moves with a durable commit")
    func backlogSharesCommits() async throws {
        let fixture = try IndexSyncFixture()
        let location = CollectionIndexLocation(
            root: fixture.root, tenantID: fixture.acme.tenantID, collection: .products)
        try fixture.product("A-0", title: "Cup")
        try await fixture.worker().drain()
        for number in 0..<40 { try fixture.product("B-\(number)", title: "Mug \(number)") }
        let position = try fixture.store.outboxPosition()
        // Batches of 5 with a long commit interval: the drain commits once, when the outbox is empty.
        let options = IndexSyncWorker.Options(batchSize: 5, commitInterval: .seconds(3600))
        do {
            let acknowledged = Mutex<[OutboxEventID]>([])
            let worker = try IndexSyncWorker(
                store: fixture.store, root: fixture.root, options: options,
                beforeAcknowledge: { last in
                    acknowledged.withLock { $0.append(last) }
                    return true
                })
            #expect(try await worker.drain() == 40)
            #expect(acknowledged.withLock { $0 } == [position], "one commit for the eight batches")
            #expect(try await worker.checkpoint() == position)
        }
        var reader = try #require(try location.openReader())
        #expect(reader.documentCount == 41)
        #expect(reader.manifest.userData[IndexSyncWorker.eventIDKey] == String(position.rawValue))
        #expect(reader.segments.count == 2, "the first drain's segment and one for the eight batches")

        // A crash before a shared commit's acknowledgment loses nothing: the replay applies it again.
        for number in 40..<52 { try fixture.product("B-\(number)", title: "Mug \(number)") }
        do {
            let crashing = try IndexSyncWorker(
                store: fixture.store, root: fixture.root, options: options, beforeAcknowledge: { _ in false })
            await #expect(throws: IndexSyncError.self) { try await crashing.drain() }
            #expect(try await crashing.checkpoint() == position)
        }
        let worker = try fixture.worker()
        #expect(try await worker.drain() == 12)
        reader = try #require(try location.openReader())
        #expect(reader.documentCount == 53)
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
    }

    @Test("Full batches buffer under the bulk RAM budget: fewer segments, the same index (seeded)")
    func bulkBudget() async throws {
        let seed = SplitMix64.testSeed()
        let words = (0..<400).map { "word\($0)" }
        var results: [(segments: Int, versions: [String: Int64])] = []
        for bulkBudget in [1 << 20, 256 << 20] {
            let fixture = try IndexSyncFixture()
            try fixture.product("A-0", title: "Cup")
            try await fixture.worker().drain()
            var random = SplitMix64(seed: seed)
            for transaction in 0..<15 {
                try fixture.acme.createProducts(
                    (0..<100).map { number in
                        try ProductDraft(
                            sku: "B-\(transaction)-\(number)", title: "Mug \(number)",
                            description: (0..<100).map { _ in words.randomElement(using: &random)! }.joined(
                                separator: " "),
                            price: Money(amount: 1000, currency: "EUR"))
                    }, by: .system)
            }
            let worker = try IndexSyncWorker(
                store: fixture.store, root: fixture.root,
                options: IndexSyncWorker.Options(
                    batchSize: 100,
                    writerOptions: IndexWriterOptions(ramBudgetBytes: 1 << 20, mergesInBackground: false),
                    commitInterval: .seconds(3600), bulkRAMBudgetBytes: bulkBudget))
            #expect(try await worker.drain() == 1500)
            #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty, "seed \(seed)")
            let location = CollectionIndexLocation(
                root: fixture.root, tenantID: fixture.acme.tenantID, collection: .products)
            let reader = try #require(try location.openReader())
            results.append((reader.segments.count, try fixture.indexContents(collection: .products).versions))
        }
        #expect(results[0].segments > 2, "seed \(seed): 1 MiB flushes the 1,500 products in several segments")
        #expect(results[1].segments == 2, "seed \(seed): the first drain's segment and one for the bulk")
        #expect(results[0].versions.count == 1501 && results[1].versions.count == 1501, "seed \(seed)")
    }

    @Test("Verify lists product differences; rebuild of the products collection repairs them")
    func verifyAndRebuild() async throws {
        let fixture = try IndexSyncFixture()
        let worker = try fixture.worker()
        let kept = try fixture.product("K-1", title: "Kept")
        try await worker.drain()
        // Not drained yet: the index lags the store.
        let late = try fixture.product("L-1", title: "Late")
        let updated = try fixture.acme.updateProduct(
            kept.id!, expectedVersion: kept.version,
            with: try ProductDraft(sku: "K-1", title: "Kept again", price: Money(amount: 1, currency: "EUR")),
            by: .system)
        let differences = try worker.verify(tenantID: fixture.acme.tenantID)
        #expect(
            Set(differences) == [
                .missingFromIndex(collection: "products", itemID: late.id!.rawValue, version: late.version),
                .versionMismatch(
                    collection: "products", itemID: kept.id!.rawValue, store: updated.version, index: kept.version),
            ])
        try await worker.rebuild(tenantID: fixture.acme.tenantID, collection: .products)
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
        try await worker.drain()
        #expect(try worker.verify(tenantID: fixture.acme.tenantID).isEmpty)
        #expect(try fixture.indexContents(collection: .products).documents == 2)
    }

    @Test("Collection names parse as the command line and URLs spell them")
    func collectionNames() {
        #expect(SearchCollection(name: "products") == .products)
        #expect(SearchCollection(name: "article") == .content(typeName: "article"))
        #expect(SearchCollection(name: "content/article") == .content(typeName: "article"))
        #expect(SearchCollection(name: "") == nil)
        #expect(SearchCollection(name: "a/b") == nil)
    }
}
