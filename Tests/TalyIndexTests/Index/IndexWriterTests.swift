import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("writing an index", .serialized)
struct IndexWriterTests {
    static let schema = try! Schema(
        fields: [
            .init("id", .keyword(stored: true, multiValued: false)),
            .init("title", .text(analyzer: .standard, stored: true)),
            .init("body", .text(analyzer: .standard, stored: false)),
            .init("tags", .keyword(stored: true, multiValued: true)),
            .init("price", .int64(stored: true)),
        ],
        idField: "id"
    )

    static let words = ["apple", "banana", "cherry", "date", "elder", "fig", "grape", "honeydew", "kiwi", "lemon"]

    static func document(_ id: Int, _ random: inout SplitMix64, version: Int = 0) -> Document {
        let title = (0..<Int.random(in: 1...4, using: &random)).map { _ in words.randomElement(using: &random)! }
        let body = (0..<Int.random(in: 0...30, using: &random)).map { _ in words.randomElement(using: &random)! }
        var document = Document([
            "id": .keyword(["doc-\(id)"]),
            "title": .text(title.joined(separator: " ") + " v\(version)"),
            "tags": .keyword(Array(words.prefix(Int.random(in: 0...3, using: &random)))),
            "price": .int64(Int64(id) * 100 + Int64(version)),
        ])
        if !body.isEmpty { document["body"] = .text(body.joined(separator: " ")) }
        return document
    }

    /// Checks every segment's postings for `field` against the stored or given text, term by term.
    /// Adds batches of 300 fixture documents (batch `b` holds ids `b * 300 ..< (b + 1) * 300`) and
    /// returns each added document's title by id, for `checkPostings`.
    static func addBatches(_ batches: Range<Int>, to writer: IndexWriter, _ random: inout SplitMix64) throws
        -> [String: String]
    {
        var titles: [String: String] = [:]
        for batch in batches {
            let documents = (0..<300).map { document(batch * 300 + $0, &random) }
            for (offset, added) in documents.enumerated() {
                if case .text(let title)? = added["title"] { titles["doc-\(batch * 300 + offset)"] = title }
            }
            try writer.add(documents)
        }
        return titles
    }

    static func checkPostings(_ reader: IndexReader, texts: [String: String], field: String) throws {
        let number = UInt32(reader.schema.fieldNumber(field)!)
        var expected: [String: [String: Int]] = [:]  // term → id → frequency
        for (id, text) in texts {
            for term in text.lowercased().split(separator: " ") {
                expected[String(term), default: [:]][id, default: 0] += 1
            }
        }
        let seen = try livePostings(reader, field: number)
        let wrong = Set(seen.keys).union(expected.keys).filter { seen[$0] != expected[$0] }.sorted()
        #expect(wrong.isEmpty, "terms whose postings differ: \(wrong.prefix(5))")
    }

    /// term → id → frequency over the live documents of every segment, read from the postings.
    static func livePostings(_ reader: IndexReader, field number: UInt32) throws -> [String: [String: Int]] {
        var found: [String: [String: Int]] = [:]
        for segment in reader.segments {
            guard let terms = segment.terms.terms(forField: number) else { continue }
            var cursor = terms.makeCursor()
            while try cursor.next() {
                let term = String(decoding: cursor.term, as: UTF8.self)
                let postings = try segment.postings.cursor(for: try cursor.info())
                var document = postings.doc
                while document != PostingsCursor.exhausted {
                    if segment.isLive(document), case .keyword(let ids)? = try segment.storedFields(document)["id"] {
                        found[term, default: [:]][ids[0]] = Int(postings.frequency)
                    }
                    document = try postings.next()
                }
            }
        }
        return found
    }

