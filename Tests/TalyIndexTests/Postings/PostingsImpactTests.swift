import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("block-max impacts in the skip data")
struct PostingsImpactTests {
    /// Walks `postings` block by block with `shallowAdvance`, checking each block's impacts against its docs.
    func checkBlocks(_ postings: [TestPosting], seed: UInt64) throws {
        let written = try writePostings([(postings, false)], positionsFile: false)
        let cursor = try written.reader().cursor(for: written.infos[0])
        #expect(cursor.termImpacts.count <= ImpactList.capacity)
        let termFrontier = exactFrontier(postings)
        if termFrontier.count <= ImpactList.capacity {
            #expect(Array(cursor.termImpacts) == termFrontier, "seed \(seed)")
        }
        var start = 0
        while start < postings.count {
            try cursor.shallowAdvance(to: postings[start].doc)
            let last = cursor.blockLastDoc
            let impacts = try cursor.blockImpacts
            var end = start
            while end < postings.count && postings[end].doc <= last { end += 1 }
            #expect(end > start, "seed \(seed): the skip pointer passed doc \(postings[start].doc)")
            guard end > start else { return }
            let block = postings[start..<end]
            #expect(block.count <= 128, "seed \(seed)")
            for posting in block {
                let pair = Impact(frequency: posting.frequency, norm: posting.norm)
                #expect(impacts.bounds(pair), "seed \(seed): \(pair) not bounded by \(impacts)")
                #expect(cursor.termImpacts.bounds(pair), "seed \(seed): \(pair) not bounded by the term impacts")
            }
            let frontier = exactFrontier(block)
            if frontier.count <= ImpactList.capacity {
                #expect(Array(impacts) == frontier, "seed \(seed): block ending at \(last)")
            } else {
                #expect(impacts.count == ImpactList.capacity, "seed \(seed)")
            }
            start = end
        }
        try cursor.shallowAdvance(to: PostingsCursor.exhausted)
        #expect(cursor.blockLastDoc == PostingsCursor.exhausted)
        #expect(try cursor.blockImpacts.isEmpty)
    }

    @Test(
        "every block's impacts bound each of its postings and equal the exact frontier when short (seeded)",
        arguments: [1, 127, 128, 129, 1000, 5000])
    func blockImpactsBoundPostings(length: Int) throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        for gaps in GapKind.allCases {
            try checkBlocks(randomPostings(count: length, gaps: gaps, positions: false, using: &random), seed: seed)
        }
    }

    @Test("a frontier longer than eight pairs is capped to a list that still bounds every posting")
    func cappedFrontierStillBounds() throws {
        // Frequency and norm grow together: all 128 pairs of each block are on the frontier.
        let postings = (0..<1000).map { (index: Int) -> TestPosting in
            TestPosting(
                doc: UInt32(index), frequency: UInt32(index % 128 + 1), norm: UInt8(index % 128 * 2), positions: [])
        }
        try checkBlocks(postings, seed: 0)
        var frequencies = (1...20).map { UInt32($0) }
        var norms = (0..<20).map { UInt8($0 * $0 % 251) }.sorted()
        norms = Array(Set(norms)).sorted()
        frequencies = Array(frequencies.prefix(norms.count))
        let count = CompetitiveImpactAccumulator.cap(frequencies: &frequencies, norms: &norms, count: norms.count)
        #expect(count == ImpactList.capacity)
    }

    @Test("shallowAdvance moves only the skip pointer: next() still returns every doc in order")
    func shallowAdvanceLeavesTheCursor() throws {
        let postings = (0..<1000).map { (index: Int) -> TestPosting in
            TestPosting(doc: UInt32(index) * 5, frequency: 1, norm: 3, positions: [])
        }
        let written = try writePostings([(postings, false)], positionsFile: false)
        let cursor = try written.reader().cursor(for: written.infos[0])
        try cursor.shallowAdvance(to: 3000)
        #expect(cursor.blockLastDoc >= 3000)
        #expect(cursor.doc == 0)
        var docs: [UInt32] = []
        while cursor.doc != PostingsCursor.exhausted {
            docs.append(cursor.doc)
            if docs.count % 200 == 0 { try cursor.shallowAdvance(to: cursor.doc + 2000) }
            _ = try cursor.next()
        }
        #expect(docs == postings.map(\.doc))
    }

    @Test("impact lists encode and decode, rejecting non-frontier bytes")
    func impactListCoding() {
        let list = ImpactList([
            Impact(frequency: 1, norm: 0), Impact(frequency: 300, norm: 7), Impact(frequency: 301, norm: 255),
        ])
        var bytes: [UInt8] = []
        list.encode(into: &bytes)
        bytes.withUnsafeBytes { raw in
            #expect(ImpactList.decode(raw, offset: 0, length: raw.count) == list)
            #expect(ImpactList.decode(raw, offset: 0, length: raw.count - 1) == nil)
            #expect(ImpactList.decode(raw, offset: 0, length: 0) == nil)
        }
        let notAFrontier: [UInt8] = [1, 5, 1, 5]  // norms must increase
        notAFrontier.withUnsafeBytes { #expect(ImpactList.decode($0, offset: 0, length: 4) == nil) }
    }
}
