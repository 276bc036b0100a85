import CTalyChecksum
import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("corrupt postings and positions")
struct PostingsCorruptionTests {
    /// A few terms of every shape, with positions.
    func sample(seed: UInt64) throws -> (WrittenPostings, [[TestPosting]]) {
        var random = SplitMix64(seed: seed)
        let lists = [1, 3, 128, 129, 700, 2000].map {
            randomPostings(count: $0, gaps: .mixed, positions: true, using: &random)
        }
        return (try writePostings(lists.map { ($0, true) }), lists)
    }

    /// Reads a whole term with every API, stopping at the first error; returns whether it finished.
    @discardableResult
    func drain(_ reader: PostingsReader, _ info: TermInfo) throws(IndexError) -> Bool {
        let cursor = try reader.cursor(for: info)
        var positions: [UInt32] = []
        var steps = 0
        while cursor.doc != PostingsCursor.exhausted && steps < 1_000_000 {
            _ = cursor.frequency
            if cursor.hasPositions { try cursor.positions(into: &positions) }
            _ = try cursor.blockImpacts
            if steps % 7 == 3 {
                _ = try cursor.advance(to: cursor.doc &+ 50)
            } else {
                _ = try cursor.next()
            }
            steps += 1
        }
        return true
    }

    @Test("a flipped byte or a truncation is refused by the file frame with an IndexError")
    func flippedAndTruncatedFiles() throws {
        let (written, _) = try sample(seed: 7)
        for path in [written.postingsPath, written.positionsPath!] {
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            for position in stride(from: 0, to: original.count, by: max(1, original.count / 97)) {
                var damaged = original
                damaged[position] ^= 0x04
                try damaged.write(to: URL(fileURLWithPath: path))
                #expect(throws: IndexError.self, "flip at \(position)") { _ = try written.reader() }
            }
            try original.prefix(original.count - 3).write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self) { _ = try written.reader() }
            try original.write(to: URL(fileURLWithPath: path))
        }
        _ = try written.reader()
    }

    @Test("a term info pointing outside the files is an IndexError, not a crash")
    func outOfRangeTermInfo() throws {
        let (written, _) = try sample(seed: 8)
        let reader = try written.reader()
        var info = written.infos[4]
        info.postingsOffset = UInt64(reader.postings.bodyLength)
        #expect(throws: IndexError.self) { _ = try reader.cursor(for: info) }
        info.postingsOffset = UInt64.max
        #expect(throws: IndexError.self) { _ = try reader.cursor(for: info) }
        info = written.infos[1]
        info.positionsOffset = UInt64(reader.positions!.bodyLength + 1)
        #expect(throws: IndexError.self) { _ = try reader.cursor(for: info) }
        let noPositions = PostingsReader(postings: reader.postings, positions: nil)
        #expect(throws: IndexError.self) { _ = try noPositions.cursor(for: written.infos[1]) }
        // The first term has one document: its posting is inlined and only its positions are in a file.
        var singleton = written.infos[0]
        #expect(singleton.singleton != nil)
        #expect(throws: IndexError.self) { _ = try noPositions.cursor(for: singleton) }
        singleton.positionsOffset = UInt64(reader.positions!.bodyLength + 1)
        #expect(throws: IndexError.self) { _ = try reader.cursor(for: singleton) }
        singleton = written.infos[0]
        singleton.documentFrequency = 2
        #expect(throws: IndexError.self) { _ = try reader.cursor(for: singleton) }
        singleton = written.infos[0]
        singleton.totalTermFrequency = 0
        #expect(throws: IndexError.self) { _ = try reader.cursor(for: singleton) }
        singleton = written.infos[0]
        singleton.singleton?.doc = PostingsCursor.exhausted
        #expect(throws: IndexError.self) { _ = try reader.cursor(for: singleton) }
    }

    @Test("term infos at random offsets and counts never crash: they throw or read something (seeded)")
    func randomTermInfos() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let (written, _) = try sample(seed: seed)
        let reader = try written.reader()
        for _ in 0..<(TestEnvironment.longTests ? 20_000 : 2000) {
            let info = TermInfo(
                documentFrequency: UInt32.random(in: 0...3000, using: &random),
                totalTermFrequency: UInt64.random(in: 0...30_000, using: &random),
                postingsOffset: UInt64.random(in: 0...UInt64(reader.postings.bodyLength), using: &random),
                positionsOffset: UInt64.random(in: 0...UInt64(reader.positions!.bodyLength), using: &random),
                singleton: Bool.random(using: &random)
                    ? SingletonPosting(
                        doc: UInt32.random(in: 0...UInt32.max, using: &random), norm: 1,
                        hasPositions: Bool.random(using: &random))
                    : nil)
            _ = try? drain(reader, info)
        }
    }

    @Test("bytes damaged behind a recomputed checksum never crash a cursor (seeded)")
    func damagedBodiesWithValidChecksums() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let (written, _) = try sample(seed: seed)
        let originals = try [written.postingsPath, written.positionsPath!].map {
            try Data(contentsOf: URL(fileURLWithPath: $0))
        }
        var failures = 0
        for round in 0..<(TestEnvironment.longTests ? 3000 : 300) {
            let which = round % 2
            var damaged = originals[which]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = Int.random(
                    in: IndexFileLayout.headerSize..<(damaged.count - IndexFileLayout.footerSize), using: &random)
                damaged[position] ^= UInt8.random(in: 1...255, using: &random)
            }
            resealChecksum(&damaged)
            let paths = [written.postingsPath, written.positionsPath!]
            try damaged.write(to: URL(fileURLWithPath: paths[which]))
            let reader = try written.reader()
            for info in written.infos {
                do { try drain(reader, info) } catch { failures += 1 }
            }
            try originals[which].write(to: URL(fileURLWithPath: paths[which]))
        }
        #expect(failures > 0, "seed \(seed): some damage should be detected")
    }

    /// Recomputes the CRC-32C footer so the damage reaches the postings code.
    func resealChecksum(_ data: inout Data) {
        let crc = data.withUnsafeBytes { taly_crc32c_update(0, $0.baseAddress, data.count - 8) }
        withUnsafeBytes(of: UInt64(crc).littleEndian) { bytes in
            data.replaceSubrange((data.count - 8)..<data.count, with: bytes)
        }
    }
}
