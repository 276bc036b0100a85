import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("the .norms file")
struct FieldNormsTests {
    let segment = SegmentID(high: 7, low: 11)

    @Test("norms of several fields round-trip byte for byte; absent fields and docs read as nil and 0")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let docCount = 1000
        var writer = FieldNormsWriter(docCount: docCount)
        var expected: [UInt32: [UInt8]] = [:]
        for field: UInt32 in [9, 2, 40] {
            var norms = [UInt8](repeating: 0, count: docCount)
            for doc in 0..<docCount where random.next() % 4 != 0 {
                let length = UInt32(random.next() % 5000)
                writer.setLength(length, field: field, doc: UInt32(doc))
                norms[doc] = SmallFloat.intToByte4(length)
            }
            expected[field] = norms
        }
        let path = dir.path("a.norms")
        try writer.write(to: path, segment: segment, sync: false)

        let reader = try FieldNormsReader(path: path, segment: segment)
        #expect(reader.docCount == docCount)
        #expect(reader.fieldNumbers == [2, 9, 40])
        #expect(reader.norms(field: 3) == nil)
        for (field, norms) in expected {
            let read = try #require(reader.norms(field: field))
            #expect(Array(read.bytes) == norms, "seed \(seed), field \(field)")
            #expect(read[UInt32(docCount - 1)] == norms[docCount - 1])
            #expect(read.length(doc: 5) == SmallFloat.byte4ToInt(norms[5]))
        }
    }

    @Test("a segment without documents or without text fields still opens")
    func empty() throws {
        let dir = try TemporaryDirectory()
        for docCount in [0, 3] {
            let path = dir.path("e\(docCount).norms")
            try FieldNormsWriter(docCount: docCount).write(to: path, segment: segment, sync: false)
            let reader = try FieldNormsReader(path: path, segment: segment)
            #expect(reader.fieldNumbers.isEmpty)
            #expect(reader.docCount == docCount)
        }
        let path = dir.path("z.norms")
        var writer = FieldNormsWriter(docCount: 0)
        writer.setNorms([], field: 1)
        try writer.write(to: path, segment: segment, sync: false)
        #expect(try FieldNormsReader(path: path, segment: segment).norms(field: 1)?.count == 0)
    }

    @Test("a flipped byte anywhere or a truncation is an IndexError")
    func damage() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("d.norms")
        var writer = FieldNormsWriter(docCount: 50)
        writer.setNorms((0..<50).map { UInt8($0) }, field: 1)
        try writer.write(to: path, segment: segment, sync: false)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for position in stride(from: 0, to: original.count, by: 7) {
            var damaged = original
            damaged[position] ^= 0x04
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "flip at \(position)") {
                _ = try FieldNormsReader(path: path, segment: segment)
            }
        }
        for keep in [0, 30, original.count - 1] {
            try original.prefix(keep).write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "truncated to \(keep)") {
                _ = try FieldNormsReader(path: path, segment: segment)
            }
        }
    }

    /// Writes a correctly framed `.norms` file whose body is `body`.
    func craft(_ body: [UInt8], in dir: TemporaryDirectory) throws -> String {
        let path = dir.path("c.norms")
        let output = try IndexOutput(path: path, kind: .fieldNorms, segment: segment)
        output.writeBytes(body)
        try output.finish(sync: false)
        return path
    }

    @Test("a body whose size disagrees with its counts, or unordered fields, is corrupt")
    func craftedCorruption() throws {
        let dir = try TemporaryDirectory()
        func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        let short = try craft(le32(10) + le32(1) + le32(3) + [1, 2, 3], in: dir)
        #expect(throwsCorrupt(file: "c.norms") { try FieldNormsReader(path: short, segment: segment) })
        let unordered = try craft(le32(1) + le32(2) + le32(5) + le32(5) + [1, 2], in: dir)
        #expect(throwsCorrupt(file: "c.norms") { try FieldNormsReader(path: unordered, segment: segment) })
        let noCounts = try craft([1, 2, 3], in: dir)
        #expect(throws: IndexError.self) { _ = try FieldNormsReader(path: noCounts, segment: segment) }
    }
}
