import Foundation
import Synchronization
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("the .store file of stored documents")
struct StoredDocumentsTests {
    let segment = SegmentID(high: 2, low: 4)

    func write(
        _ docs: [[UInt8]], in dir: TemporaryDirectory, blockSize: Int = StoredDocumentsWriter.defaultBlockSize,
        level: Int32 = Zstd.defaultLevel
    ) throws -> StoredDocumentsReader {
        let path = dir.path("s.store")
        let writer = try StoredDocumentsWriter(path: path, segment: segment, blockSize: blockSize, level: level)
        for doc in docs { try writer.add(doc) }
        #expect(writer.docCount == docs.count)
        try writer.finish(sync: false)
        return try StoredDocumentsReader(path: path, segment: segment)
    }

    /// Fetches every doc in a shuffled order and iterates them all, comparing with `docs`.
    func check(_ reader: StoredDocumentsReader, against docs: [[UInt8]], seed: UInt64) throws {
        #expect(reader.docCount == docs.count)
        var random = SplitMix64(seed: seed)
        for doc in docs.indices.shuffled(using: &random) {
            #expect(try reader.document(UInt32(doc)) == docs[doc], "seed \(seed), doc \(doc)")
        }
        var next: UInt32 = 0
        try reader.forEachDocument { doc, bytes in
            #expect(doc == next)
            #expect(Array(bytes) == docs[Int(doc)], "seed \(seed), doc \(doc)")
            next += 1
        }
        #expect(Int(next) == docs.count)
    }

    func text(_ count: Int, using random: inout SplitMix64) -> [UInt8] {
        let words = ["search", "engine", "block", "zstd", "segment", "swift", "posting", "the", "of"]
        var bytes: [UInt8] = []
        while bytes.count < count { bytes += Array((words.randomElement(using: &random)! + " ").utf8) }
        return Array(bytes.prefix(count))
    }

    @Test("zero documents, one document and empty documents round-trip")
    func smallCases() throws {
        let dir = try TemporaryDirectory()
        let empty = try write([], in: dir)
        #expect(empty.docCount == 0 && empty.blockCount == 0)
        try empty.forEachDocument { _, _ in Issue.record("no documents expected") }
        try check(try write([Array("only".utf8)], in: dir), against: [Array("only".utf8)], seed: 1)
        let empties: [[UInt8]] = [[], [], Array("x".utf8), []]
        try check(try write(empties, in: dir), against: empties, seed: 2)
    }

