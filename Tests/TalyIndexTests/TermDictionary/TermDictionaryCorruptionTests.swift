import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("the term dictionary: damaged files")
struct TermDictionaryCorruptionTests {
    typealias Fixture = TermDictionaryFixture

    /// Writes a valid dictionary of a few fields and returns its path.
    func writeSample(in directory: TemporaryDirectory) throws -> String {
        let path = directory.path("sample.terms")
        var random = SplitMix64(seed: 42)
        try Fixture.write(
            [(number: 1, terms: Fixture.randomTerms(count: 300, using: &random)), (number: 2, terms: [])], to: path,
            blockSize: 8)
        return path
    }

    @Test("a flipped byte anywhere in the file is an IndexError on open")
    func flippedByte() throws {
        let directory = try TemporaryDirectory()
        let path = try writeSample(in: directory)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for position in stride(from: 0, to: original.count, by: 37) {
            var damaged = original
            damaged[position] ^= 0x04
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(throws: IndexError.self, "flip at \(position)") {
                _ = try TermDictionaryReader(path: path, segment: Fixture.segment)
            }
        }
    }

    @Test("a truncated file is an IndexError on open", arguments: [0, 30, 100, -16, -1])
    func truncated(keep: Int) throws {
        let directory = try TemporaryDirectory()
        let path = try writeSample(in: directory)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        try original.prefix(keep < 0 ? original.count + keep : keep).write(to: URL(fileURLWithPath: path))
        #expect(throws: IndexError.self) { _ = try TermDictionaryReader(path: path, segment: Fixture.segment) }
    }

