import Foundation
import Synchronization
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("a segment's id filter", .serialized)
struct SegmentIDFilterTests {
    /// The writer's segments as it holds them (filters included).
    static func writerSegments(_ writer: IndexWriter) -> [WriterSegment] { writer.state.withLock { $0.segments } }

    static func hash(_ id: String) -> UInt64 { Array(id.utf8).withUnsafeBytes { TermHash.hash($0) } }

    @Test("holds every id of its segment, deleted ones too, and rules out nearly all others (seeded)")
    func membership() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let writer = try IndexWriter(
            directory: dir.path, schema: IndexWriterTests.schema,
            options: IndexWriterOptions(mergesInBackground: false))
        var added: [String] = []
        for _ in 0..<Int.random(in: 500...3000, using: &random) {
            // Ids of any length, sharing prefixes, as a catalog's are.
            let id = "p\(random.next() % 1_000_000)-\(String(repeating: "x", count: Int(random.next() % 20)))"
            added.append(id)
        }
        _ = try writer.add(added.map { Document(["id": .keyword([$0]), "price": .int64(1)]) })
        for id in added.prefix(50) { writer.delete(id: id) }
        try writer.commit()
        let segments = Self.writerSegments(writer)
        #expect(segments.count == 1, "seed \(seed)")
        let filter = try #require(segments.first?.idFilter, "seed \(seed): a flushed segment has a filter")
        for id in added { #expect(filter.mayContain(hash: Self.hash(id)), "seed \(seed): \(id)") }
        let known = Set(added)
        var falsePositives = 0
        var absent = 0
        for _ in 0..<20_000 {
            let id = "q\(random.next())"
            guard !known.contains(id) else { continue }
            absent += 1
            if filter.mayContain(hash: Self.hash(id)) { falsePositives += 1 }
        }
        // 16 bits and 3 bits per id in 64-bit blocks: ~0.5–1% in theory; 3% is a broken filter.
        #expect(falsePositives * 100 < absent * 3, "seed \(seed): \(falsePositives) of \(absent)")
    }

    @Test("replacing and deleting ids held by flushed and by merged segments leaves one copy each (seeded)")
    func replacesAcrossFlushedAndMergedSegments() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let writer = try IndexWriter(
            directory: dir.path, schema: IndexWriterTests.schema,
            options: IndexWriterOptions(ramBudgetBytes: 1 << 20, mergesInBackground: false))
        var model: [Int: Int] = [:]
        var version = 0
        func add(_ ids: [Int]) throws {
            var documents: [Document] = []
            for id in ids {
                version += 1
                documents.append(IndexWriterTests.document(id, &random, version: version % 100))
                model[id] = version % 100
            }
            try writer.add(documents)
        }
        // Several committed segments, then merged into one: the merged segment's filter is built
        // from its dictionary, the flushed ones' from theirs.
        for batch in 0..<4 { try add(Array(batch * 200..<(batch + 1) * 200)) }
        try writer.commit()
        try add(Array(800..<1000))
        try writer.commit()
        try writer.forceMerge(maximumSegments: 1)
        try add(Array(1000..<1200))
        try writer.commit()
        #expect(Self.writerSegments(writer).allSatisfy { $0.idFilter != nil }, "seed \(seed)")
        // Random replaces and deletes over every id, old and new, across a few commits.
        for _ in 0..<6 {
            var ids: [Int] = []
            for _ in 0..<Int.random(in: 1...150, using: &random) { ids.append(Int(random.next() % 1300)) }
            try add(ids)
            for _ in 0..<Int.random(in: 0...20, using: &random) {
                let id = Int(random.next() % 1300)
                writer.delete(id: "doc-\(id)")
                model[id] = nil
            }
            try writer.commit()
        }
        let reader = try IndexReader.open(directory: dir.path)
        #expect(reader.documentCount == model.count, "seed \(seed)")
        for id in 0..<1300 {
            let price = try reader.document(withID: "doc-\(id)")?["price"]
            #expect(price == model[id].map { .int64(Int64(id) * 100 + Int64($0)) }, "seed \(seed): doc-\(id)")
        }
    }
}