    @Test("documents spanning many blocks round-trip, fetched at random and iterated in order (seeded)")
    func manyBlocks() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let docs = (0..<3000).map { _ in text(Int.random(in: 0...300, using: &random), using: &random) }
        let reader = try write(docs, in: dir)
        // Every block but the last holds at least a block's worth of payload, and at most one
        // document (≤ 300 bytes) more.
        let raw = docs.reduce(0) { $0 + $1.count }
        let blockSize = StoredDocumentsWriter.defaultBlockSize
        #expect(reader.blockCount >= raw / (blockSize + 300) && reader.blockCount <= raw / blockSize + 1)
        try check(reader, against: docs, seed: seed)
        // A tiny block size puts block boundaries everywhere, every doc crossing into its own block.
        try check(try write(docs, in: dir, blockSize: 100), against: docs, seed: seed)
    }

    @Test("a document larger than a block goes alone into a block of its own")
    func hugeDocument() throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix64(seed: 7)
        let huge = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let docs = [Array("before".utf8), huge, Array("after".utf8), [], huge]
        let reader = try write(docs, in: dir)
        #expect(reader.blockCount == 4, "before | huge | after, empty | huge")
        try check(reader, against: docs, seed: 7)
    }

    @Test("the compression level is configurable and every level reads back", arguments: [1, 3, 19] as [Int32])
    func levels(level: Int32) throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix64(seed: UInt64(level))
        let docs = (0..<200).map { _ in text(500, using: &random) }
        try check(try write(docs, in: dir, level: level), against: docs, seed: 3)
    }

    @Test("one reader serves concurrent fetches from many threads")
    func concurrentFetches() throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix64(seed: 11)
        let docs = (0..<2000).map { _ in text(Int.random(in: 10...200, using: &random), using: &random) }
        let reader = try write(docs, in: dir)
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var random = SplitMix64(seed: UInt64(worker))
            for _ in 0..<2000 {
                let doc = Int.random(in: 0..<docs.count, using: &random)
                if (try? reader.document(UInt32(doc))) != docs[doc] { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }

    @Test("a flipped byte anywhere or a truncation is an IndexError")
    func damage() throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix64(seed: 5)
        _ = try write((0..<60).map { _ in text(100, using: &random) }, in: dir, blockSize: 1000)
        let path = dir.path("s.store")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for position in stride(from: 0, to: original.count, by: 11) {
            var damaged = original
            damaged[position] ^= 0x01
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "flip at \(position)") {
                _ = try StoredDocumentsReader(path: path, segment: segment)
            }
        }
        for keep in [0, 50, original.count - 17, original.count - 1] {
            try original.prefix(keep).write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "truncated to \(keep)") {
                _ = try StoredDocumentsReader(path: path, segment: segment)
            }
        }
    }

    /// Writes a correctly framed `.store` file of `segment`: `data`, then `blocks` as the index,
    /// then the trailer.
    static func craft(
        data: [UInt8], blocks: [StoredBlock], docCount: Int, segment: SegmentID, in dir: TemporaryDirectory
    ) throws -> String {
        let path = dir.path("c.store")
        let output = try IndexOutput(path: path, kind: .storedDocuments, segment: segment)
        output.writeBytes(data)
        for block in blocks {
            output.writeUInt32(block.firstDoc)
            output.writeUInt32(block.docCount)
            output.writeUInt64(UInt64(block.offset))
            output.writeUInt32(block.compressedLength)
            output.writeUInt32(block.rawLength)
        }
        output.writeUInt64(UInt64(data.count))
        output.writeUInt32(UInt32(blocks.count))
        output.writeUInt32(UInt32(docCount))
        try output.finish(sync: false)
        return path
    }

    @Test("a block index that does not tile the documents and bytes exactly is corrupt")
    func badBlockIndex() throws {
        let dir = try TemporaryDirectory()
        let raw: [UInt8] = [2, 1] + Array("abc".utf8)  // two docs: "ab", "c"
        let frame = raw.withUnsafeBytes { Zstd.compress($0) }
        let good = StoredBlock(
            firstDoc: 0, docCount: 2, offset: 0, compressedLength: UInt32(frame.count), rawLength: UInt32(raw.count))
        let reader = try StoredDocumentsReader(
            path: try StoredDocumentsTests.craft(data: frame, blocks: [good], docCount: 2, segment: segment, in: dir),
            segment: segment)
        #expect(try reader.document(1) == Array("c".utf8))

        var wrongFirst = good
        wrongFirst.firstDoc = 1
        var noDocs = good
        noDocs.docCount = 0
        var wrongOffset = good
        wrongOffset.offset = 1
        var shortFrame = good
        shortFrame.compressedLength -= 1
        for (blocks, docCount) in [
            ([wrongFirst], 2), ([noDocs], 0), ([wrongOffset], 2), ([shortFrame], 2), ([good], 3),
        ] {
            let path = try StoredDocumentsTests.craft(
                data: frame, blocks: blocks, docCount: docCount, segment: segment, in: dir)
            #expect(throwsCorrupt(file: "c.store") { try StoredDocumentsReader(path: path, segment: segment) })
        }
    }

    @Test("a garbled zstd frame or lengths that do not add up are corrupt when the block is read")
    func badBlockContents() throws {
        let dir = try TemporaryDirectory()
        let cases: [([UInt8], [UInt8]?)] = [
            ([2, 1] + Array("abc".utf8), nil),  // control: fine
            ([2, 5] + Array("abc".utf8), nil),  // lengths overrun the block
            ([1, 1] + Array("abc".utf8), nil),  // lengths fall short of the block
            ([0x80, 0x80, 0x80, 0x80, 0x80], nil),  // a length varint runs off the end
            ([2, 1] + Array("abc".utf8), Array(repeating: 0x55, count: 12)),  // not a zstd frame
        ]
        for (index, (raw, garbage)) in cases.enumerated() {
            let frame = garbage ?? raw.withUnsafeBytes { Zstd.compress($0) }
            let block = StoredBlock(
                firstDoc: 0, docCount: 2, offset: 0, compressedLength: UInt32(frame.count), rawLength: UInt32(raw.count)
            )
            let reader = try StoredDocumentsReader(
                path: try StoredDocumentsTests.craft(
                    data: frame, blocks: [block], docCount: 2, segment: segment, in: dir), segment: segment)
            if index == 0 {
                #expect(try reader.document(0) == Array("ab".utf8))
                continue
            }
            #expect(throwsCorrupt(file: "c.store") { try reader.document(0) }, "case \(index)")
            #expect(throwsCorrupt(file: "c.store") { try reader.forEachDocument { _, _ in } }, "case \(index)")
        }
    }
}

