import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("damaged .cols files")
struct ColumnsCorruptionTests {
    let segment = SegmentID(high: 1, low: 1)

    @Test("a flipped byte anywhere or a truncation is an IndexError")
    func damage() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("a.cols")
        let writer = try ColumnsWriter(path: path, segment: segment, docCount: 40)
        var keyword = KeywordColumnBuilder(field: 1)
        var numeric = NumericColumnBuilder(field: 2, valueType: .int64)
        for doc: UInt32 in 0..<40 {
            keyword.add("k\(doc % 6)", doc: doc)
            if doc % 3 == 0 { keyword.add("z", doc: doc) }
            numeric.add(Int64(doc) * 1000 - 7, doc: doc)
        }
        try writer.add(keyword)
        try writer.add(numeric)
        try writer.finish(sync: false)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for position in stride(from: 0, to: original.count, by: 5) {
            var damaged = original
            damaged[position] ^= 0x20
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "flip at \(position)") {
                _ = try ColumnsReader(path: path, segment: segment)
            }
        }
        for keep in [0, 39, 100, original.count - 1] {
            try original.prefix(keep).write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "truncated to \(keep)") {
                _ = try ColumnsReader(path: path, segment: segment)
            }
        }
    }

    /// Writes a correctly framed `.cols` file of `docCount` docs: `data` (column sections at body
    /// offset 0), then `descriptors` as the directory, then the trailer.
    func craft(
        data: [UInt8], descriptors: [ColumnDescriptor], docCount: Int, in dir: TemporaryDirectory
    ) throws -> String {
        let path = dir.path("c.cols")
        let output = try IndexOutput(path: path, kind: .columns, segment: segment)
        output.writeBytes(data)
        for descriptor in descriptors { descriptor.write(to: output) }
        output.writeUInt64(UInt64(data.count))
        output.writeUInt32(UInt32(descriptors.count))
        output.writeUInt32(UInt32(docCount))
        try output.finish(sync: false)
        return path
    }

    func packed(_ values: [UInt64], width: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        PackedInts.pack(values, bitWidth: width, appendingTo: &bytes)
        return bytes
    }

    /// A single-layout keyword column over dictionary "a", "b" with the given per-doc stored values.
    func keyword(
        dictionary: [UInt8] = Array("ab".utf8), starts: [UInt64] = [0, 1, 2], perDoc: [UInt64], width: Int = 2
    ) -> ([UInt8], ColumnDescriptor) {
        let startsBytes = packed(starts, width: 2)
        let ordinals = packed(perDoc, width: width)
        let data = dictionary + startsBytes + ordinals
        let descriptor = KeywordDescriptor(
            field: 1, layout: .single, valueCount: starts.count - 1, dictionaryOffset: 0,
            dictionaryLength: dictionary.count,
            dictionaryStarts: PackedSection(offset: dictionary.count, bitWidth: 2, count: starts.count),
            docStarts: nil,
            ordinals: PackedSection(offset: dictionary.count + startsBytes.count, bitWidth: width, count: perDoc.count))
        return (data, .keyword(descriptor))
    }

    @Test("a well-formed crafted column opens, so the corrupt variants below fail for their own reason")
    func craftedBaseline() throws {
        let dir = try TemporaryDirectory()
        let (data, descriptor) = keyword(perDoc: [1, 0, 2])
        let reader = try ColumnsReader(
            path: try craft(data: data, descriptors: [descriptor], docCount: 3, in: dir), segment: segment)
        #expect(reader.keywordColumn(field: 1)?.ordinal(2) == 1)
    }

    @Test("an ordinal past the dictionary is corrupt")
    func ordinalOutOfRange() throws {
        let dir = try TemporaryDirectory()
        let (data, descriptor) = keyword(perDoc: [1, 3, 2])
        let path = try craft(data: data, descriptors: [descriptor], docCount: 3, in: dir)
        #expect(throwsCorrupt(file: "c.cols") { try ColumnsReader(path: path, segment: segment) })
    }

    @Test("an unsorted or duplicated dictionary is corrupt")
    func unsortedDictionary() throws {
        let dir = try TemporaryDirectory()
        for dictionary in ["ba", "aa"] {
            let (data, descriptor) = keyword(dictionary: Array(dictionary.utf8), perDoc: [1, 0, 2])
            let path = try craft(data: data, descriptors: [descriptor], docCount: 3, in: dir)
            #expect(throwsCorrupt(file: "c.cols") { try ColumnsReader(path: path, segment: segment) })
        }
    }

    @Test("dictionary offsets that go backwards or overrun are corrupt")
    func badDictionaryOffsets() throws {
        let dir = try TemporaryDirectory()
        for starts: [UInt64] in [[0, 2, 1], [0, 1, 3], [1, 1, 2]] {
            let (data, descriptor) = keyword(starts: starts, perDoc: [1, 0, 2])
            let path = try craft(data: data, descriptors: [descriptor], docCount: 3, in: dir)
            #expect(throwsCorrupt(file: "c.cols") { try ColumnsReader(path: path, segment: segment) })
        }
    }

    @Test("a section past the column data, a wrong value count or a bit width above 64 is corrupt")
    func badSections() throws {
        let dir = try TemporaryDirectory()
        let (data, descriptor) = keyword(perDoc: [1, 0, 2])
        guard case .keyword(let good) = descriptor else { return }
        var past = good
        past.ordinals.offset = data.count - 2
        var wrongCount = good
        wrongCount.ordinals.count = 2
        var wide = good
        wide.ordinals.bitWidth = 65
        for bad in [past, wrongCount, wide] {
            let path = try craft(data: data, descriptors: [.keyword(bad)], docCount: 3, in: dir)
            #expect(throwsCorrupt(file: "c.cols") { try ColumnsReader(path: path, segment: segment) })
        }
    }

    @Test("multi-valued doc offsets that go backwards, or unsorted ordinals within a doc, are corrupt")
    func badMultiValued() throws {
        let dir = try TemporaryDirectory()
        for (docStarts, ordinals): ([UInt64], [UInt64]) in [([0, 2, 1, 3], [0, 1, 1]), ([0, 2, 2, 3], [1, 0, 1])] {
            let dictionary = Array("ab".utf8)
            let startsBytes = packed([0, 1, 2], width: 2)
            let docBytes = packed(docStarts, width: 2)
            let ordinalBytes = packed(ordinals, width: 1)
            let descriptor = KeywordDescriptor(
                field: 1, layout: .multi, valueCount: 2, dictionaryOffset: 0, dictionaryLength: 2,
                dictionaryStarts: PackedSection(offset: 2, bitWidth: 2, count: 3),
                docStarts: PackedSection(offset: 2 + startsBytes.count, bitWidth: 2, count: 4),
                ordinals: PackedSection(offset: 2 + startsBytes.count + docBytes.count, bitWidth: 1, count: 3))
            let path = try craft(
                data: dictionary + startsBytes + docBytes + ordinalBytes, descriptors: [.keyword(descriptor)],
                docCount: 3, in: dir)
            #expect(throwsCorrupt(file: "c.cols") { try ColumnsReader(path: path, segment: segment) })
        }
    }

    @Test("a numeric column with gcd 0 or min above max, a trailer pointing outside, or duplicate fields is corrupt")
    func badNumericAndDirectory() throws {
        let dir = try TemporaryDirectory()
        let values = packed([1, 2, 3], width: 2)
        let good = NumericDescriptor(
            field: 2, valueType: .int64, layout: .dense, minValue: 0, maxValue: 3, gcd: 1, presenceOffset: nil,
            docStarts: nil, values: PackedSection(offset: 0, bitWidth: 2, count: 3))
        var zeroGCD = good
        zeroGCD.gcd = 0
        var inverted = good
        inverted.minValue = 5
        for bad in [[ColumnDescriptor.numeric(zeroGCD)], [.numeric(inverted)], [.numeric(good), .numeric(good)]] {
            let path = try craft(data: values, descriptors: bad, docCount: 3, in: dir)
            #expect(throwsCorrupt(file: "c.cols") { try ColumnsReader(path: path, segment: segment) })
        }
        let path = dir.path("t.cols")
        let output = try IndexOutput(path: path, kind: .columns, segment: segment)
        output.writeUInt64(1000)
        output.writeUInt32(0)
        output.writeUInt32(0)
        try output.finish(sync: false)
        #expect(throwsCorrupt(file: "t.cols") { try ColumnsReader(path: path, segment: segment) })
    }
}