    @Test("committed documents read back by id with their stored fields, and postings match the text")
    func addCommitRead() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let writer = try IndexWriter(
            directory: dir.path, schema: Self.schema, options: .init(mergesInBackground: false))
        let documents = (0..<500).map { Self.document($0, &random) }
        let errors = try writer.add(documents)
        #expect(errors.allSatisfy { $0 == nil })
        #expect(try IndexReader.open(directory: dir.path).documentCount == 0, "nothing is visible before commit")
        try writer.commit()
        let reader = try IndexReader.open(directory: dir.path)
        #expect(reader.documentCount == 500, "seed \(seed)")
        for (index, original) in documents.enumerated() {
            let stored = try #require(try reader.document(withID: "doc-\(index)"))
            #expect(stored["title"] == original["title"])
            #expect(stored["price"] == original["price"])
            #expect(stored["body"] == nil, "body is not stored")
        }
        var bodies: [String: String] = [:]
        for (index, document) in documents.enumerated() {
            if case .text(let text)? = document["body"] { bodies["doc-\(index)"] = text }
        }
        try Self.checkPostings(reader, texts: bodies, field: "body")
    }

    @Test("adding an existing id replaces it, in RAM and across commits; deletes remove it")
    func updatesAndDeletes() throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix64(seed: 7)
        let writer = try IndexWriter(
            directory: dir.path, schema: Self.schema, options: .init(mergesInBackground: false))
        try writer.add((0..<100).map { Self.document($0, &random) })
        try writer.commit()
        // Replace 0..<10 (committed), add 100..<110, replace 100 twice in RAM, delete 50 and 105.
        try writer.add((0..<10).map { Self.document($0, &random, version: 1) })
        try writer.add((100..<110).map { Self.document($0, &random) })
        try writer.add([Self.document(100, &random, version: 1)])
        try writer.add([Self.document(100, &random, version: 2)])
        writer.delete(id: "doc-50")
        writer.delete(id: "doc-105")
        writer.delete(id: "no-such-id")
        // A delete followed by a re-add keeps the re-added document.
        writer.delete(id: "doc-60")
        try writer.add([Self.document(60, &random, version: 3)])
        try writer.commit()

        let reader = try IndexReader.open(directory: dir.path)
        #expect(reader.documentCount == 100 + 10 - 2)
        #expect(try reader.document(withID: "doc-50") == nil)
        #expect(try reader.document(withID: "doc-105") == nil)
        for id in 0..<10 { #expect(try reader.document(withID: "doc-\(id)")?["price"] == .int64(Int64(id) * 100 + 1)) }
        #expect(try reader.document(withID: "doc-100")?["price"] == .int64(10_002))
        #expect(try reader.document(withID: "doc-60")?["price"] == .int64(6003))
        #expect(try reader.document(withID: "doc-20")?["price"] == .int64(2000))
    }

    @Test("random adds (ids repeated within and across batches), deletes and commits match a model (seeded)")
    func upsertsMatchModel() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let options = IndexWriterOptions(
            ramBudgetBytes: 1 << 20, indexingThreads: Int.random(in: 1...2, using: &random), mergesInBackground: false)
        let writer = try IndexWriter(directory: dir.path, schema: Self.schema, options: options)
        var model: [Int: Int] = [:]
        var version = 0
        for _ in 0..<40 {
            switch random.next() % 8 {
            case 0:
                let id = Int(random.next() % 300)
                writer.delete(id: "doc-\(id)")
                model[id] = nil
            case 1:
                try writer.commit()
            default:
                // Mostly new ids, some already added (in RAM or committed), some twice in the batch.
                let batch = (0..<Int.random(in: 1...120, using: &random)).map { _ in Int(random.next() % 300) }
                var documents: [Document] = []
                for id in batch {
                    version += 1
                    documents.append(Self.document(id, &random, version: version % 100))
                    model[id] = version % 100
                }
                try writer.add(documents)
            }
        }
        try writer.commit()
        let reader = try IndexReader.open(directory: dir.path)
        #expect(reader.documentCount == model.count, "seed \(seed)")
        for id in 0..<300 {
            let price = try reader.document(withID: "doc-\(id)")?["price"]
            #expect(price == model[id].map { .int64(Int64(id) * 100 + Int64($0)) }, "seed \(seed): doc-\(id)")
        }
    }

    @Test("an append-only index keeps duplicate ids, indexes no id terms, merges, and refuses work by id")
    func appendOnly() throws {
        let dir = try TemporaryDirectory()
        let schema = try Schema(fields: Self.schema.fields, idField: "id", idMode: .appendOnly)
        var random = SplitMix64(seed: 11)
        // Two commits (two segments); ids 150..<200 are added twice.
        let batches = [(0..<200).map { Self.document($0, &random) }, (150..<250).map { Self.document($0, &random) }]
        do {
            let writer = try IndexWriter(directory: dir.path, schema: schema, options: .init(mergesInBackground: false))
            for batch in batches {
                #expect(try writer.add(batch).allSatisfy { $0 == nil })
                try writer.commit()
            }
        }
        let all = batches.flatMap { $0 }
        let expectedIDs = all.map { $0["id"] }
        let apples = all.filter { document in
            guard case .text(let title)? = document["title"] else { return false }
            return title.split(separator: " ").contains("apple")
        }.count
        #expect(apples > 10)

        for merged in [false, true] {
            if merged {
                let writer = try IndexWriter(
                    directory: dir.path, schema: schema, options: .init(mergesInBackground: false))
                try writer.forceMerge(maximumSegments: 1)
            }
            let reader = try IndexReader.open(directory: dir.path)
            #expect(reader.schema.idMode == .appendOnly)
            #expect(reader.segments.count == (merged ? 1 : 2))
            #expect(reader.documentCount == 300, "duplicates are kept (merged: \(merged))")
            for segment in reader.segments {
                #expect(segment.terms.terms(forField: 0) == nil, "no id terms")
                #expect(segment.terms.terms(forField: 1) != nil)
            }
            let storedIDs = try GoldenIndexTests.liveStoredFields(reader).map { $0["id"] }
            #expect(storedIDs == expectedIDs, "stored ids in add order (merged: \(merged))")
            let manifest = try IndexFile(
                path: dir.path(Manifest.fileName), kind: .manifest, segment: Manifest.directorySegment)
            #expect(manifest.version == 2)

            let searcher = IndexSearcher(reader: reader)
            let hits = try searcher.search(.term(field: "title", text: "apple"), limit: 1000, countTotal: true)
            #expect(hits.totalCount == apples)
            #expect(hits.hits.count == apples)
            #expect(throws: IndexError.idsNotIndexed(operation: "looking documents up")) {
                _ = try reader.document(withID: "doc-1")
            }
            #expect(throws: SearchError.fieldNotSearchable("id", type: "append-only id")) {
                _ = try searcher.search(.term(field: "id", text: "doc-1"), limit: 10)
            }
            #expect(throws: SearchError.self) {
                _ = try searcher.search(SearchRequest(sort: [SortKey(.field("price"), order: .ascending)]))
            }
        }
    }

    @Test("a bad document is refused by name, the rest of its batch is added")
    func badDocumentInBatch() throws {
        let dir = try TemporaryDirectory()
        let writer = try IndexWriter(
            directory: dir.path, schema: Self.schema, options: .init(mergesInBackground: false))
        let errors = try writer.add([
            Document(["id": .keyword(["a"]), "title": .text("fine")]),
            Document(["id": .keyword(["b"]), "price": .text("twelve")]),
            Document(["title": .text("no id")]),
            Document(["id": .keyword(["c"]), "colour": .text("red")]),
            Document(["id": .keyword(["d"]), "title": .text("also fine")]),
        ])
        #expect(errors[0] == nil && errors[4] == nil)
        #expect(errors[1] == DocumentError(field: "price", problem: "expected int64, found text"))
        #expect(errors[2]?.field == "id")
        #expect(errors[3]?.field == "colour")
        try writer.commit()
        #expect(try IndexReader.open(directory: dir.path).documentCount == 2)
    }

    @Test("a small RAM budget and two threads flush many segments, and nothing is lost (seeded)")
    func manySegmentsTwoThreads() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let options = IndexWriterOptions(ramBudgetBytes: 1 << 20, indexingThreads: 2, mergesInBackground: false)
        let writer = try IndexWriter(directory: dir.path, schema: Self.schema, options: options)
        let titles = try Self.addBatches(0..<30, to: writer, &random)
        try writer.commit()
        let reader = try IndexReader.open(directory: dir.path)
        #expect(reader.segments.count > 2, "seed \(seed): expected several flushed segments")
        #expect(reader.documentCount == 9000, "seed \(seed)")
        try Self.checkPostings(reader, texts: titles, field: "title")
    }

    @Test("the RAM budget counts the buffered documents, not the buffers' capacity kept after a flush")
    func budgetAfterFlush() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let options = IndexWriterOptions(ramBudgetBytes: 1 << 20, mergesInBackground: false)
        let writer = try IndexWriter(directory: dir.path, schema: Self.schema, options: options)
        // 300 small adds: were every add after the first flush to flush, there would be ~300 segments.
        for batch in 0..<300 {
            try writer.add((0..<20).map { Self.document(batch * 20 + $0, &random) })
        }
        try writer.commit()
        let reader = try IndexReader.open(directory: dir.path)
        #expect(reader.documentCount == 6000, "seed \(seed)")
        #expect(reader.segments.count > 1, "seed \(seed): the budget is reached at all")
        #expect(reader.segments.count <= 30, "seed \(seed): \(reader.segments.count) segments for 300 adds")
    }

    @Test("a raised RAM budget flushes the same documents in fewer segments; lowered, it flushes again (seeded)")
    func adjustedBudget() throws {
        let seed = SplitMix64.testSeed()
        var segmentCounts: [Int] = []
        var titlesByRun: [[String: String]] = []
        for raised in [false, true] {
            let dir = try TemporaryDirectory()
            var random = SplitMix64(seed: seed)
            let options = IndexWriterOptions(ramBudgetBytes: 1 << 20, mergesInBackground: false)
            let writer = try IndexWriter(directory: dir.path, schema: Self.schema, options: options)
            if raised { writer.ramBudgetBytes = 256 << 20 }
            let titles = try Self.addBatches(0..<30, to: writer, &random)
            try writer.commit()
            let reader = try IndexReader.open(directory: dir.path)
            #expect(reader.documentCount == 9000, "seed \(seed)")
            try Self.checkPostings(reader, texts: titles, field: "title")
            segmentCounts.append(reader.segments.count)
            titlesByRun.append(titles)
            if raised {
                // Back to 1 MiB: the buffers are released and the next 9,000 documents flush as before.
                writer.ramBudgetBytes = 1 << 20
                _ = try Self.addBatches(30..<60, to: writer, &random)
                try writer.commit()
                let lowered = try IndexReader.open(directory: dir.path)
                #expect(lowered.documentCount == 18000, "seed \(seed)")
                #expect(lowered.segments.count > 2, "seed \(seed): the lowered budget flushes again")
            }
        }
        #expect(titlesByRun[0] == titlesByRun[1], "seed \(seed): both runs indexed the same documents")
        #expect(segmentCounts[0] > 2, "seed \(seed): 1 MiB flushes several segments")
        #expect(segmentCounts[1] == 1, "seed \(seed): 256 MiB holds the 9,000 documents in one")
    }

    @Test("one writer per directory; reopening keeps committed segments and refuses another schema")
    func reopen() throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix64(seed: 3)
        do {
            let writer = try IndexWriter(
                directory: dir.path, schema: Self.schema, options: .init(mergesInBackground: false))
            #expect(throws: IndexError.locked(directory: dir.path)) {
                _ = try IndexWriter(directory: dir.path, schema: Self.schema)
            }
            try writer.add((0..<20).map { Self.document($0, &random) })
            try writer.commit(userData: ["outbox": "20"])
            try writer.add((20..<40).map { Self.document($0, &random) })  // never committed
        }
        let writer = try IndexWriter(
            directory: dir.path, schema: Self.schema, options: .init(mergesInBackground: false))
        #expect(writer.userData == ["outbox": "20"])
        #expect(try IndexReader.open(directory: dir.path).documentCount == 20)
        let other = try Schema(fields: [.init("id", .keyword(stored: true, multiValued: false))], idField: "id")
        withExtendedLifetime(writer) {}
        _ = consume writer
        #expect(throws: IndexError.self) { _ = try IndexWriter(directory: dir.path, schema: other) }
        // No file of the uncommitted documents is left behind.
        let reader = try IndexReader.open(directory: dir.path)
        let expected = Set(reader.segments.map(\.id.description))
        let stems = Set(
            try FileSystem.listDirectory(dir.path).compactMap { name -> String? in
                name.count > 32 && SegmentID(name.prefix(32)) != nil ? String(name.prefix(32)) : nil
            })
        #expect(stems == expected)
    }
}
