import CTalyChecksum
import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("the common index file frame")
struct IndexFileTests {
    let segment = SegmentID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)

    /// Writes a file of `kind` whose body holds a few values of every width and returns its path.
    func writeSample(in dir: TemporaryDirectory, kind: IndexFileKind = .postings) throws -> String {
        let path = dir.path("sample.\(kind.fileExtension)")
        let output = try IndexOutput(path: path, kind: kind, segment: segment)
        output.writeUInt8(7)
        output.writeUInt16(0xBEEF)
        output.writeUInt32(0xDEAD_BEEF)
        output.writeUInt64(UInt64.max - 1)
        output.writeVarUInt64(300)
        output.writeVarUInt64(UInt64.max)
        output.writeString("héllo")
        output.writeBytes(Array(repeating: 0xAB, count: 100_000))  // crosses the buffer size
        try output.finish(sync: true)
        return path
    }

    @Test("CRC-32C matches the standard check value, in hardware and in software")
    func crcCheckValue() {
        let check = Array("123456789".utf8)
        #expect(taly_crc32c_update(0, check, check.count) == 0xE306_9283)
        #expect(taly_crc32c_update_software(0, check, check.count) == 0xE306_9283)
    }

    @Test("hardware and table CRC agree on random lengths and split points (seeded)")
    func crcPathsAgree() {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...3000, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            let split = Int.random(in: 0...bytes.count, using: &random)
            let whole = taly_crc32c_update_software(0, bytes, bytes.count)
            let pieces = bytes.withUnsafeBytes { raw in
                taly_crc32c_update(
                    taly_crc32c_update(0, raw.baseAddress, split), raw.baseAddress! + split, bytes.count - split)
            }
            #expect(whole == pieces, "seed \(seed)")
        }
    }

    @Test("a written file reads back value for value, with offsets counted from the file start")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let file = try IndexFile(path: try writeSample(in: dir), kind: .postings, segment: segment)
        #expect(file.version == IndexFileKind.postings.currentVersion)
        #expect(file.bodyOffset == IndexFileLayout.headerSize)
        var input = file.input
        #expect(try input.readUInt8() == 7)
        #expect(try input.readUInt16() == 0xBEEF)
        #expect(try input.readUInt32() == 0xDEAD_BEEF)
        #expect(try input.readUInt64() == UInt64.max - 1)
        #expect(try input.readVarUInt64() == 300)
        #expect(try input.readVarUInt64() == UInt64.max)
        #expect(try input.readString() == "héllo")
        let run = try input.readBytes(100_000)
        #expect(run.allSatisfy { $0 == 0xAB })
        #expect(input.remaining == 0)
        #expect(
            throws: IndexError.truncated(
                file: "sample.post", offset: file.bodyOffset + file.bodyLength, needed: 1, available: 0)
        ) {
            _ = try input.readUInt8()
        }
    }

    @Test("every single flipped byte is detected, whatever its place in the file")
    func flippedBytes() throws {
        let dir = try TemporaryDirectory()
        let path = try writeSample(in: dir)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        // Header, body start, body end and footer positions, plus a spread through the body.
        let positions =
            Array(0..<40) + Array(stride(from: 40, to: original.count, by: 997))
            + Array((original.count - 20)..<original.count)
        for position in positions {
            var damaged = original
            damaged[position] ^= 0x10
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "flip at \(position)") {
                _ = try IndexFile(path: path, kind: .postings, segment: segment)
            }
        }
    }

    @Test("truncation at any length is a typed error, never a crash", arguments: [0, 1, 23, 24, 39, 40, 1000, -1])
    func truncation(length: Int) throws {
        let dir = try TemporaryDirectory()
        let path = try writeSample(in: dir)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let keep = length < 0 ? original.count - 1 : length
        try original.prefix(keep).write(to: URL(fileURLWithPath: path))
        #expect(throws: IndexError.self) { _ = try IndexFile(path: path, kind: .postings, segment: segment) }
    }

    @Test("a file of another kind or another segment is refused with expected and found values")
    func wrongKindOrSegment() throws {
        let dir = try TemporaryDirectory()
        let path = try writeSample(in: dir, kind: .positions)
        #expect(
            throws: IndexError.badMagic(
                file: "sample.pos", expected: IndexFileKind.postings.magic, found: IndexFileKind.positions.magic)
        ) {
            _ = try IndexFile(path: path, kind: .postings, segment: segment)
        }
        let other = SegmentID(high: 1, low: 2)
        #expect(throws: IndexError.segmentMismatch(file: "sample.pos", expected: other, found: segment)) {
            _ = try IndexFile(path: path, kind: .positions, segment: other)
        }
    }

    @Test("a missing file is an io error naming the path")
    func missing() throws {
        #expect(
            throws: IndexError.io(path: "/nonexistent/x.post", operation: "open", reason: "No such file or directory")
        ) {
            _ = try IndexFile(path: "/nonexistent/x.post", kind: .postings, segment: segment)
        }
    }

    @Test("magic numbers are distinct per kind and segment ids round-trip through their text form")
    func identities() {
        #expect(Set(IndexFileKind.allCases.map(\.magic)).count == IndexFileKind.allCases.count)
        #expect(SegmentID(segment.description) == segment)
        #expect(segment.description == "0123456789abcdeffedcba9876543210")
        #expect(SegmentID("xyz") == nil)
    }

    @Test("a varint longer than 64 bits is corrupt, not silently wrapped")
    func varintOverflow() {
        let bytes: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x02]
        bytes.withUnsafeBytes { raw in
            var input = IndexInput(bytes: raw, fileName: "x")
            #expect(throws: IndexError.self) { _ = try input.readVarUInt64() }
        }
    }
}