@Suite("fetching stored documents through pooled zstd contexts and the block cache")
struct StoredDocumentsFetchTests {
    let segment = SegmentID(high: 3, low: 9)

    /// Random documents: mostly small, some empty, some several blocks long, ASCII or not.
    func randomDocuments(count: Int, blockSize: Int, using random: inout SplitMix64) -> [[UInt8]] {
        let words = ["flask", "Kaffeemühle", "théière", "чайник", "急須", "🫖", "pot", "the", ""]
        return (0..<count).map { _ in
            let target: Int
            switch Int.random(in: 0..<10, using: &random) {
            case 0: target = 0
            case 1: target = Int.random(in: blockSize...(blockSize * 3), using: &random)
            default: target = Int.random(in: 1...(blockSize / 4), using: &random)
            }
            var bytes: [UInt8] = []
            while bytes.count < target {
                if Int.random(in: 0..<4, using: &random) == 0 {
                    bytes.append(UInt8.random(in: 0...255, using: &random))
                } else {
                    bytes += Array((words.randomElement(using: &random)! + " ").utf8)
                }
            }
            return bytes
        }
    }

    func write(_ docs: [[UInt8]], blockSize: Int, in dir: TemporaryDirectory) throws -> StoredDocumentsReader {
        let path = dir.path("f.store")
        let writer = try StoredDocumentsWriter(path: path, segment: segment, blockSize: blockSize)
        for doc in docs { try writer.add(doc) }
        try writer.finish(sync: false)
        return try StoredDocumentsReader(path: path, segment: segment)
    }

