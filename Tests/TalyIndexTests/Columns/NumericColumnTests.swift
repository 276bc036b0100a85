import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("numeric columns in the .cols file")
struct NumericColumnTests {
    let segment = SegmentID(high: 9, low: 1)

    func write(
        _ docs: [[Int64]], type: NumericValueType = .int64, in dir: TemporaryDirectory, name: String = "n"
    ) throws -> (ColumnsReader, Int) {
        var builder = NumericColumnBuilder(field: 6, valueType: type)
        for (doc, values) in docs.enumerated() {
            for value in values { builder.add(value, doc: UInt32(doc)) }
        }
        let path = dir.path("\(name).cols")
        let writer = try ColumnsWriter(path: path, segment: segment, docCount: docs.count)
        try writer.add(builder)
        try writer.finish(sync: false)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        return (try ColumnsReader(path: path, segment: segment), size)
    }

    func check(_ column: NumericColumn, against docs: [[Int64]], seed: UInt64) {
        for (doc, values) in docs.enumerated() {
            let sorted = values.sorted()
            #expect(Array(column.values(UInt32(doc))) == sorted, "seed \(seed), doc \(doc)")
            #expect(column.value(UInt32(doc)) == sorted.first, "seed \(seed), doc \(doc)")
            #expect(column.hasValue(UInt32(doc)) == !values.isEmpty)
        }
        #expect(column.minValue == docs.joined().min())
        #expect(column.maxValue == docs.joined().max())
    }

    @Test(
        "random Int64 columns round-trip: dense, sparse and multi-valued, narrow to full 64-bit ranges",
        arguments: [(0.0, 1), (0.3, 1), (0.2, 4)])
    func randomColumns(missingRate: Double, maxPerDoc: Int) throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let ranges: [ClosedRange<Int64>] = [-5...5, -1_000_000...(-900_000), 0...(1 << 40), Int64.min...Int64.max]
        for (index, range) in ranges.enumerated() {
            let docs = (0..<2000).map { _ -> [Int64] in
                guard Double.random(in: 0..<1, using: &random) >= missingRate else { return [] }
                return (0..<Int.random(in: 1...maxPerDoc, using: &random)).map { _ in
                    Int64.random(in: range, using: &random)
                }
            }
            let (reader, _) = try write(docs, in: dir, name: "r\(index)")
            let column = try #require(reader.numericColumn(field: 6))
            #expect(column.isMultiValued == docs.contains { $0.count > 1 })
            check(column, against: docs, seed: seed)
        }
    }

    @Test("extremes round-trip: Int64.min and Int64.max in one column")
    func extremes() throws {
        let dir = try TemporaryDirectory()
        let docs: [[Int64]] = [[Int64.max], [Int64.min], [], [0], [-1]]
        let column = try #require(try write(docs, in: dir).0.numericColumn(field: 6))
        check(column, against: docs, seed: 0)
    }

    @Test("a constant column costs no bits per document")
    func constant() throws {
        let dir = try TemporaryDirectory()
        let (small, smallSize) = try write(Array(repeating: [42], count: 10), in: dir, name: "a")
        let (_, largeSize) = try write(Array(repeating: [42], count: 100_000), in: dir, name: "b")
        #expect(largeSize - smallSize < 16, "\(largeSize) vs \(smallSize) bytes")
        #expect(small.numericColumn(field: 6)?.value(9) == 42)
    }

    @Test("a column where no document has a value reads nil everywhere")
    func allMissing() throws {
        let dir = try TemporaryDirectory()
        let column = try #require(try write(Array(repeating: [], count: 100), in: dir).0.numericColumn(field: 6))
        #expect(column.value(99) == nil)
        #expect(column.values(0).isEmpty)
        #expect(column.minValue == nil)
    }

    @Test("dates in epoch milliseconds on whole seconds pack by their gcd and round-trip")
    func dates() throws {
        let dir = try TemporaryDirectory()
        let base: Int64 = 1_700_000_000_000
        let docs: [[Int64]] = (0..<1000).map { [base + Int64($0 * 7 % 1000) * 86_400_000] }
        let (reader, _) = try write(docs, type: .date, in: dir)
        let column = try #require(reader.numericColumn(field: 6))
        #expect(column.valueType == .date)
        check(column, against: docs, seed: 0)
    }

    @Test("doubles round-trip bit for bit, order follows numeric order, -0.0 < +0.0, NaN is canonical and last")
    func doubles() throws {
        let dir = try TemporaryDirectory()
        let specials: [Double] = [
            -.infinity, -Double.greatestFiniteMagnitude, -1.5, -Double.leastNonzeroMagnitude, -0.0, 0.0,
            Double.leastNonzeroMagnitude, 1e-300, 3.25, .greatestFiniteMagnitude, .infinity,
        ]
        var builder = NumericColumnBuilder(field: 6, valueType: .double)
        for (doc, value) in specials.enumerated() { builder.add(double: value, doc: UInt32(doc)) }
        let signallingNaN = Double(bitPattern: 0x7FF0_0000_0000_0001)
        builder.add(double: signallingNaN, doc: UInt32(specials.count))
        let path = dir.path("d.cols")
        let writer = try ColumnsWriter(path: path, segment: segment, docCount: specials.count + 2)
        try writer.add(builder)
        try writer.finish(sync: false)
        let column = try #require(try ColumnsReader(path: path, segment: segment).numericColumn(field: 6))
        for (doc, value) in specials.enumerated() {
            #expect(column.doubleValue(UInt32(doc))?.bitPattern == value.bitPattern, "doc \(doc)")
            if doc > 0 { #expect(column.value(UInt32(doc))! > column.value(UInt32(doc - 1))!) }
        }
        let nan = try #require(column.doubleValue(UInt32(specials.count)))
        #expect(nan.bitPattern == Double.nan.bitPattern)
        #expect(column.value(UInt32(specials.count))! > column.value(UInt32(specials.count - 2))!)
        #expect(column.doubleValue(UInt32(specials.count + 1)) == nil)
    }

    @Test("keyword and numeric columns of several fields share one file, zero-document segments too")
    func severalColumns() throws {
        let dir = try TemporaryDirectory()
        for docCount in [0, 3] {
            let path = dir.path("m\(docCount).cols")
            let writer = try ColumnsWriter(path: path, segment: segment, docCount: docCount)
            var numeric = NumericColumnBuilder(field: 20, valueType: .int64)
            var keyword = KeywordColumnBuilder(field: 10)
            if docCount > 0 {
                numeric.add(-7, doc: 2)
                keyword.add("x", doc: 0)
            }
            try writer.add(numeric)
            try writer.add(keyword)
            try writer.finish(sync: false)
            let reader = try ColumnsReader(path: path, segment: segment)
            #expect(reader.fieldNumbers == [10, 20])
            #expect(reader.keywordColumn(field: 20) == nil)
            #expect(reader.numericColumn(field: 10) == nil)
            if docCount > 0 {
                #expect(reader.numericColumn(field: 20)?.value(2) == -7)
                #expect(reader.numericColumn(field: 20)?.value(1) == nil)
                #expect(reader.keywordColumn(field: 10)?.ordinal(0) == 0)
            }
        }
    }
}
