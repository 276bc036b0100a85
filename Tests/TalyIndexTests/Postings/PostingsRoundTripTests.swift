import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("postings and positions round trip")
struct PostingsRoundTripTests {
    static let lengths = [0, 1, 2, 127, 128, 129, 255, 256, 257, 1000, 4099]

    @Test("next() returns every doc with its frequency and positions", arguments: lengths, GapKind.allCases)
    func nextReturnsEveryPosting(length: Int, gaps: GapKind) throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let postings = randomPostings(count: length, gaps: gaps, positions: true, using: &random)
        let written = try writePostings([(postings, true)])
        let info = written.infos[0]
        #expect(info.documentFrequency == UInt32(length), "seed \(seed)")
        #expect(info.totalTermFrequency == postings.reduce(0) { $0 + UInt64($1.frequency) }, "seed \(seed)")
        let cursor = try written.reader().cursor(for: info)
        var positions: [UInt32] = []
        for (index, posting) in postings.enumerated() {
            #expect(cursor.doc == posting.doc, "seed \(seed), index \(index)")
            #expect(cursor.frequency == posting.frequency, "seed \(seed), index \(index)")
            try cursor.positions(into: &positions)
            #expect(positions == posting.positions, "seed \(seed), index \(index)")
            _ = try cursor.next()
        }
        #expect(cursor.doc == PostingsCursor.exhausted, "seed \(seed)")
        #expect(try cursor.next() == PostingsCursor.exhausted)
        #expect(try cursor.advance(to: 5) == PostingsCursor.exhausted)
    }

    @Test("lists without positions round trip, with no positions file at all", arguments: lengths)
    func listsWithoutPositions(length: Int) throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let postings = randomPostings(count: length, gaps: .mixed, positions: false, using: &random)
        let written = try writePostings([(postings, false)], positionsFile: false)
        let cursor = try written.reader().cursor(for: written.infos[0])
        #expect(!cursor.hasPositions || length == 0)
        var seen: [TestPosting] = []
        while cursor.doc != PostingsCursor.exhausted {
            seen.append(TestPosting(doc: cursor.doc, frequency: cursor.frequency, norm: 0, positions: []))
            _ = try cursor.next()
        }
        #expect(seen.map(\.doc) == postings.map(\.doc), "seed \(seed)")
        #expect(seen.map(\.frequency) == postings.map(\.frequency), "seed \(seed)")
    }

    @Test("lists whose frequencies are all 1 round trip (the tail then stores no frequencies)", arguments: lengths)
    func allFrequenciesOne(length: Int) throws {
        let postings = (0..<length).map { (index: Int) -> TestPosting in
            let doc = UInt32(index) * 3
            return TestPosting(doc: doc, frequency: 1, norm: UInt8(index % 7), positions: [UInt32(index % 11)])
        }
        let written = try writePostings([(postings, true)])
        let cursor = try written.reader().cursor(for: written.infos[0])
        var positions: [UInt32] = []
        for posting in postings {
            #expect(cursor.doc == posting.doc)
            #expect(cursor.frequency == 1)
            try cursor.positions(into: &positions)
            #expect(positions == posting.positions)
            _ = try cursor.next()
        }
        #expect(cursor.doc == PostingsCursor.exhausted)
    }

    @Test("advance(to:) mixed with next() agrees with a brute-force oracle on random targets (seeded)")
    func advanceMatchesOracle() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let rounds = TestEnvironment.longTests ? 200 : 24
        for round in 0..<rounds {
            let length = [1, 100, 128, 129, 300, 2000, 20_000][round % 7]
            let gaps = GapKind.allCases[round % 3]
            let postings = randomPostings(count: length, gaps: gaps, positions: round % 2 == 0, using: &random)
            let written = try writePostings([(postings, round % 2 == 0)])
            let cursor = try written.reader().cursor(for: written.infos[0])
            let docs = postings.map(\.doc)
            var expectedIndex = 0
            var positions: [UInt32] = []
            while expectedIndex < docs.count {
                let current = docs[expectedIndex]
                #expect(cursor.doc == current, "seed \(seed), round \(round)")
                if UInt32.random(in: 0..<3, using: &random) == 0 {
                    _ = try cursor.next()
                    expectedIndex += 1
                } else {
                    let last = docs[docs.count - 1]
                    let span = UInt64(last) - UInt64(current) + 2
                    let reach = UInt64.random(
                        in: 0...min(span, UInt64(random.next() % 4 == 0 ? span : 3000)), using: &random)
                    let target = UInt32(min(UInt64(current) + reach, UInt64(UInt32.max - 1)))
                    let found = try cursor.advance(to: target)
                    while expectedIndex < docs.count && docs[expectedIndex] < target { expectedIndex += 1 }
                    let expected = expectedIndex < docs.count ? docs[expectedIndex] : PostingsCursor.exhausted
                    #expect(found == expected, "seed \(seed), round \(round), target \(target)")
                    guard found == expected else { return }
                }
                if expectedIndex < docs.count && round % 2 == 0 && random.next() % 5 == 0 {
                    #expect(cursor.frequency == postings[expectedIndex].frequency, "seed \(seed)")
                    try cursor.positions(into: &positions)
                    #expect(positions == postings[expectedIndex].positions, "seed \(seed), round \(round)")
                }
            }
            #expect(cursor.doc == PostingsCursor.exhausted, "seed \(seed), round \(round)")
        }
    }

    @Test("advance(to:) to a target at or below the current doc does not move")
    func advanceNeverMovesBackwards() throws {
        let postings = (0..<500).map { (index: Int) -> TestPosting in
            TestPosting(doc: UInt32(index) * 2 + 10, frequency: 1, norm: 0, positions: [0])
        }
        let written = try writePostings([(postings, false)], positionsFile: false)
        let cursor = try written.reader().cursor(for: written.infos[0])
        #expect(try cursor.advance(to: 400) == 400)
        #expect(try cursor.advance(to: 3) == 400)
        #expect(try cursor.advance(to: 400) == 400)
        #expect(try cursor.advance(to: 401) == 402)
        #expect(try cursor.advance(to: UInt32.max - 1) == PostingsCursor.exhausted)
    }

    @Test(
        "a term of one document writes no postings bytes: its posting, impact and positions offset are in its entry",
        arguments: [false, true])
    func singletonIsInlined(positions: Bool) throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let long = randomPostings(count: 129, gaps: .mixed, positions: positions, using: &random)
        let single = randomPostings(count: 1, gaps: .sparse, positions: positions, using: &random)
        let alone = try writePostings([(long, positions)], positionsFile: positions)
        let written = try writePostings(
            [(long, positions), (single, positions), (long, positions)], positionsFile: positions)
        let reader = try written.reader()
        #expect(try reader.postings.bodyLength == 2 * alone.reader().postings.bodyLength, "seed \(seed)")
        let info = written.infos[1]
        let posting = single[0]
        #expect(
            info.singleton == SingletonPosting(doc: posting.doc, norm: posting.norm, hasPositions: positions),
            "seed \(seed)")
        #expect(info.postingsOffset == 0)
        #expect(info.totalTermFrequency == UInt64(posting.frequency))
        let cursor = try reader.cursor(for: info)
        #expect(cursor.doc == posting.doc && cursor.frequency == posting.frequency, "seed \(seed)")
        #expect(Array(cursor.termImpacts) == [Impact(frequency: posting.frequency, norm: posting.norm)])
        #expect(Array(try cursor.blockImpacts) == Array(cursor.termImpacts))
        #expect(cursor.blockLastDoc == posting.doc)
        if positions {
            var found: [UInt32] = []
            try cursor.positions(into: &found)
            #expect(found == posting.positions, "seed \(seed)")
        }
        #expect(try cursor.advance(to: posting.doc &+ 1) == PostingsCursor.exhausted)
        #expect(try reader.cursor(for: info).advance(to: posting.doc) == posting.doc)
        #expect(try cursor.blockImpacts.isEmpty)
    }

    @Test("a variable-byte tail interleaves gaps and frequencies: gap << 1 | (frequency = 1), then frequency − 2")
    func interleavedTailBytes() throws {
        let postings = [(3, 1), (5, 4), (9, 1)].map {
            TestPosting(doc: UInt32($0.0), frequency: UInt32($0.1), norm: 7, positions: [])
        }
        let written = try writePostings([(postings, false)], positionsFile: false)
        let reader = try written.reader()
        let body = Array(reader.postings.body)  // the reader keeps the mapping alive
        #expect(Array(body.suffix(4)) == [0x07, 0x04, 0x02, 0x09])
        let cursor = try reader.cursor(for: written.infos[0])
        var seen: [UInt32] = []
        while cursor.doc != PostingsCursor.exhausted {
            seen += [cursor.doc, cursor.frequency]
            _ = try cursor.next()
        }
        #expect(seen == [3, 1, 5, 4, 9, 1])
    }

    @Test("a positions chunk stores its few widest deltas as exceptions: index byte and high bits after the low bits")
    func patchedPositionsChunk() throws {
        // One doc with 129 positions 0, 1, 2, …, a jump of 1000 at the 71st, then steps of 1 again.
        var positions: [UInt32] = [0]
        for index in 1..<129 { positions.append(positions[index - 1] + (index == 70 ? 1000 : 1)) }
        let posting = TestPosting(doc: 4, frequency: 129, norm: 9, positions: positions)
        let written = try writePostings([([posting], true)])
        let reader = try written.reader()
        let body = Array(reader.positions!.body)
        // Width 1 (19 bytes) beats width 10 (160 bytes): the 1000 is an exception, 500 = 0xF4 0x03 above bit 0.
        #expect(body.count == 2 + 16 + 3 + 1, "chunk header, 1-bit block, one exception, a 1-value tail")
        #expect(Array(body.prefix(2)) == [1, 1])
        #expect(Array(body[18..<21]) == [70, 0xF4, 0x03])
        #expect(body[21] == 1)
        let cursor = try reader.cursor(for: written.infos[0])
        var found: [UInt32] = []
        try cursor.positions(into: &found)
        #expect(found == positions)
    }

    @Test(
        "a packed block stores up to 3 large frequencies as exceptions, and a block of frequencies 1 stores none",
        arguments: [[:], [5: 1000], [5: 1000, 70: 40, 127: 300], [0: 9, 1: 9, 2: 9, 3: 9]] as [[Int: UInt32]])
    func patchedFrequencies(large: [Int: UInt32]) throws {
        let postings = (0..<129).map {
            TestPosting(doc: UInt32($0) * 2, frequency: large[$0] ?? 1, norm: 7, positions: [])
        }
        let written = try writePostings([(postings, false)], positionsFile: false)
        let cursor = try written.reader().cursor(for: written.infos[0])
        let widest = large.values.max().map { UInt32.bitWidth - ($0 - 1).leadingZeroBitCount } ?? 0
        if large.count <= PostingsFormat.maxFrequencyExceptions {
            // The others are 1 (0 bits); the exceptions' high bits must fit a byte.
            #expect(cursor.block.frequencyBits == max(0, widest - 8))
            #expect(cursor.block.frequencyExceptions == large.count)
        } else {
            #expect(cursor.block.frequencyBits == widest)
            #expect(cursor.block.frequencyExceptions == 0)
        }
        #expect(
            cursor.block.payloadLength
                == 16 * (cursor.block.docBits + cursor.block.frequencyBits) + 2 * cursor.block.frequencyExceptions)
        for posting in postings {
            #expect(cursor.doc == posting.doc && cursor.frequency == posting.frequency, "doc \(posting.doc)")
            _ = try cursor.next()
        }
        #expect(cursor.doc == PostingsCursor.exhausted)
    }

    @Test("many terms of different shapes share one pair of files and each reads back alone (seeded)")
    func manyTermsInOneFile() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        var terms: [(postings: [TestPosting], positions: Bool)] = []
        for index in 0..<300 {
            let length = [1, 1, 2, 5, 127, 128, 129, 256, 700][index % 9]
            let positions = index % 3 != 0
            terms.append(
                (
                    randomPostings(
                        count: length, gaps: GapKind.allCases[index % 3], positions: positions, using: &random),
                    positions
                ))
        }
        let written = try writePostings(terms)
        let reader = try written.reader()
        var positions: [UInt32] = []
        for (term, info) in zip(terms, written.infos).reversed() {
            let cursor = try reader.cursor(for: info)
            #expect(cursor.hasPositions == term.positions)
            for posting in term.postings {
                #expect(cursor.doc == posting.doc, "seed \(seed)")
                #expect(cursor.frequency == posting.frequency, "seed \(seed)")
                if term.positions {
                    try cursor.positions(into: &positions)
                    #expect(positions == posting.positions, "seed \(seed)")
                }
                _ = try cursor.next()
            }
            #expect(cursor.doc == PostingsCursor.exhausted)
        }
    }
}