    @Test("random documents fetched in random order, with repeats that hit and evict the cache, match (seeded)")
    func randomFetches() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let dir = try TemporaryDirectory()
        for blockSize in [64, 1024, StoredDocumentsWriter.defaultBlockSize] {
            let docs = randomDocuments(count: 400, blockSize: blockSize, using: &random)
            let reader = try write(docs, blockSize: blockSize, in: dir)
            // Fetches cluster on a few nearby documents, as a page of hits does, so that
            // cached blocks are hit as well as missed.
            var doc = 0
            for _ in 0..<3000 {
                doc =
                    Int.random(in: 0..<3, using: &random) == 0
                    ? Int.random(in: 0..<docs.count, using: &random)
                    : min(docs.count - 1, max(0, doc + Int.random(in: -20...20, using: &random)))
                #expect(
                    try reader.document(UInt32(doc)) == docs[doc], "seed \(seed), block size \(blockSize), doc \(doc)")
                #expect(reader.cachedBlockNumbers.count <= StoredDocumentsReader.cachedBlockLimit)
                #expect(reader.cachedBlockNumbers.last == reader.blockNumber(containing: UInt32(doc)))
            }
        }
    }

    @Test("the cache keeps the most recently used blocks and evicts the least recently used")
    func leastRecentlyUsed() throws {
        let dir = try TemporaryDirectory()
        // One 10-byte document per block: block i holds doc i.
        let docs = (0..<10).map { Array("document \($0)".utf8.prefix(10)) }
        let reader = try write(docs, blockSize: 10, in: dir)
        #expect(reader.blockCount == 10)
        let limit = StoredDocumentsReader.cachedBlockLimit
        for doc in 0...limit { #expect(try reader.document(UInt32(doc)) == docs[doc]) }
        #expect(reader.cachedBlockNumbers == Array(1...limit))
        #expect(try reader.document(1) == docs[1])  // a hit moves block 1 to the back
        #expect(reader.cachedBlockNumbers == Array(2...limit) + [1])
        #expect(try reader.document(9) == docs[9])  // a miss evicts block 2, the least recent
        #expect(reader.cachedBlockNumbers == Array(3...limit) + [1, 9])
    }

    @Test("concurrent fetches of clustered documents from one reader all match (seeded)")
    func concurrentClusteredFetches() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let dir = try TemporaryDirectory()
        let docs = randomDocuments(count: 600, blockSize: 512, using: &random)
        let reader = try write(docs, blockSize: 512, in: dir)
        let failures = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            var random = SplitMix64(seed: seed &+ UInt64(worker))
            for _ in 0..<1500 {
                let doc = Int.random(in: 0..<min(docs.count, 60), using: &random) + (worker % 2) * 300
                if (try? reader.document(UInt32(doc))) != docs[doc] { failures.withLock { $0.append(doc) } }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "seed \(seed)")
    }

    @Test("a damaged frame in a checksum-valid file is a typed error naming file and block, never a crash")
    func damagedFrames() throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix64(seed: 21)
        let docs = randomDocuments(count: 30, blockSize: 2048, using: &random).filter { $0.count < 2048 }
        var raw: [UInt8] = []
        for doc in docs { VByte.append(UInt32(doc.count), to: &raw) }
        for doc in docs { raw += doc }
        let frame = raw.withUnsafeBytes { Zstd.compress($0) }
        let block = StoredBlock(
            firstDoc: 0, docCount: UInt32(docs.count), offset: 0, compressedLength: UInt32(frame.count),
            rawLength: UInt32(raw.count))
        var detected = 0
        for position in frame.indices {
            var damaged = frame
            damaged[position] ^= 0x10
            let path = try StoredDocumentsTests.craft(
                data: damaged, blocks: [block], docCount: docs.count, segment: segment, in: dir)
            let reader = try StoredDocumentsReader(path: path, segment: segment)
            switch thrownIndexError({ try reader.document(UInt32(docs.count - 1)) }) {
            case nil: continue
            case .corrupt(let file, let reason)?:
                #expect(file == "c.store" && reason.hasPrefix("block 0"), "flip at \(position): \(reason)")
                detected += 1
            case let other?: Issue.record("flip at \(position): \(other)")
            }
        }
        // zstd frames carry no content checksum (the file checksum, checked on open, covers
        // the bytes), so a flip inside literals can decode; flips in headers, Huffman tables
        // and sequences must not.
        #expect(detected >= frame.count / 4, "\(detected) of \(frame.count) flips detected")
    }

    @Test("lengths that overrun the block or a declared size that disagrees are corrupt, not sliced")
    func overrunningLengths() throws {
        let dir = try TemporaryDirectory()
        let payload = Array("héllo wörld".utf8)
        let cases: [(raw: [UInt8], rawLength: Int)] = [
            ([5, UInt8(payload.count)] + payload, payload.count + 2),  // Σ lengths overruns
            ([0xFF, 0xFF, 0xFF, 0xFF, 0x0F] + payload, payload.count + 5),  // a 4 GiB length
            ([3, 2] + payload, payload.count + 2),  // Σ lengths falls short
            ([3, 2] + payload, payload.count + 3),  // the frame declares another size
        ]
        for (index, (raw, rawLength)) in cases.enumerated() {
            let frame = raw.withUnsafeBytes { Zstd.compress($0) }
            let block = StoredBlock(
                firstDoc: 0, docCount: 2, offset: 0, compressedLength: UInt32(frame.count),
                rawLength: UInt32(rawLength))
            let reader = try StoredDocumentsReader(
                path: try StoredDocumentsTests.craft(
                    data: frame, blocks: [block], docCount: 2, segment: segment, in: dir), segment: segment)
            for doc: UInt32 in [0, 1] {
                #expect(throwsCorrupt(file: "c.store") { try reader.document(doc) }, "case \(index), doc \(doc)")
            }
            #expect(reader.cachedBlockNumbers.isEmpty, "a corrupt block is never cached")
        }
    }
}
