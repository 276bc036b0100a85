import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("merging segments", .serialized)
struct MergeTests {
    typealias Fixture = IndexWriterTests

    @Test("a forced merge keeps every live document, drops deleted ones physically, and keeps postings and columns")
    func forceMerge() throws {
        try withTestSeed { seed in
            let dir = try TemporaryDirectory()
            var random = SplitMix64(seed: seed)
            let options = IndexWriterOptions(ramBudgetBytes: 1 << 20, indexingThreads: 2, mergesInBackground: false)
            let writer = try IndexWriter(directory: dir.path, schema: Fixture.schema, options: options)
            var model: [String: Document] = [:]
            for batch in 0..<12 {
                let documents = (0..<400).map { Fixture.document(batch * 400 + $0, &random) }
                try writer.add(documents)
                for document in documents {
                    if case .keyword(let ids)? = document["id"] { model[ids[0]] = document }
                }
                try writer.commit()
            }
            for _ in 0..<500 {
                let id = "doc-\(Int.random(in: 0..<4800, using: &random))"
                writer.delete(id: id)
                model[id] = nil
            }
            try writer.commit()
            let before = try IndexReader.open(directory: dir.path)
            #expect(before.segments.count > 1, "seed \(seed)")

            try writer.forceMerge(maximumSegments: 1)
            let after = try IndexReader.open(directory: dir.path)
            #expect(after.segments.count == 1, "seed \(seed)")
            #expect(
                after.segments[0].documentCount == UInt32(model.count),
                "deleted documents are gone from the merged segment"
            )
            #expect(after.documentCount == model.count)

            var titles: [String: String] = [:]
            for (id, document) in model {
                let stored = try #require(try after.document(withID: id), "seed \(seed): \(id) lost")
                #expect(stored["title"] == document["title"] && stored["price"] == document["price"])
                if case .text(let title)? = document["title"] { titles[id] = title }
            }
            try Fixture.checkPostings(after, texts: titles, field: "title")

            // Columns follow their documents through the merge.
            let segment = after.segments[0]
            let prices = try #require(segment.columns.numericColumn(field: 4))
            let tags = try #require(segment.columns.keywordColumn(field: 3))
            for document in 0..<segment.documentCount {
                let stored = try segment.storedFields(document)
                #expect(stored["price"] == prices.value(document).map { .int64($0) })
                let values = tags.ordinals(document).map {
                    String(decoding: tags.value(forOrdinal: Int($0)), as: UTF8.self)
                }
                if case .keyword(let expected)? = stored["tags"] {
                    #expect(values == Array(Set(expected)).sorted())
                } else {
                    #expect(values.isEmpty)
                }
            }

            // The reader opened before the merge still reads every document of its snapshot.
            #expect(try FileSystem.listDirectory(dir.path).count < before.segments.count * 7)
            for segment in before.segments {
                for document in 0..<segment.documentCount where segment.isLive(document) {
                    _ = try segment.storedFields(document)
                }
            }
        }
    }

    @Test("a writer released while its background merge runs is closed by that merge, without waiting on itself")
    func releasedDuringBackgroundMerge() throws {
        try withTestSeed { seed in
            var random = SplitMix64(seed: seed)
            let policy = MergePolicy(
                mergeFactor: 2, floorDocuments: 10, maximumMergedDocuments: .max, deletesToReclaim: 0.3)
            let options = IndexWriterOptions(mergePolicy: policy, mergesInBackground: true)
            var directories: [TemporaryDirectory] = []
            for _ in 0..<30 {
                let dir = try TemporaryDirectory()
                directories.append(dir)
                // The last commit schedules a merge; the writer goes away at once, so the merge often
                // holds the last reference and runs the writer's deinit on the merge queue.
                let writer = try IndexWriter(directory: dir.path, schema: Fixture.schema, options: options)
                for batch in 0..<3 {
                    try writer.add((0..<50).map { Fixture.document(batch * 50 + $0, &random) })
                    try writer.commit()
                }
            }
            for dir in directories {
                #expect(try IndexReader.open(directory: dir.path).documentCount == 150, "seed \(seed)")
            }
        }
    }

    @Test("background merges under a stream of adds, replaces and deletes never lose or resurrect a document (seeded)")
    func backgroundMergesWithUpdates() throws {
        try withTestSeed { seed in
            let dir = try TemporaryDirectory()
            var random = SplitMix64(seed: seed)
            let policy = MergePolicy(
                mergeFactor: 3, floorDocuments: 10, maximumMergedDocuments: .max, deletesToReclaim: 0.3)
            let options = IndexWriterOptions(
                ramBudgetBytes: 1 << 20, indexingThreads: 2, mergePolicy: policy, mergesInBackground: true)
            var model: [String: Int64] = [:]
            do {
                let writer = try IndexWriter(directory: dir.path, schema: Fixture.schema, options: options)
                for round in 0..<(TestEnvironment.longTests ? 200 : 40) {
                    var batch: [Document] = []
                    for _ in 0..<Int.random(in: 1...120, using: &random) {
                        let id = Int.random(in: 0..<600, using: &random)
                        let version = round * 1000 + batch.count
                        batch.append(Fixture.document(id, &random, version: version))
                        model["doc-\(id)"] = Int64(id) * 100 + Int64(version)
                    }
                    try writer.add(batch)
                    for _ in 0..<Int.random(in: 0...10, using: &random) {
                        let id = "doc-\(Int.random(in: 0..<600, using: &random))"
                        writer.delete(id: id)
                        model[id] = nil
                    }
                    if round % 3 == 0 { try writer.commit() }
                }
                try writer.commit()
                writer.waitForMerges()
                try writer.commit()
            }
            let reader = try IndexReader.open(directory: dir.path)
            #expect(reader.documentCount == model.count, "seed \(seed)")
            for (id, price) in model {
                #expect(try reader.document(withID: id)?["price"] == .int64(price), "seed \(seed): \(id)")
            }
            // Every live document is in the model: nothing deleted came back.
            for segment in reader.segments {
                for document in 0..<segment.documentCount where segment.isLive(document) {
                    guard case .keyword(let ids)? = try segment.storedFields(document)["id"] else { continue }
                    #expect(model[ids[0]] != nil, "seed \(seed): \(ids[0]) resurrected")
                }
            }
        }
    }
}
