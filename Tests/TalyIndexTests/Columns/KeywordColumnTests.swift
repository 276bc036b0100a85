import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("keyword columns in the .cols file")
struct KeywordColumnTests {
    let segment = SegmentID(high: 3, low: 5)

    /// Random per-doc value sets over a vocabulary of `vocabulary` words, some docs empty.
    func randomDocs(count: Int, vocabulary: Int, maxPerDoc: Int, using random: inout SplitMix64) -> [[[UInt8]]] {
        let words = (0..<vocabulary).map { index -> [UInt8] in
            // Varied lengths, shared prefixes and one empty value exercise the dictionary order.
            index == 0 ? [] : Array("v\(index % 7)-\(index)".utf8) + [UInt8(index % 256)]
        }
        return (0..<count).map { _ in
            (0..<Int.random(in: 0...maxPerDoc, using: &random)).map { _ in
                words[Int.random(in: 0..<vocabulary, using: &random)]
            }
        }
    }

    func write(_ docs: [[[UInt8]]], field: UInt32, in dir: TemporaryDirectory) throws -> ColumnsReader {
        var builder = KeywordColumnBuilder(field: field)
        for (doc, values) in docs.enumerated() {
            for value in values { builder.add(value, doc: UInt32(doc)) }
        }
        let path = dir.path("k\(field).cols")
        let writer = try ColumnsWriter(path: path, segment: segment, docCount: docs.count)
        try writer.add(builder)
        try writer.finish(sync: false)
        return try ColumnsReader(path: path, segment: segment)
    }

    func check(_ column: KeywordColumn, against docs: [[[UInt8]]], seed: UInt64) {
        let distinct = Set(docs.joined()).sorted { $0.lexicographicallyPrecedes($1) }
        #expect(column.valueCount == distinct.count, "seed \(seed)")
        for (ordinal, value) in distinct.enumerated() {
            #expect(column.valueBytes(forOrdinal: ordinal) == value, "seed \(seed)")
            #expect(column.ordinal(forValue: value) == UInt32(ordinal), "seed \(seed)")
        }
        #expect(column.ordinal(forValue: Array("absent value".utf8)) == nil)
        #expect(column.ordinal(forValue: [0xFF, 0xFF]) == nil)
        var expectedCounts = [UInt32](repeating: 0, count: distinct.count)
        for (doc, values) in docs.enumerated() {
            let ordinals = Array(column.ordinals(UInt32(doc)))
            let expected = Set(values).map { UInt32(distinct.firstIndex(of: $0)!) }.sorted()
            #expect(ordinals == expected, "seed \(seed), doc \(doc)")
            #expect(column.ordinal(UInt32(doc)) == expected.first)
            for ordinal in expected { expectedCounts[Int(ordinal)] += 1 }
        }
        var counts = [UInt32](repeating: 0, count: distinct.count)
        column.countOrdinals(docs: 0..<UInt32(docs.count), into: &counts)
        #expect(counts == expectedCounts, "seed \(seed)")
    }

    @Test("a single-valued column (some docs missing) round-trips ordinals, values and facet counts")
    func singleValued() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        for (count, vocabulary) in [(1, 1), (500, 3), (3000, 300), (2000, 2000)] {
            let docs = randomDocs(count: count, vocabulary: vocabulary, maxPerDoc: 1, using: &random)
            let column = try #require(try write(docs, field: 4, in: dir).keywordColumn(field: 4))
            #expect(!column.isMultiValued)
            check(column, against: docs, seed: seed)
        }
    }

    @Test("a multi-valued column keeps each doc's values as a sorted set, duplicates collapsed")
    func multiValued() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        for (count, vocabulary) in [(2, 2), (800, 5), (3000, 1000)] {
            var docs = randomDocs(count: count, vocabulary: vocabulary, maxPerDoc: 4, using: &random)
            docs[0] = [Array("b".utf8), Array("a".utf8), Array("b".utf8)]  // forces the multi layout
            let column = try #require(try write(docs, field: 1, in: dir).keywordColumn(field: 1))
            #expect(column.isMultiValued)
            check(column, against: docs, seed: seed)
        }
    }

    @Test("a column where no document has a value has an empty dictionary")
    func allMissing() throws {
        let dir = try TemporaryDirectory()
        let docs = [[[UInt8]]](repeating: [], count: 10)
        let column = try #require(try write(docs, field: 2, in: dir).keywordColumn(field: 2))
        #expect(column.valueCount == 0)
        #expect(column.ordinals(9).isEmpty)
        #expect(column.ordinal(forValue: [1]) == nil)
    }

    @Test("facet counting over a subset of docs counts only those docs")
    func subsetCounts() throws {
        let dir = try TemporaryDirectory()
        let docs: [[[UInt8]]] = ["red", "blue", "", "red", "green"].map { $0.isEmpty ? [] : [Array($0.utf8)] }
        let column = try #require(try write(docs, field: 8, in: dir).keywordColumn(field: 8))
        var counts = [UInt32](repeating: 0, count: column.valueCount)
        column.countOrdinals(docs: [0, 2, 3], into: &counts)
        #expect(counts[Int(column.ordinal(forValue: "red")!)] == 2)
        #expect(counts.reduce(0, +) == 2)
        #expect(String(decoding: column.value(forOrdinal: 0), as: UTF8.self) == "blue")
    }
}