    @Test("a file of another kind is refused by its magic")
    func wrongKind() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("other.post")
        let output = try IndexOutput(path: path, kind: .postings, segment: Fixture.segment)
        output.writeUInt64(0)
        try output.finish(sync: false)
        let file = try IndexFile(path: path, kind: .postings, segment: Fixture.segment)
        #expect(throws: IndexError.self) { _ = try TermDictionaryReader(file: file) }
    }

    // MARK: - Hand-crafted files: valid frame, inconsistent contents.

    /// One block of field 1 holding "ab" then a term with `shared` prefix bytes and suffix "c",
    /// with the given info section; returns the reader over a correctly framed file.
    func craftedField(
        in directory: TemporaryDirectory, shared: UInt8 = 1, suffix: [UInt8] = [0x63],
        infos: [UInt8] = [1, 0, 0, 4, 1, 5, 0], termCountInIndex: UInt8 = 2, directoryOffset: UInt64? = nil
    ) throws -> TermDictionaryReader {
        // Format 2 term entry: (suffix length − 1) << 4 | shared (below 15 here).
        let terms: [UInt8] = [UInt8(suffix.count - 1) << 4 | shared] + suffix
        let block: [UInt8] = [UInt8(terms.count)] + terms + infos
        let index: [UInt8] = [2, 0x61, 0x62, UInt8(block.count), termCountInIndex]
        let fieldDirectory: [UInt8] = [1, 1, 2, 1, 8, 0, UInt8(block.count), UInt8(index.count)]
        return try writeCrafted(
            body: block + index + fieldDirectory,
            directoryOffset: directoryOffset ?? UInt64(block.count + index.count), in: directory)
    }

    func writeCrafted(body: [UInt8], directoryOffset: UInt64, in directory: TemporaryDirectory) throws
        -> TermDictionaryReader
    {
        let path = directory.path("crafted.terms")
        let output = try IndexOutput(path: path, kind: .termDictionary, segment: Fixture.segment)
        output.writeBytes(body)
        output.writeUInt64(directoryOffset)
        try output.finish(sync: false)
        return try TermDictionaryReader(path: path, segment: Fixture.segment)
    }

    /// Asserts `body` throws IndexError.corrupt naming the file and containing `fragment`.
    func expectCorrupt(
        _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        let error = #expect(throws: IndexError.self, sourceLocation: sourceLocation) { try body() }
        guard case .corrupt(let file, let reason) = error else {
            Issue.record(
                "expected IndexError.corrupt, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(file == "crafted.terms", sourceLocation: sourceLocation)
        #expect(reason.contains(fragment), "reason: \(reason)", sourceLocation: sourceLocation)
    }

    @Test("the crafted file itself is valid, so the corruptions below are what the tests catch")
    func craftedBaseline() throws {
        let directory = try TemporaryDirectory()
        let terms = try #require(try craftedField(in: directory).terms(forField: 1))
        #expect(try terms.lookup(Array("ac".utf8))?.postingsOffset == 5)
        var cursor = terms.makeCursor()
        #expect(try Fixture.drain(&cursor).map(\.term) == [Array("ab".utf8), Array("ac".utf8)])
    }

    @Test("a shared prefix longer than the previous term is corrupt, for lookups and walks")
    func prefixTooLong() throws {
        let directory = try TemporaryDirectory()
        let terms = try #require(try craftedField(in: directory, shared: 5).terms(forField: 1))
        expectCorrupt("shared prefix length 5 exceeds previous term length 2") {
            _ = try terms.lookup(Array("ac".utf8))
        }
        expectCorrupt("shared prefix length 5") {
            var cursor = terms.makeCursor()
            _ = try Fixture.drain(&cursor)
        }
    }

    @Test("a term not sorting after its predecessor is corrupt when walked")
    func unsortedBlock() throws {
        let directory = try TemporaryDirectory()
        let terms = try #require(try craftedField(in: directory, suffix: [0x61]).terms(forField: 1))  // "aa" < "ab"
        expectCorrupt("does not sort after its predecessor") {
            var cursor = terms.makeCursor()
            _ = try Fixture.drain(&cursor)
        }
    }

    @Test("a suffix running past the term section is corrupt")
    func suffixPastSection() throws {
        let directory = try TemporaryDirectory()
        // The entry claims a 5-byte suffix but the term section holds 2 bytes in all.
        let block: [UInt8] = [2, 0x41, 0x63, 1, 0, 0, 4, 1, 5, 0]
        let index: [UInt8] = [2, 0x61, 0x62, UInt8(block.count), 2]
        let fieldDirectory: [UInt8] = [1, 1, 2, 1, 20, 0, UInt8(block.count), UInt8(index.count)]
        let reader = try writeCrafted(
            body: block + index + fieldDirectory, directoryOffset: UInt64(block.count + index.count), in: directory)
        let terms = try #require(reader.terms(forField: 1))
        expectCorrupt("runs past the term section") { _ = try terms.lookup(Array("ac".utf8)) }
    }

    @Test("statistics running past the block end, a frequency beyond UInt32 or df 1 without its posting are corrupt")
    func badStatistics() throws {
        let directory = try TemporaryDirectory()
        let cut = try #require(try craftedField(in: directory, infos: [1, 0, 0, 4, 1]).terms(forField: 1))
        expectCorrupt("run past the block end") { _ = try cut.lookup(Array("ac".utf8)) }
        let wide = try #require(
            try craftedField(in: directory, infos: [0xFE, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 4, 1, 5, 0])
                .terms(forField: 1))
        expectCorrupt("exceeds UInt32") { _ = try wide.lookup(Array("ab".utf8)) }
        // An even header says "offsets follow", which a one-document term may not say.
        let outlined = try #require(
            try craftedField(in: directory, infos: [2, 0, 0, 0, 4, 1, 5, 0]).terms(forField: 1))
        expectCorrupt("lack its posting") { _ = try outlined.lookup(Array("ab".utf8)) }
    }

    @Test("an inlined posting cut short, with a reserved doc id or a frequency beyond UInt32, is corrupt")
    func badInlinedPosting() throws {
        let directory = try TemporaryDirectory()
        // "ab" (df 1) holds its posting: header (frequency − 1) << 2 | positions flag << 1 | 1, zigzag doc delta,
        // norm, positions delta.
        let valid = try #require(try craftedField(in: directory, infos: [9, 18, 7, 4, 1, 5, 0]).terms(forField: 1))
        let info = try #require(try valid.lookup(Array("ab".utf8)))
        #expect(info.singleton == SingletonPosting(doc: 9, norm: 7, hasPositions: false))
        #expect(info.totalTermFrequency == 3)
        #expect(try valid.lookup(Array("ac".utf8))?.postingsOffset == 5)
        let cut = try #require(try craftedField(in: directory, infos: [11, 18, 7]).terms(forField: 1))
        expectCorrupt("run past the block end") { _ = try cut.lookup(Array("ab".utf8)) }
        let reserved = try #require(
            try craftedField(in: directory, infos: [1, 0xFE, 0xFF, 0xFF, 0xFF, 0x1F, 7, 4, 1, 5, 0])
                .terms(forField: 1))
        expectCorrupt("is not a doc id") { _ = try reserved.lookup(Array("ab".utf8)) }
        let negative = try #require(
            try craftedField(in: directory, infos: [1, 1, 7, 4, 1, 5, 0]).terms(forField: 1))
        expectCorrupt("is not a doc id") { _ = try negative.lookup(Array("ab".utf8)) }
        let wide = try #require(
            try craftedField(in: directory, infos: [0xFD, 0xFF, 0xFF, 0xFF, 0x3F, 0, 7, 4, 1, 5, 0])
                .terms(forField: 1))
        expectCorrupt("exceeds UInt32") { _ = try wide.lookup(Array("ab".utf8)) }
    }

    @Test("a block term count disagreeing with the field's is corrupt on open")
    func countsDisagree() throws {
        let directory = try TemporaryDirectory()
        expectCorrupt("directory says") { _ = try craftedField(in: directory, termCountInIndex: 3) }
        expectCorrupt("block term count") {
            // 5000 terms in one block exceeds the limit: varint 5000 = 0x88 0x27.
            let block: [UInt8] = [0, 1, 0, 0, 0]
            let index: [UInt8] = [1, 0x61, UInt8(block.count), 0x88, 0x27]
            let fieldDirectory: [UInt8] = [1, 1, 0x88, 0x27, 1, 8, 0, UInt8(block.count), UInt8(index.count)]
            _ = try writeCrafted(
                body: block + index + fieldDirectory, directoryOffset: UInt64(block.count + index.count),
                in: directory)
        }
    }

    @Test("an unsorted sparse index is corrupt on open")
    func unsortedIndex() throws {
        let directory = try TemporaryDirectory()
        // Two one-term blocks starting with "b" then "a".
        let block: [UInt8] = [0, 1, 0, 0, 0]
        let index: [UInt8] = [1, 0x62, UInt8(block.count), 1, 1, 0x61, UInt8(block.count), 1]
        let fieldDirectory: [UInt8] = [1, 1, 2, 2, 1, 0, UInt8(2 * block.count), UInt8(index.count)]
        expectCorrupt("sparse index unsorted") {
            _ = try writeCrafted(
                body: block + block + index + fieldDirectory,
                directoryOffset: UInt64(2 * block.count + index.count), in: directory)
        }
    }

    @Test("a directory offset outside the body, or fields out of order, is corrupt on open")
    func badDirectory() throws {
        let directory = try TemporaryDirectory()
        expectCorrupt("directory offset") { _ = try craftedField(in: directory, directoryOffset: 10_000) }
        expectCorrupt("follows field 5") {
            let fields: [UInt8] = [2, 5, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0]
            _ = try writeCrafted(body: fields, directoryOffset: 0, in: directory)
        }
    }
}
